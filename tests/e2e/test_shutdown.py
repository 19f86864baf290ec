"""Issue 17, item 3, against the real server: SIGTERM while a phone holds its push channel, a
browser waits on a long-poll and an attacker holds a half-sent request head and a silent
WebSocket. The phone is told to go away (and reconnects), the process exits 0 within the bound,
and what was confirmed before is still there after the restart."""

import base64
import os
import signal
import socket
import threading
import time

from conftest import PIN, Browser, register


def test_sigterm_ends_the_channels_and_exits_within_the_bound(make_server, phone):
    server = make_server(extra_args=["--shutdown-timeout", "6"])
    register(server, phone)
    signed_in = Browser(server)
    signed_in.start()
    signed_in.password()
    phone.run("approve", "--number", signed_in.number(), "--pin", PIN)
    assert signed_in.complete().headers["Location"] == "/"

    listener = phone.spawn("listen")
    try:
        listener.expect("connected")
        # A browser waiting for a push answer (a long-poll in flight).
        waiting = Browser(server)
        waiting.start()
        waiting.password()
        listener.expect("Sign-in request")
        answers = {}

        def long_poll():
            answers["poll"] = waiting.http.get(waiting.url("/login/status?wait=30"), timeout=40).status_code

        def event_stream():
            with waiting.http.get(waiting.url("/login/events"), stream=True, timeout=40) as r:
                answers["events"] = sum(1 for line in r.iter_lines() if line.startswith(b"data:"))

        threads = [threading.Thread(target=f, daemon=True) for f in (long_poll, event_stream)]
        for t in threads:
            t.start()
        # Slow and silent clients.
        half = socket.create_connection(("127.0.0.1", server.port))
        half.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        silent = socket.create_connection(("127.0.0.1", server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        silent.sendall((f"GET /device/v1/connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        time.sleep(0.5)

        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        # The phone hears "going away" at once, not when the process dies.
        listener.expect("reconnecting", timeout=4)
        told_after = time.monotonic() - started
        code = server.process.wait(timeout=20)
        took = time.monotonic() - started
        assert code == 0, server.log()[-2000:]
        assert took < 6 + 2, f"SIGTERM took {took:.1f} s"
        assert told_after < took
        # The long-poll and the event stream in flight were answered, not cut.
        for t in threads:
            t.join(timeout=5)
        assert answers.get("poll") == 200, answers
        assert 1 <= answers.get("events", 0) < 50, answers
        half.close()
        silent.close()

        # Back up: the phone connects again by itself, and the session confirmed before is there.
        server.start()
        listener.expect("connected", timeout=60)
        assert "alice@contoso.com" in signed_in.home()
    finally:
        listener.terminate(force=True)
