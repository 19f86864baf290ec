"""Issue 10, findings 9, 10 and 13 against the real `tandem serve` process: no secret in the log at
debug or trace, slow and silent clients cannot take the service down, and the headers and
metrics token seen from outside."""

import base64
import http.client
import os
import socket
import sqlite3
import time

import pytest
import requests

from conftest import PASSWORD, PIN, TANDEM, Browser, register, run


def health_from(server, source="127.0.0.2", timeout=3):
    """GET /health from another loopback address (the attacker's connections all come from 127.0.0.1)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout, source_address=(source, 0))
    try:
        started = time.monotonic()
        connection.request("GET", "/health")
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def is_closed(sock, within):
    """Whether the server closes `sock` within `within` seconds (reads until EOF or a reset)."""
    sock.settimeout(0.2)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
            if data == b"":
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


@pytest.mark.parametrize("level", ["debug", "trace"])
def test_no_secret_reaches_the_log_at_debug_or_trace(make_server, phone, level):
    server = make_server(extra_args=["--log-level", level])
    browser = register(server, phone)
    activation_url, _ = browser.add_authenticator()   # an activation code that is never used
    signed_in = Browser(server)
    signed_in.start()
    assert signed_in.password().headers["Location"] == "/login/approve"
    number = signed_in.number()
    phone.run("approve", "--number", number, "--pin", PIN)
    assert signed_in.complete().headers["Location"] == "/"
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()
    assert requests.get(server.url + "/v1.0/users", headers={"Authorization": "Bearer " + token}).status_code == 200
    tap = run([TANDEM, "admin", "tap", "create", "alice@contoso.com", "--database", server.db]).stdout
    time.sleep(0.5)  # let the server flush its log

    with sqlite3.connect(server.db) as db:
        challenges = db.execute("SELECT number, nonce FROM challenges").fetchall()
    assert len(challenges) >= 2
    secrets = {"password": PASSWORD, "PIN": PIN, "admin token": token,
               "activation code": activation_url.split("code=")[1]}
    for i, (num, nonce) in enumerate(challenges):
        secrets[f"nonce {i}"] = nonce
        if len(num) >= 2:
            secrets[f"number {i}"] = f'"{num}"'   # a 2-digit number appears everywhere as digits; quoted it is a value
    secrets["temporary access pass"] = tap.split("\n")[0].rsplit(": ", 1)[1].strip()
    for jar in (browser.http.cookies, signed_in.http.cookies):
        for cookie in jar:
            secrets["cookie " + cookie.name] = cookie.value

    log = server.log()
    if level == "trace":
        assert " trace " in log, "the server did not log at trace at all"
    for name, value in secrets.items():
        assert value not in log, f"{name} reached the log at {level}"


def test_silent_connections_are_closed_and_capped_per_address(make_server):
    server = make_server(extra_args=["--header-timeout", "2", "--max-connections-per-address", "50"])
    silent = []
    for _ in range(300):
        sock = socket.create_connection(("127.0.0.1", server.port))
        silent.append(sock)
    # Another address is served at once while 127.0.0.1 holds its cap.
    status, seconds = health_from(server)
    assert status == 200 and seconds < 2
    # Over the cap, connections were closed as soon as they were accepted.
    closed_at_once = sum(is_closed(s, 0.05) for s in silent[100:])
    assert closed_at_once >= 150
    # The rest are closed by the header deadline (2 s), none kept for long.
    assert all(is_closed(s, 6) for s in silent)
    for s in silent:
        s.close()
    assert requests.get(server.url + "/health", timeout=3).status_code == 200


def test_a_slow_request_head_is_cut_off(make_server):
    server = make_server(extra_args=["--header-timeout", "2"])
    sock = socket.create_connection(("127.0.0.1", server.port))
    started = time.monotonic()
    closed = False
    for byte in b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40:
        try:
            sock.send(bytes([byte]))
        except OSError:
            closed = True
            break
        if is_closed(sock, 0.25):
            closed = True
            break
    assert closed, "a head sent one byte at a time was never cut off"
    assert time.monotonic() - started < 6
    sock.close()
    assert requests.get(server.url + "/health", timeout=3).status_code == 200


def websocket_upgrade(port):
    sock = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /device/v1/connect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    sock.settimeout(5)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, "closed during the upgrade"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock, head.split(b"\r\n\r\n", 1)[1]


def test_websockets_that_never_authenticate_are_closed(make_server):
    server = make_server(extra_args=["--header-timeout", "2", "--max-connections-per-address", "1000"])
    sockets = [websocket_upgrade(server.port) for _ in range(200)]
    status, seconds = health_from(server, source="127.0.0.1")
    assert status == 200 and seconds < 2
    for sock, early in sockets:
        data = early
        sock.settimeout(8)
        deadline = time.monotonic() + 8
        while b"authentication timed out" not in data and time.monotonic() < deadline:
            try:
                chunk = sock.recv(4096)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
        assert b'"type":"hello"' in data
        assert b"authentication timed out" in data, "an unauthenticated push channel was left open"
        sock.close()


def test_metrics_need_the_token(make_server):
    token = "scrape-token-0123456789abcdef"
    server = make_server(extra_args=["--metrics-token", token])
    assert requests.get(server.url + "/metrics").status_code == 401
    assert requests.get(server.url + "/metrics", headers={"Authorization": "Bearer nope-nope-nope-nope"}).status_code == 401
    ok = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer " + token})
    assert ok.status_code == 200 and "tandem_sign_ins_total" in ok.text
    assert token not in server.log()


def test_pages_carry_the_security_headers(server):
    r = requests.get(server.url + "/login")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
