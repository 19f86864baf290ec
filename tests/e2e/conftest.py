"""End-to-end harness: the real `tandem` server process on a loopback port with a temp SQLite
file, a browser played by `requests` (cookies, forms, redirects), and the real
`tandem-authenticator` command-line app as the phone."""

import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import http.server
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("TANDEM_BIN_DIR", ROOT / ".build" / "debug"))
TANDEM = str(BIN / "tandem")
AUTHENTICATOR = str(BIN / "tandem-authenticator")
PASSWORD = "correct horse battery"
PIN = "739514"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html):
    """The CSRF token a page's forms carry."""
    match = CSRF.search(html)
    assert match, "no CSRF token on the page:\n" + html[:2000]
    return match.group(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `tandem serve` process. `restart()` stops it and starts it again on the same file and port."""

    def __init__(self, folder, challenge_lifetime=120, database=None, public_url=None, add_user=True, extra_args=()):
        self.extra_args = list(extra_args)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.db = database or str(self.folder / "tandem.sqlite")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.public_url = public_url
        self.challenge_lifetime = challenge_lifetime
        self.process = None
        self.log_path = self.folder / "server.log"
        if add_user:
            run([TANDEM, "users", "add", "alice@contoso.com", "--display-name", "Alice Example",
                 "--password", PASSWORD, "--database", self.db, "--bcrypt-cost", "4"])
        self.start()

    def start(self):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [TANDEM, "serve", "--port", str(self.port), "--database", self.db, "--bcrypt-cost", "4",
             "--challenge-lifetime", str(self.challenge_lifetime)]
            + (["--public-url", self.public_url] if self.public_url else []) + self.extra_args,
            cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 90  # a liveness bound: a loaded 2-core machine has taken over 30 s
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("tandem serve exited:\n" + self.log_path.read_text())
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("tandem serve did not start:\n" + self.log_path.read_text())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self):
        self.stop()
        self.start()

    def log(self):
        return self.log_path.read_text()


def run(args, env=None, check=True, input=None):
    result = subprocess.run(args, capture_output=True, text=True, env=env, input=input, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


class Browser:
    """What the browser does: forms, cookies, redirects, the wait for the push."""

    def __init__(self, server):
        self.server = server
        self.http = requests.Session()
        self.csrf = None  # the CSRF token of the page the browser is on

    def url(self, path):
        return self.server.url + path

    def post(self, path, data=None):
        """Submits a form of the current page (with its CSRF token), without following the redirect."""
        fields = dict(data or {})
        fields.setdefault("csrf", self.csrf)
        return self.http.post(self.url(path), data=fields, allow_redirects=False)

    def start(self, username="alice@contoso.com"):
        """The username page, then Next; lands on (and reads the token of) the page it leads to."""
        self.csrf = csrf_of(self.http.get(self.url("/login")).text)
        r = self.post("/login", {"username": username})
        assert r.status_code == 303, r.text
        location = r.headers["Location"]
        self.csrf = csrf_of(self.http.get(self.url(location)).text)
        return location

    def start_passwordless(self, username="alice@contoso.com"):
        """Phone sign-in: the username, then — while the user's last sign-in was not one —
        "Other ways to sign in" → "Approve a request on my Authenticator app" (decision 0010)."""
        location = self.start(username)
        if location == "/login/password":
            r = self.post("/login/passwordless")
            assert r.status_code == 303, r.text
            location = r.headers["Location"]
        return location

    def password(self, password=PASSWORD):
        return self.post("/login/password", {"password": password})

    def approve_page(self):
        r = self.http.get(self.url("/login/approve"))
        assert r.status_code == 200, r.text
        return r.text

    def number(self):
        match = re.search(r'<div class="number" id="number"[^>]*>(\d+)</div>', self.approve_page())
        assert match, "no number on the approve page"
        return match.group(1)

    def status(self, wait=0):
        r = self.http.get(self.url(f"/login/status?wait={wait}"), timeout=40)
        assert r.status_code == 200, r.text
        return r.json()

    def complete(self):
        return self.http.get(self.url("/login/complete"), allow_redirects=False)

    def home(self):
        return self.http.get(self.url("/")).text

    def sign_in_with_password(self):
        """The password alone: a session for a user MFA doesn't cover, else (no method yet) the
        registration interrupt, whose cookie only lets security info add the first method (decision
        0013). Returns where the completion leads ("/" or "/mysecurityinfo")."""
        assert self.start() == "/login/password"
        r = self.password()
        assert r.headers["Location"] == "/login/complete", r.text
        location = self.complete().headers["Location"]
        assert location in ("/", "/mysecurityinfo"), location
        return location

    def sign_in_with_push(self, phone):
        """Password, then the push approved on `phone`: a full session."""
        assert self.start() == "/login/password"
        assert self.password().headers["Location"] == "/login/approve"
        phone.run("approve", "--number", self.number(), "--pin", PIN)
        assert self.complete().headers["Location"] == "/"

    def add_authenticator(self):
        self.csrf = csrf_of(self.http.get(self.url("/mysecurityinfo")).text)
        r = self.http.post(self.url("/mysecurityinfo/authenticator"), data={"csrf": self.csrf})
        assert r.status_code == 200, r.text
        url = re.search(r'<code id="activation-url">([^<]+)</code>', r.text).group(1).replace("&amp;", "&")
        code = re.search(r'<code id="activation-code">([^<]+)</code>', r.text).group(1)
        activation_id = re.search(r'data-activation="([^"]+)"', r.text).group(1)
        assert url.endswith("code=" + code)
        return url, activation_id

    def registration_status(self, activation_id, wait=0):
        r = self.http.get(self.url(f"/mysecurityinfo/authenticator/{activation_id}/status?wait={wait}"), timeout=40)
        assert r.status_code == 200, r.text
        return r.json()


class Authenticator:
    """The real `tandem-authenticator` with its own home folder (one phone)."""

    def __init__(self, folder):
        self.home = str(folder)
        self.env = dict(os.environ, TANDEM_AUTHENTICATOR_HOME=self.home, TANDEM_AUTHENTICATOR_TEST_KDF="1")

    def run(self, *args, check=True, input=None):
        return run([AUTHENTICATOR, "--home", self.home, *args], env=self.env, check=check, input=input)

    def spawn(self, *args):
        import pexpect
        return pexpect.spawn(AUTHENTICATOR, ["--home", self.home, *args], env=self.env, encoding="utf-8", timeout=20)


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "server")
    yield s
    s.stop()


@pytest.fixture
def make_server(tmp_path):
    started = []

    def make(**kwargs):
        s = Server(tmp_path / f"server{len(started)}", **kwargs)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture
def phone(tmp_path):
    return Authenticator(tmp_path / "phone")


@pytest.fixture
def second_phone(tmp_path):
    return Authenticator(tmp_path / "phone2")


def pending(phone):
    """The requests the phone can answer now, as `pending --json` lists them."""
    import json
    return json.loads(phone.run("pending", "--json").stdout)["requests"]


def register(server, phone, name="Phone", signed_in_with=None):
    """Signs in (password, plus a push to `signed_in_with` when the user has an authenticator
    already), adds the authenticator and confirms it with the first push."""
    browser = Browser(server)
    if signed_in_with is None:
        browser.sign_in_with_password()
    else:
        browser.start()
        assert browser.password().headers["Location"] == "/login/approve"
        signed_in_with.run("approve", "--number", browser.number(), "--pin", PIN)
        assert browser.complete().headers["Location"] == "/"
    url, activation_id = browser.add_authenticator()
    out = phone.run("add", url, "--pin", PIN, "--name", name)
    assert "alice@contoso.com" in out.stdout
    status = browser.registration_status(activation_id)
    assert status["state"] == "confirming", status
    out = phone.run("approve", "--number", status["number"], "--pin", PIN)
    assert "approved" in out.stdout
    assert browser.registration_status(activation_id)["state"] == "active"
    if signed_in_with is None:
        # The first method was set up in the registration interrupt: now a real sign-in with it.
        browser.sign_in_with_push(phone)
    return browser


def passwordless_once(server, phone):
    """One phone sign-in the first-time way, so the user's next sign-in starts with the phone."""
    browser = Browser(server)
    assert browser.start_passwordless() == "/login/approve"
    assert "approved" in phone.run("approve", "--number", browser.number(), "--pin", PIN).stdout
    assert browser.complete().headers["Location"] == "/"
    return browser


class RecordingProxy:
    """A loopback HTTP proxy that records requests (bodies, and headers too), for the replay tests."""

    def __init__(self, target):
        self.target = target
        self.bodies = []
        self.requests = []  # (method, path, headers, body): what a network attacker sees
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.bodies.append((self.command, self.path, body))
                proxy.requests.append((self.command, self.path, dict(self.headers.items()), body))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                r = requests.request(self.command, proxy.target + self.path, data=body, headers=headers, allow_redirects=False)
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = do_DELETE = forward

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
