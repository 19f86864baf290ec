"""Defences end to end: "No, it's not me" blocks and alerts through a real webhook, the
administrator sees it in the Graph API and the command line and unblocks; the sign-in log and the
delivery trail explain what happened; a named network is the location the phone shows."""

import http.server
import json
import threading
from urllib.parse import quote

import requests

from conftest import PASSWORD, PIN, TANDEM, Browser, pending, register, run


class Webhook:
    """A loopback HTTP receiver for administrator alerts."""

    def __init__(self):
        self.received = []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.received.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/alerts"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def admin(server, *args, check=True):
    return run([TANDEM, "admin", *args, "--database", server.db], check=check)


def token(server):
    run([TANDEM, "users", "add", "admin@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    admin(server, "roles", "assign", "Global Administrator", "admin@contoso.com")
    return {"Authorization": "Bearer " + admin(server, "token", "--user", "admin@contoso.com").stdout.strip()}


def test_not_me_blocks_alerts_and_an_administrator_unblocks(make_server, phone):
    hook = Webhook()
    try:
        server = make_server(extra_args=["--alert-webhook", hook.url])
        register(server, phone)
        headers = token(server)
        browser = Browser(server)
        browser.start()
        browser.password()
        out = phone.run("report")
        assert "reported" in out.stdout
        assert browser.status(wait=5)["state"] == "reported"
        alert = next(a for a in hook.received if a["event"] == "suspiciousActivityReported")
        assert alert["userPrincipalName"] == "alice@contoso.com" and alert["ipAddress"] == "127.0.0.1"
        # Blocked: the password alone does not get in, and no push goes out.
        again = Browser(server)
        again.start()
        r = again.password()
        assert r.status_code == 423 and "blocked" in r.text
        assert pending(phone) == []
        risky = requests.get(server.url + "/v1.0/identityProtection/riskyUsers", headers=headers).json()["value"]
        assert [u["userPrincipalName"] for u in risky] == ["alice@contoso.com"]
        assert risky[0]["riskLevel"] == "high" and risky[0]["riskState"] == "atRisk" and risky[0]["tandemPushBlocked"]
        assert "alice@contoso.com  blocked" in admin(server, "blocked", "list").stdout
        # The sign-in log says why, with Entra's codes.
        query = quote("userPrincipalName eq 'alice@contoso.com' and status/errorCode ne 0")
        failed = requests.get(server.url + "/v1.0/auditLogs/signIns?$filter=" + query, headers=headers).json()["value"]
        codes = {entry["status"]["errorCode"] for entry in failed}
        assert 53003 in codes
        reported = next(e for e in failed if any(d["authenticationStepResultDetail"] == "MFA denied; user reported fraud"
                                                for d in e["authenticationDetails"]))
        detail = requests.get(server.url + "/v1.0/auditLogs/signIns/" + reported["id"], headers=headers).json()
        trail = [event["event"] for event in detail["tandemPushRequests"][0]["trail"]]
        assert trail[0] == "created" and "listed" in trail and "answered" in trail
        # Unblock through Graph's dismiss, then sign in again.
        user_id = risky[0]["id"]
        r = requests.post(server.url + "/v1.0/identityProtection/riskyUsers/dismiss", json={"userIds": [user_id]}, headers=headers)
        assert r.status_code == 204, r.text
        browser = Browser(server)
        browser.start()
        assert browser.password().headers["Location"] == "/login/approve"
        assert "approved" in phone.run("approve", "--number", browser.number(), "--pin", PIN).stdout
        assert browser.complete().headers["Location"] == "/"
        audits = requests.get(server.url + "/v1.0/auditLogs/directoryAudits?$top=100", headers=headers).json()["value"]
        names = [a["activityDisplayName"] for a in audits]
        assert "User reported suspicious activity" in names and "Dismiss user risk and unblock push sign-in" in names
    finally:
        hook.close()


def test_a_named_network_is_the_location_the_phone_shows(server, phone):
    register(server, phone)
    admin(server, "locations", "add", "Head office, Berlin", "127.0.0.0/8")
    browser = Browser(server)
    browser.start()
    browser.password()
    waiting = pending(phone)
    assert waiting[0]["context"]["location"] == "Head office, Berlin"
    listener = phone.spawn("listen", "--once")
    try:
        listener.expect("Location: Head office, Berlin")
        listener.expect("Enter the number shown in your browser")
        listener.sendline(browser.number())
        listener.expect("PIN: ")
        listener.sendline(PIN)
        listener.expect("approved")
    finally:
        listener.terminate(force=True)
    assert browser.status(wait=5)["state"] == "approved"
    assert "Head office, Berlin" in admin(server, "sign-ins", "--user", "alice@contoso.com").stdout


def test_a_flood_from_the_browser_is_throttled(server, phone):
    register(server, phone)
    admin(server, "protection", "set", "--free-pushes", "2", "--max-pending", "2")
    statuses = []
    for _ in range(12):
        browser = Browser(server)
        browser.start()
        statuses.append(browser.password().status_code)
    assert statuses.count(303) == 2, statuses
    assert statuses.count(429) == 10, statuses
    assert len(pending(phone)) == 2


# Decision 0013 from the attacker's side, against the real server.

class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Connects from a given loopback address (127.0.0.0/8 all reach the server), so one test can
    be several source addresses."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def browser_from(server, address):
    browser = Browser(server)
    browser.http.mount("http://", SourceAddressAdapter(address))
    return browser


def test_350_wrong_passwords_then_the_right_one_does_not_sign_in_and_a_pass_gets_the_user_in(server):
    attacker = browser_from(server, "127.0.0.2")
    assert attacker.start() == "/login/password"
    statuses = [attacker.password(f"guess-{i}").status_code for i in range(350)]
    # Five free, then each checked guess doubles the wait (and the address runs out after 60):
    # of 350 guesses only a handful are ever checked.
    assert statuses[:5] == [401] * 5
    assert set(statuses) == {401, 429} and statuses.count(401) <= 12, statuses
    right = attacker.password(PASSWORD)
    assert right.status_code == 429 and "Location" not in right.headers
    assert "Wait" in right.text or "from your network" in right.text
    # The refused attempts are in the sign-in log as 50053, the wrong ones as 50126.
    log = admin(server, "sign-ins", "--user", "alice@contoso.com", "--top", "400").stdout
    assert "failure 50053" in log and "Password: failed (Incorrect password)" in log
    # The user, from their own address, with the pass their administrator gives them.
    out = admin(server, "tap", "create", "alice@contoso.com", "--lifetime", "60").stdout
    import re
    tap = re.search(r"Temporary Access Pass for alice@contoso.com: (\S+)", out).group(1)
    user = browser_from(server, "127.0.0.3")
    assert user.start() == "/login/password"
    assert user.password(tap).headers["Location"] == "/login/complete"
    again = browser_from(server, "127.0.0.3")
    again.start()
    assert again.password(PASSWORD).headers["Location"] == "/login/complete"   # the pass ended the wait
    assert tap not in server.log()


def test_one_address_spraying_names_is_throttled_and_another_is_not(server):
    sprayer = browser_from(server, "127.0.0.4")
    statuses, refused = [], None
    for i in range(70):
        sprayer.start(f"user{i}@contoso.com")
        r = sprayer.password("Summer2026!")
        statuses.append(r.status_code)
        if r.status_code == 429:
            refused = r.text
    assert statuses[:60] == [401] * 60
    assert statuses[60:].count(429) >= 5, statuses   # a token back per second
    # The refusal's page (not the next attempt's: on a loaded machine a second may have refilled a token).
    assert "from your network" in refused
    other = browser_from(server, "127.0.0.5")
    other.start()
    assert other.password(PASSWORD).headers["Location"] == "/login/complete"


def test_an_anonymous_flood_of_phone_sign_in_requests_cannot_lock_the_user(make_server, phone):
    import time
    server = make_server(challenge_lifetime=5)
    register(server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    sent = 0
    for round_ in range(4):
        flooders = []
        for i in range(10):
            flooder = browser_from(server, f"127.0.1.{round_ * 10 + i + 1}")
            location = flooder.start()
            if location == "/login/password":
                r = flooder.post("/login/passwordless")
                assert r.status_code in (303, 429), r.text   # 429: the flood's own waits
                location = r.headers.get("Location")
            if location == "/login/approve":
                sent += 1
                flooders.append(flooder)
        time.sleep(5.5)   # nobody answers: they time out, delivered or not
        for flooder in flooders:
            assert flooder.status()["state"] == "expired"
    assert sent >= 3
    # Nothing is locked, and the push after the password isn't delayed by the flood.
    assert "no blocked or risky users" in admin(server, "blocked", "list").stdout
    user = Browser(server)
    assert user.start() == "/login/password"
    assert user.password().headers["Location"] == "/login/approve"
    assert "approved" in phone.run("approve", "--number", user.number(), "--pin", PIN).stdout
    assert user.complete().headers["Location"] == "/"
