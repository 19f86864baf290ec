"""Load shedding (issue 17, item 5; decision 0028) against the real `tandem serve`: a flood of new
sign-ins over a low bound is answered 503 with Retry-After (JSON for an API client, the sign-in's
error page for a browser), counted in /metrics, while a phone's answer and the sign-in's
completion in the same moment still go through."""

import json
import threading
import time

import requests

from conftest import PIN, Browser, Server, csrf_of, register

TOKEN = "shedding-metrics-token-0123"


def sample(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split(" ")[-1])
    return None


class Flood:
    """Threads that POST /login (a new sign-in for a name nobody has) back to back until stopped,
    recording every answer with the time it came."""

    def __init__(self, server, threads=48):
        self.server = server
        self.stop = threading.Event()
        self.answers = []  # (time, status, headers, body, wanted_json)
        self.lock = threading.Lock()
        page = requests.get(server.url + "/login")
        self.cookie = page.cookies.get("tandem_csrf")
        self.token = csrf_of(page.text)
        self.threads = [threading.Thread(target=self.run, args=(index,), daemon=True) for index in range(threads)]

    def run(self, index):
        session = requests.Session()
        session.cookies.set("tandem_csrf", self.cookie)
        wants_json = index % 2 == 0
        headers = {"Accept": "application/json"} if wants_json else {"Accept": "text/html"}
        while not self.stop.is_set():
            try:
                r = session.post(self.server.url + "/login", data={"csrf": self.token, "username": f"nobody{index}@contoso.com"},
                                 headers=headers, allow_redirects=False, timeout=30)
            except requests.RequestException:
                continue
            with self.lock:
                self.answers.append((time.monotonic(), r.status_code, dict(r.headers), r.text, wants_json))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def shed(self, start=None, end=None):
        with self.lock:
            return [a for a in self.answers if a[1] == 503 and (start is None or start <= a[0] <= end)]


def test_a_flood_of_new_sign_ins_is_shed_while_a_phone_answer_and_a_completion_go_through(tmp_path, phone):
    server = Server(tmp_path / "server", extra_args=[
        "--max-concurrent-sign-ins", "1", "--request-queue-length", "0", "--request-queue-timeout", "0.5",
        "--metrics-token", TOKEN])
    try:
        register(server, phone)
        browser = Browser(server)
        assert browser.start() == "/login/password"
        assert browser.password().headers["Location"] == "/login/approve"
        number = browser.number()

        with Flood(server) as flood:
            # Wait (generously) until the flood is over the bound, then answer in the same moment.
            deadline = time.monotonic() + 60
            while not flood.shed() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert flood.shed(), "48 concurrent new sign-ins over a bound of 1 were never shed"
            start = time.monotonic()
            out = phone.run("approve", "--number", number, "--pin", PIN)
            completed = browser.complete()
            end = time.monotonic()
            assert "approved" in out.stdout, out.stdout + out.stderr
            assert completed.status_code == 303 and completed.headers["Location"] == "/", completed.text
            time.sleep(0.2)
        assert flood.shed(start, end), "nothing was shed while the phone answered: the answer did not meet the flood"
        assert "Alice Example" in browser.home()

        answers = flood.answers
        shed = [a for a in answers if a[1] == 503]
        others = {a[1] for a in answers if a[1] != 503}
        assert others <= {303}, f"the flood got other answers than 303 and 503: {others}"
        assert len(answers) - len(shed) > 0, "no new sign-in went through at all"
        for _, _, headers, body, wanted_json in shed:
            assert headers.get("Retry-After") == "1", headers
            assert headers.get("Cache-Control") == "no-store"
            if wanted_json:
                assert headers["Content-Type"].startswith("application/json")
                error = json.loads(body)["error"]
                assert error["code"] == "overloaded" and "Wait a second and try again" in error["message"], body
            else:
                assert headers["Content-Type"].startswith("text/html")
                assert "Tandem is busy" in body and "Too many sign-ins" in body and 'href="/login"' in body, body[:500]

        metrics = requests.get(server.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
        counted = sample(metrics, 'tandem_requests_shed_total{class="newSignIn",reason="queueFull"}')
        assert counted == len(shed), (counted, len(shed))
        assert sample(metrics, 'tandem_requests_shed_total{class="completion",reason="queueFull"}') == 0
        assert sample(metrics, 'tandem_requests_shed_total{class="completion",reason="queueTimeout"}') == 0
        assert sample(metrics, 'tandem_requests_in_flight{class="newSignIn"}') == 0
        # An overloaded server still answers its health checks.
        assert requests.get(server.url + "/healthz").status_code == 200
    finally:
        server.stop()


def test_the_limits_are_checked_at_start(tmp_path):
    from conftest import TANDEM, run
    for flags, message in ((["--max-concurrent-sign-ins", "0"], "--max-concurrent-sign-ins must be between 1 and 100000"),
                           (["--request-queue-timeout", "61"], "--request-queue-timeout must be between 0.01 and 60 seconds")):
        result = run([TANDEM, "serve", "--port", "0", "--database", str(tmp_path / "x.sqlite"), *flags], check=False)
        assert result.returncode != 0
        assert message in result.stdout + result.stderr, result.stdout + result.stderr
