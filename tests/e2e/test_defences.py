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
