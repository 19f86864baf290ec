"""Issue 15: `tandem backup` while sign-ins run, `tandem restore` into a new data folder, and a
new server on it (with the secret key file copied along) signs the same phone in; the browser
session, the OIDC signing keys and the phone's registration survive."""

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import requests

from conftest import PIN, TANDEM, Browser, pending, register, run


def push_sign_in(server, phone):
    """Password, then the push the phone approves; returns the signed-in browser. A backup taken
    mid sign-in holds that sign-in's push still pending, so the restored server may list it too:
    the phone answers the request that is new."""
    earlier = {request["id"] for request in pending(phone)}
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/approve"
    number = browser.number()
    new = [request["id"] for request in pending(phone) if request["id"] not in earlier]
    assert len(new) == 1, new
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN, f"--request={new[0]}").stdout
    assert browser.complete().headers["Location"] == "/"
    return browser


def signing_keys(server):
    discovery = requests.get(server.url + "/.well-known/openid-configuration", timeout=5).json()
    keys = requests.get(discovery["jwks_uri"], timeout=5).json()["keys"]
    return sorted(key["kid"] for key in keys)


def test_backup_under_sign_ins_restores_into_a_server_that_signs_the_same_phone_in(server, phone, tmp_path):
    register(server, phone)
    kept = push_sign_in(server, phone)  # a session made before the backup
    assert "Alice Example" in kept.home()
    keys_before = signing_keys(server)
    assert keys_before, "the provider publishes its signing keys"

    # Sign-ins (each one writes flows, challenges, trails, sign-in log rows, sessions) run on a
    # second thread while the backup is taken.
    done, errors, finished_at = threading.Event(), [], []

    def load():
        while not done.is_set():
            try:
                push_sign_in(server, phone)
                finished_at.append(time.monotonic())
                # and a wrong password (a failed sign-in row), as an attacker adds
                wrong = Browser(server)
                wrong.start()
                wrong.password("not the password")
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
                return

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    deadline = time.monotonic() + 30
    while len(finished_at) < 2 and time.monotonic() < deadline and not errors:
        time.sleep(0.05)
    backup = tmp_path / "tandem-backup.sqlite"
    started = time.monotonic()
    out = run([TANDEM, "backup", str(backup), "--database", server.db])
    backup_seconds = time.monotonic() - started
    before_backup_done = len(finished_at)
    while len(finished_at) < before_backup_done + 2 and time.monotonic() < deadline + 30 and not errors:
        time.sleep(0.05)
    done.set()
    worker.join(timeout=60)
    assert not errors, errors
    assert before_backup_done >= 2 and len(finished_at) >= before_backup_done + 2, "sign-ins ran before and after the backup"
    assert "backed up" in out.stdout and "secret key is not in the backup" in out.stdout
    print(f"backup of {backup.stat().st_size} bytes took {backup_seconds * 1000:.0f} ms with sign-ins running")
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    again = run([TANDEM, "backup", str(backup), "--database", server.db], check=False)
    assert again.returncode != 0 and "never overwrites" in again.stderr and "Traceback" not in again.stderr

    # Restore into a new, empty data folder; a non-empty one is refused.
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("something else")
    refused = run([TANDEM, "restore", str(backup), "--data-directory", str(busy)], check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr
    restored = tmp_path / "restored"
    out = run([TANDEM, "restore", str(backup), "--data-directory", str(restored)])
    assert "restored" in out.stdout and "copy the secret key" in out.stdout
    assert oct(restored.stat().st_mode & 0o777) == "0o700"
    shutil.copy2(server.folder / "tandem.secret-key", restored / "tandem.secret-key")

    # The old server and its database go; a new server on the restored folder takes its port
    # (the phone's account names that URL).
    server.stop()
    for suffix in ("", "-wal", "-shm"):
        Path(server.db + suffix).unlink(missing_ok=True)
    server.folder = restored
    server.db = str(restored / "tandem.sqlite")
    server.log_path = restored / "server.log"
    server.start()

    assert "Alice Example" in kept.home(), "a session made before the backup is still valid"
    assert signing_keys(server) == keys_before, "the same OIDC signing keys (opened with the copied secret key)"
    again = push_sign_in(server, phone)
    assert "Alice Example" in again.home()


def test_the_data_folder_is_made_private_and_a_readable_key_is_refused(tmp_path):
    """`--data-directory`: made 0700 with its parents, database and key 0600; a key file other
    users can read is refused by `serve` and `admin token`, a group-readable one warned about."""
    from conftest import free_port

    data = tmp_path / "srv" / "tandem"
    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    serve = subprocess.Popen([TANDEM, "serve", "--data-directory", str(data), "--port", str(port), "--bcrypt-cost", "4"],
                             cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                if ready.status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert ready.json() == {"status": "ok", "checks": {"store": "ok", "migrations": "ok"}}
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json() == {"status": "ok"}
    finally:
        serve.terminate()
        serve.wait(timeout=15)
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    for name in ("tandem.sqlite", "tandem.sqlite-wal", "tandem.secret-key"):
        if (data / name).exists():
            assert oct((data / name).stat().st_mode & 0o777) == "0o600", name
    key = data / "tandem.secret-key"
    secret = key.read_text().strip()

    os.chmod(key, 0o644)
    refused = run([TANDEM, "serve", "--data-directory", str(data), "--port", str(free_port())], check=False)
    assert refused.returncode != 0 and "readable or writable by other users" in refused.stderr and "chmod 600" in refused.stderr
    assert secret not in refused.stdout + refused.stderr
    token = run([TANDEM, "admin", "token", "--user", "admin@tandem.local", "--data-directory", str(data)], check=False)
    assert token.returncode != 0 and "readable or writable by other users" in token.stderr

    os.chmod(key, 0o640)
    warned = run([TANDEM, "admin", "token", "--user", "admin@tandem.local", "--data-directory", str(data)])
    assert "warning:" in warned.stderr and warned.stdout.count(".") == 2, "a JWT, with a warning"

    (tmp_path / "a-file").write_text("x")
    not_folder = run([TANDEM, "users", "list", "--data-directory", str(tmp_path / "a-file")], check=False)
    assert not_folder.returncode != 0 and "is not a folder" in not_folder.stderr and "Fatal" not in not_folder.stderr


def test_postgres_backup_points_to_pg_dump_without_printing_the_password(tmp_path):
    url = "postgres://tandem:s3cret-pw@127.0.0.1:1/tandem"
    for command in (["backup", str(tmp_path / "b.dump")], ["restore", str(tmp_path / "b.dump")]):
        out = run([TANDEM, *command, "--database", url], check=False)
        assert out.returncode != 0, command
        assert "pg_dump" in out.stderr and "pg_restore" in out.stderr, out.stderr
        assert "s3cret-pw" not in out.stdout + out.stderr
    assert not (tmp_path / "b.dump").exists()


def test_the_real_server_purges_at_start_what_expired_and_keeps_live_sessions(server, tmp_path):
    """Housekeeping in the real process (its first pass runs at start): a sign-in log row older
    than the 30 days and a long-expired session go; a live session and today's log stay."""
    import sqlite3

    wrong = Browser(server)
    wrong.start()
    wrong.password("not the password")  # today's sign-in log row
    server.stop()
    old = int((time.time() - 40 * 86_400) * 1000)
    live = int((time.time() + 3600) * 1000)
    with sqlite3.connect(server.db) as db:
        user_id = db.execute("SELECT id FROM users LIMIT 1").fetchone()[0]
        db.execute("INSERT INTO sign_in_logs (id, created_at, updated_at, user_principal_name, app_display_name, ip_address,"
                   " location, client_app, error_code, steps) VALUES ('old-row', ?, ?, 'x', 'Tandem', '192.0.2.1', '', 'Browser', 0, '[]')",
                   (old, old))
        db.execute("INSERT INTO sessions (id, user_id, methods, created_at, expires_at) VALUES ('old-session', ?, 'pwd', ?, ?)", (user_id, old, old))
        db.execute("INSERT INTO sessions (id, user_id, methods, created_at, expires_at) VALUES ('live-session', ?, 'pwd', ?, ?)", (user_id, old, live))
        today = db.execute("SELECT count(*) FROM sign_in_logs WHERE id != 'old-row'").fetchone()[0]
    assert today >= 1
    server.start()
    deadline = time.monotonic() + 15
    while "housekeeping purged expired records" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "housekeeping purged expired records" in server.log()
    with sqlite3.connect(server.db) as db:
        ids = {row[0] for row in db.execute("SELECT id FROM sessions")}
        assert "old-session" not in ids and "live-session" in ids
        assert db.execute("SELECT count(*) FROM sign_in_logs WHERE id = 'old-row'").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM sign_in_logs").fetchone()[0] == today
