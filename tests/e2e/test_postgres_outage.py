"""Issue 17, item 4, against the real server on PostgreSQL: when the database stops answering,
requests fail fast with 503 and Retry-After instead of hanging, and the service recovers by
itself when the database is back. The outage is a loopback TCP proxy in front of the test
cluster that can cut every connection and then either refuse new ones (a stopped server) or
accept them and say nothing (a network partition)."""

import socket
import threading
import time

import requests

from conftest import Browser, Server
from test_multi_instance import postgres_url  # noqa: F401  (the fixture: a fresh schema of the CI cluster)


class CuttableProxy:
    def __init__(self, target_port):
        self.target_port = target_port
        self.mode = "forward"   # forward | refuse | silent
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.open = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
                continue
            if self.mode == "silent":
                with self.lock:
                    self.open.append(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass

    def cut(self, mode):
        self.mode = mode
        with self.lock:
            for s in self.open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.open = []

    def restore(self):
        self.mode = "forward"


def username_step(server):
    """The first step of a sign-in (it reads the user): status and seconds taken."""
    http = requests.Session()
    page = http.get(server.url + "/login", timeout=60).text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    started = time.monotonic()
    r = http.post(server.url + "/login", data={"username": "alice@contoso.com", "csrf": csrf},
                  allow_redirects=False, timeout=60)
    return r, time.monotonic() - started


def test_a_database_outage_answers_503_fast_and_recovers(tmp_path, postgres_url):  # noqa: F811
    port = int(postgres_url.split("@127.0.0.1:")[1].split("/")[0])
    proxy = CuttableProxy(port)
    url = postgres_url.replace(f"@127.0.0.1:{port}/", f"@127.0.0.1:{proxy.port}/")
    server = Server(tmp_path / "server", database=url)
    try:
        ok, _ = username_step(server)
        assert ok.status_code == 303
        for mode in ("refuse", "silent"):
            proxy.cut(mode)
            r, seconds = username_step(server)
            assert r.status_code == 503, (mode, r.status_code, r.text[:300])
            assert r.headers.get("Retry-After") == "5"
            assert seconds < 8, f"{mode}: the request waited {seconds:.1f} s"
            api = requests.get(server.url + "/v1.0/users", headers={"Authorization": "Bearer x"}, timeout=60)
            assert api.status_code in (401, 503)   # the token check reads the store
            proxy.restore()
            deadline = time.monotonic() + 30
            while True:
                r, _ = username_step(server)
                if r.status_code == 303 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert r.status_code == 303, f"did not recover after the {mode} outage"
        assert server.process.poll() is None
    finally:
        server.stop()
