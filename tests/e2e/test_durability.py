"""Issue 17 against the real `tandem` binary: a restore without the secret key refuses to start
(item 7) unless the operator says to rotate, and SQLite syncs its WAL before a security change is
confirmed (item 2)."""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import requests

from conftest import PASSWORD, TANDEM, Server, free_port, run

POLICY = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator"


def admin_token(server):
    run([TANDEM, "users", "add", "admin@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", "admin@contoso.com", "--database", server.db])
    return run([TANDEM, "admin", "token", "--user", "admin@contoso.com", "--database", server.db]).stdout.strip()


def signing_keys(server):
    return sorted(key["kid"] for key in requests.get(server.url + "/oauth2/jwks", timeout=5).json()["keys"])


def serve_once(folder, extra=()):
    """`tandem serve` on the restored folder that is expected to exit by itself."""
    port = free_port()
    started = time.monotonic()
    result = subprocess.run([TANDEM, "serve", "--port", str(port), "--data-directory", str(folder), "--bcrypt-cost", "4", *extra],
                            capture_output=True, text=True, timeout=60, cwd=folder)
    return result, time.monotonic() - started, port


def test_a_restore_without_the_secret_key_refuses_to_start_unless_told_to_rotate(server, tmp_path):
    token = admin_token(server)  # seals the admin signing key
    headers = {"Authorization": "Bearer " + token}
    assert requests.get(server.url + POLICY, headers=headers, timeout=5).status_code == 200
    keys_before = signing_keys(server)  # seals the OIDC signing keys (ES256 and RS256, decision 0030)
    assert len(keys_before) == 2
    backup = tmp_path / "backup.sqlite"
    run([TANDEM, "backup", str(backup), "--database", server.db])
    server.stop()

    restored = tmp_path / "restored"
    run([TANDEM, "restore", str(backup), "--data-directory", str(restored)])
    assert not (restored / "tandem.secret-key").exists()

    # Without the key: one line on stderr, a non-zero exit, at once, and nothing listening.
    result, seconds, _ = serve_once(restored)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    # The admin key and the two OIDC keys.
    assert lines[0].startswith("error: 3 signing keys in the database cannot be opened with this secret key"), lines[0]
    assert "--rotate-keys-if-unreadable" in lines[0]
    assert seconds < 20
    assert token not in result.stdout + result.stderr
    # Trying again does not change that (the new key file made on the way does not open them either).
    assert serve_once(restored)[0].returncode != 0

    # With the original key back, the restored server starts and the old admin token still works.
    shutil.copy2(server.folder / "tandem.secret-key", restored / "tandem.secret-key")
    again = Server(restored, database=str(restored / "tandem.sqlite"), add_user=False)
    try:
        assert requests.get(again.url + POLICY, headers=headers, timeout=5).status_code == 200
        assert signing_keys(again) == keys_before
    finally:
        again.stop()

    # Restored again without the key, the operator asks to rotate: it starts, with new keys, and
    # the old token is refused; the replacement is in the audit log.
    rotated_folder = tmp_path / "rotated"
    run([TANDEM, "restore", str(backup), "--data-directory", str(rotated_folder)])
    rotated = Server(rotated_folder, database=str(rotated_folder / "tandem.sqlite"), add_user=False,
                     extra_args=["--rotate-keys-if-unreadable"])
    try:
        assert "were replaced" in rotated.log()
        keys_after = signing_keys(rotated)
        assert keys_after and not set(keys_after) & set(keys_before)
        assert requests.get(rotated.url + POLICY, headers=headers, timeout=5).status_code == 401
        new_token = run([TANDEM, "admin", "token", "--user", "admin@contoso.com", "--database", rotated.db]).stdout.strip()
        audits = requests.get(rotated.url + "/v1.0/auditLogs/directoryAudits", timeout=5,
                              headers={"Authorization": "Bearer " + new_token}).json()["value"]
        assert "Replace signing keys that cannot be opened with the secret key" in [a["activityDisplayName"] for a in audits]
        # The next start, without the flag, finds every key readable.
        rotated.extra_args = []
        rotated.restart()
        assert signing_keys(rotated) == keys_after
    finally:
        rotated.stop()


