"""Several `tandem serve` instances on one PostgreSQL: pushes, withdrawals and browser wake-ups
cross instances over LISTEN/NOTIFY, and killing an instance mid-sign-in loses nothing.

Runs when TANDEM_TEST_POSTGRES_URL is set (`source .ci/postgres.sh`); in CI (CI=true) a missing
URL fails these tests instead of skipping them. Each test gets a fresh schema of that database.

The authenticator reaches the servers through a loopback TCP balancer that prefers instance B
and falls back to A when B is gone; the browser talks to A directly unless a test moves it.
"""

import os
import socket
import threading
import time
import uuid

import pytest

from conftest import PIN, Authenticator, Browser, Server, register


@pytest.fixture
def postgres_url():
    url = os.environ.get("TANDEM_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("CI=true but TANDEM_TEST_POSTGRES_URL is not set: .ci/run must source .ci/postgres.sh")
        pytest.skip("TANDEM_TEST_POSTGRES_URL is not set (source .ci/postgres.sh to run the multi-instance tests)")
    schema = "e2e_" + uuid.uuid4().hex[:16]
    return url + ("&" if "?" in url else "?") + "search_path=" + schema


class Balancer:
    """A loopback TCP balancer: each new connection goes to the first backend in `order` that
    accepts it. When a backend dies its connections close, and clients reconnect elsewhere."""

    def __init__(self):
        self.order = []
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.open = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = None
            for port in list(self.order):
                try:
                    upstream = socket.create_connection(("127.0.0.1", port), timeout=2)
                    upstream.settimeout(None)
                    break
                except OSError:
                    continue
            if upstream is None:
                client.close()
                continue
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.closed = True
        self.listener.close()
        for s in self.open:
            try:
                s.close()
            except OSError:
                pass


@pytest.fixture
def cluster(tmp_path, postgres_url):
    """Instances A and B on one database, both advertising the balancer's URL to devices."""
    balancer = Balancer()
    a = Server(tmp_path / "a", database=postgres_url, public_url=balancer.url)
    b = Server(tmp_path / "b", database=postgres_url, public_url=balancer.url, add_user=False)
    balancer.order = [b.port, a.port]
    yield a, b, balancer
    for server in (a, b):
        server.stop()
    balancer.close()


def kill(server):
    server.process.kill()
    server.process.wait(timeout=10)


def answer(listener, number):
    """Types the number and the PIN at the listener's prompts."""
    listener.expect("Enter the number shown in your browser")
    listener.sendline(number)
    listener.expect("PIN: ")
    listener.sendline(PIN)
    listener.expect("approved")


def start_passwordless(cluster, phone):
    """Registers the phone (through the balancer, so on B), turns phone sign-in on, and opens
    `listen` on B. Returns the listener."""
    a, b, _ = cluster
    register(a, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    listener = phone.spawn("listen", "--once")
    listener.expect("connected")
    return listener


def test_a_push_started_on_a_reaches_a_device_on_b_and_the_answer_wakes_the_browser_on_a(cluster, phone):
    a, b, _ = cluster
    listener = start_passwordless(cluster, phone)
    try:
        browser = Browser(a)
        assert browser.start_passwordless() == "/login/approve"
        number = browser.number()
        assert browser.status()["state"] == "pending"

        result = {}

        def wait_on_a():
            started = time.monotonic()
            result["status"] = browser.status(wait=25)
            result["elapsed"] = time.monotonic() - started

        waiter = threading.Thread(target=wait_on_a)
        waiter.start()
        time.sleep(0.3)  # the browser's long-poll is now waiting on A
        listener.expect(r"Sign-in request (\S+)")
        answer(listener, number)
        waiter.join(timeout=30)
        assert result["status"]["state"] == "approved"
        # Woken by B's NOTIFY, not by the end of its 25 s wait.
        assert result["elapsed"] < 15, result
        assert browser.complete().headers["Location"] == "/"
        assert "Alice Example" in browser.home()
    finally:
        listener.terminate(force=True)
    assert "device connected" in b.log() and "device connected" not in a.log()
    assert "push challenge answered" in b.log()


def test_a_withdrawal_on_a_reaches_the_device_on_b(cluster, phone):
    a, b, _ = cluster
    listener = start_passwordless(cluster, phone)
    try:
        browser = Browser(a)
        assert browser.start_passwordless() == "/login/approve"
        listener.expect(r"Sign-in request (\S+)")
        request_id = listener.match.group(1).strip()
        r = browser.post("/login/use-password")
        assert r.headers["Location"] == "/login/password"
        listener.expect("withdrawn " + request_id + r" \(cancelled\)")
    finally:
        listener.terminate(force=True)


def test_killing_the_devices_instance_mid_sign_in_loses_nothing(cluster, phone):
    a, b, _ = cluster
    listener = start_passwordless(cluster, phone)
    try:
        browser = Browser(a)
        assert browser.start_passwordless() == "/login/approve"
        number = browser.number()
        listener.expect(r"Sign-in request (\S+)")
        request_id = listener.match.group(1).strip()
        kill(b)  # the device's instance dies with the request on screen
        listener.expect("reconnecting")
        listener.expect("connected", timeout=30)  # through the balancer, now to A
        answer(listener, number)
    finally:
        listener.terminate(force=True)
    assert browser.status(wait=5)["state"] == "approved"
    assert browser.complete().headers["Location"] == "/"
    assert "device connected" in a.log()
    assert f"tandem.challenge={request_id}" in a.log() and "push challenge answered" in a.log()


def test_killing_the_browsers_instance_mid_sign_in_loses_nothing(cluster, phone):
    a, b, _ = cluster
    listener = start_passwordless(cluster, phone)
    try:
        browser = Browser(a)
        assert browser.start_passwordless() == "/login/approve"
        number = browser.number()
        listener.expect(r"Sign-in request (\S+)")
        kill(a)  # the browser's instance dies; its load balancer sends it to B
        browser.server = b
        assert browser.status()["state"] == "pending"
        assert browser.number() == number
        answer(listener, number)
    finally:
        listener.terminate(force=True)
    assert browser.status(wait=5)["state"] == "approved"
    assert browser.complete().headers["Location"] == "/"
    assert "Alice Example" in browser.home()


def test_a_second_device_on_a_is_told_when_the_first_answers_on_b(cluster, phone, tmp_path):
    a, b, balancer = cluster
    register(a, phone, name="First")
    other = Authenticator(tmp_path / "phone-on-a")
    balancer.order = [a.port, b.port]  # the second phone registers and listens on A
    register(a, other, name="Second", signed_in_with=phone)
    balancer.order = [b.port, a.port]
    on_a = other.spawn("listen")
    try:
        on_a.expect("connected")
        browser = Browser(a)
        browser.start()
        browser.password()
        number = browser.number()
        on_a.expect(r"Sign-in request (\S+)")
        request_id = on_a.match.group(1).strip()
        assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout  # through B
        on_a.expect("withdrawn " + request_id + r" \(answeredElsewhere\)")
    finally:
        on_a.terminate(force=True)
    assert browser.status(wait=5)["state"] == "approved"
