"""Issue 15: the README's walkthrough, run as written. Every ```sh block marked
`<!-- readme-test -->` runs in order in one "terminal" (bash with `set -euo pipefail`; the
folder and exported variables carry from one block to the next, as when a reader types them)
with HOME in a temp folder, so `~/tandem` is fresh; the `server` block runs in the background
and must answer /readyz on 127.0.0.1:8080. Each block must exit 0, and every curl in them uses
-f, so a 4xx or 5xx fails it. The binaries come from `swift build` (the test command builds them
first; the README's `swift build` line itself is not re-run)."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from readme_blocks import extract

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
URL = "http://127.0.0.1:8080"


def test_the_markers_find_the_walkthrough():
    blocks = extract(README.read_text())
    assert [b.mode for b in blocks].count("server") == 1
    text = "".join(b.text for b in blocks)
    for command in ("tandem serve", "tandem users add", "tandem admin token", "tandem backup", "tandem admin tap delete", "curl"):
        assert command in text, command
    curls = re.findall(r"\bcurl\b[^\n]*", text)
    assert curls and all(re.search(r"\bcurl -fsS\b", c) for c in curls), curls


def test_extract_rejects_a_marker_without_a_block():
    with pytest.raises(ValueError):
        extract("<!-- readme-test -->\nsome prose\n")
    with pytest.raises(ValueError):
        extract("<!-- readme-test: daemon -->\n```sh\ntrue\n```\n")
    assert [b.text for b in extract("<!-- readme-test -->\n\n```sh\necho hi\n```\n```sh\nnot marked\n```\n")] == ["echo hi\n"]


def port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: closed connections in TIME_WAIT don't count
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def test_readme_walkthrough_runs_as_written(tmp_path):
    assert (ROOT / ".build" / "debug" / "tandem").exists(), "run swift build first (scripts/test does)"
    assert port_is_free(8080), "the README's server listens on 127.0.0.1:8080, which is taken"
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env["HOME"] = str(home)
    state = tmp_path / "terminal.env"   # the terminal: its folder and exported variables
    folder = tmp_path / "terminal.pwd"
    folder.write_text(str(ROOT))        # the reader starts in the clone
    state.write_text("")
    server = None
    server_log = tmp_path / "server.log"
    started = time.monotonic()
    try:
        for block in extract(README.read_text()):
            prologue = f'set -euo pipefail\nsource "{state}"\ncd "$(cat "{folder}")"\n'
            if block.mode == "server":
                server = subprocess.Popen(["bash", "-c", prologue + block.text], env=env, cwd=ROOT,
                                          stdout=open(server_log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
                deadline = time.monotonic() + 30
                while True:
                    assert server.poll() is None, f"README line {block.line}: the server exited:\n{server_log.read_text()}"
                    try:
                        if requests.get(URL + "/readyz", timeout=1).status_code == 200:
                            break
                    except requests.RequestException:
                        pass
                    assert time.monotonic() < deadline, f"README line {block.line}: no /readyz:\n{server_log.read_text()}"
                    time.sleep(0.1)
                continue
            # Readonly variables (SHELLOPTS when a parent exported it) cannot be declared again.
            epilogue = f'\npwd > "{folder}"\n{{ export -p | grep -v "^declare -[a-zA-Z]*r" || true; }} > "{state}"\n'
            result = subprocess.run(["bash", "-c", prologue + block.text + epilogue], env=env, cwd=ROOT,
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, (f"README line {block.line} failed ({result.returncode}):\n{block.text}\n"
                                            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
        data = home / "tandem"
        assert "First start: created the administrator admin@tandem.local" in server_log.read_text()
        assert oct(data.stat().st_mode & 0o777) == "0o700"
        assert oct((data / "tandem.secret-key").stat().st_mode & 0o777) == "0o600"
        assert oct((data / "tandem.sqlite").stat().st_mode & 0o777) == "0o600"
        assert (home / "tandem-backup.sqlite").stat().st_size > 0
        print(f"README walkthrough ran in {time.monotonic() - started:.1f} s")
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