def test_a_confirmed_policy_change_is_synced_to_disk_before_the_answer(tmp_path):
    """Item 2: with synchronous=FULL SQLite fsyncs the WAL in every commit, so what the server has
    answered survives a power loss. strace shows the order of the real process's system calls:
    the request is read, the WAL is synced, then the 204 is written. (With synchronous=NORMAL
    the WAL was synced only at checkpoints: nothing between the request and its answer; checked.)"""
    folder = tmp_path / "traced"
    folder.mkdir()
    db = str(folder / "tandem.sqlite")
    run([TANDEM, "users", "add", "alice@contoso.com", "--password", PASSWORD, "--database", db, "--bcrypt-cost", "4"])
    probe = Server.__new__(Server)
    probe.db = db
    token = admin_token(probe)
    port = free_port()
    trace = folder / "strace.txt"
    process = subprocess.Popen(["strace", "-f", "-qq", "-s", "48", "-o", str(trace),
                                "-e", "trace=openat,fsync,fdatasync,read,readv,recvfrom,recvmsg,write,writev,sendto,sendmsg",
                                TANDEM, "serve", "--port", str(port), "--database", db, "--bcrypt-cost", "4"],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(url + "/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        assert requests.get(url + POLICY, headers=headers, timeout=10).status_code == 200
        # Not the first commit into a new WAL (SQLite syncs a new WAL's header in any mode): the last one.
        for digits in (4, 5, 3):
            r = requests.patch(url + POLICY, data='{"tandemNumberDigits": %d}' % digits, headers=headers, timeout=10)
            assert r.status_code == 204, r.text
    finally:
        # SIGTERM to the traced server (strace itself would only detach from it), then strace ends.
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        for pid in (children.read_text().split() if children.exists() else []):
            os.kill(int(pid), 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    lines = trace.read_text().splitlines()
    wal_fds = {m.group(1) for line in lines for m in [re.search(r'openat\(.*-wal".*= (\d+)$', line)] if m}
    assert wal_fds, "the server opened its WAL"
    request = max(i for i, line in enumerate(lines) if "PATCH /v1.0/policies" in line)
    answer = next(i for i, line in enumerate(lines) if i > request and "HTTP/1.1 204" in line)
    synced = [line for line in lines[request:answer]
              if re.search(r"\b(fsync|fdatasync)\((\d+)\)", line) and re.search(r"\((\d+)\)", line).group(1) in wal_fds]
    assert synced, "no fsync of the WAL between the PATCH and its 204:\n" + "\n".join(lines[request:answer][-40:])


def test_a_database_held_busy_past_the_timeout_is_a_503_with_retry_after_not_a_500(server):
    """Another process holds SQLite's write lock longer than the 5 s busy timeout: the sign-in's
    write gives up, and the answer says to try again (503, Retry-After) instead of 500; once the
    lock is gone the same request works."""
    import sqlite3
    import threading
    from conftest import csrf_of
    session = requests.Session()
    csrf = csrf_of(session.get(server.url + "/login", timeout=30).text)
    holder = sqlite3.connect(server.db, timeout=1, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Event()

    def release_later():
        time.sleep(9)
        holder.execute("ROLLBACK")
        released.set()

    threading.Thread(target=release_later, daemon=True).start()
    started = time.time()
    r = session.post(server.url + "/login", data={"username": "alice@contoso.com", "csrf": csrf}, allow_redirects=False, timeout=30)
    assert not released.is_set(), "the lock was still held when the server answered"
    assert r.status_code == 503, (r.status_code, r.text[:300])
    assert r.headers.get("Retry-After") == "5"
    assert time.time() - started < 9
    api = requests.get(server.url + "/device/v1/pending", headers={"Accept": "application/json"}, timeout=30)
    assert api.status_code in (401, 503)
    released.wait(15)
    holder.close()
    page = session.get(server.url + "/login", timeout=30)
    assert page.status_code == 200
    assert "unexpected error" not in server.log()
