"""End to end (issue 12, decision 0031): "I want to use a different authenticator app". The codes
come from `oathtool` (OATH Toolkit), an independent TOTP implementation, reading the secret the
page shows once; the sign-in, Graph's softwareOathMethods and the boundaries run over real HTTP."""

import html
import re
import sqlite3
import subprocess
import time
from urllib.parse import parse_qs, urlparse

import requests

from conftest import PASSWORD, TANDEM, Browser, csrf_of, register, run
from test_portal import codes_on


def oathtool(secret, offset=0):
    """The app's code now (or `offset` seconds from now), from OATH Toolkit."""
    args = ["oathtool", "--totp", "-b", secret] + ([f"--now=@{int(time.time()) + offset}"] if offset else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def admin_headers(server):
    run([TANDEM, "users", "add", "admin@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Administrator", "admin@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "admin@contoso.com", "--database", server.db]).stdout.strip()
    return {"Authorization": "Bearer " + token}


def begin(browser):
    """Security info → Add sign-in method → "I want to use a different authenticator app"."""
    browser.csrf = csrf_of(browser.http.get(browser.url("/mysecurityinfo")).text)
    page = browser.http.post(browser.url("/mysecurityinfo/authenticator"), data={"csrf": browser.csrf}).text
    assert 'id="other-app"' in page and "I want to use a different authenticator app" in page
    other_csrf = re.search(r'<form method="post" action="/mysecurityinfo/software-oath" id="other-app-form">\s*'
                           r'<input type="hidden" name="csrf" value="([^"]+)">', page).group(1)
    r = browser.http.post(browser.url("/mysecurityinfo/software-oath"), data={"csrf": other_csrf}, allow_redirects=False)
    assert r.status_code == 200, r.text
    return r.text, other_csrf


def shown(page):
    secret = re.search(r'<code id="secret-key">([A-Z2-7]+)</code>', page).group(1)
    uri = html.unescape(re.search(r'<a href="([^"]+)" id="key-uri"', page).group(1))
    pending_id = re.search(r'name="pending" value="([^"]+)"', page).group(1)
    return secret, uri, pending_id


def test_another_authenticator_app_is_added_with_its_first_code_and_signs_in_once(server, phone):
    codes_on(server)
    browser = register(server, phone)  # password + push just now: may change methods
    page, csrf = begin(browser)
    assert '<figure class="qr" id="qr"><svg' in page, "the QR code"
    secret, uri, pending_id = shown(page)
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert parse_qs(parsed.query)["secret"] == [secret] and "alice@contoso.com" in parsed.path

    # The secret stays on the server, sealed; the form names the pending method only.
    with sqlite3.connect(server.db) as db:
        [(stored, state)] = db.execute("SELECT secret, state FROM software_oath_methods").fetchall()
    assert stored.startswith("sealed1.") and secret not in stored and state == "pending"
    assert "Authenticator app – verification code (another app)" not in browser.http.get(browser.url("/mysecurityinfo")).text

    # A wrong code adds nothing; the secret is not shown again.
    right = oathtool(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    r = browser.http.post(browser.url("/mysecurityinfo/software-oath/verify"), data={"csrf": csrf, "pending": pending_id, "code": wrong},
                          allow_redirects=False)
    assert r.status_code == 400 and "didn't work" in html.unescape(r.text) and secret not in r.text
    # No CSRF token: refused.
    r = browser.http.post(browser.url("/mysecurityinfo/software-oath/verify"), data={"pending": pending_id, "code": right}, allow_redirects=False)
    assert 400 <= r.status_code < 500 and r.headers.get("Location") != "/mysecurityinfo?done=softwareOathAdded"

    r = browser.http.post(browser.url("/mysecurityinfo/software-oath/verify"), data={"csrf": csrf, "pending": pending_id, "code": right},
                          allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/mysecurityinfo?done=softwareOathAdded", r.text
    info = browser.http.get(browser.url(r.headers["Location"])).text
    assert "Your authenticator app was added." in info and 'id="software-oath-1"' in info
    # Confirmed once: the same pending id again is refused.
    r = browser.http.post(browser.url("/mysecurityinfo/software-oath/verify"),
                          data={"csrf": csrf_of(info), "pending": pending_id, "code": oathtool(secret, 30)}, allow_redirects=False)
    assert r.status_code == 400 and "expired or was already used" in r.text

    # Sign-in: password, then "use a verification code", a code from oathtool (the next step: the
    # first code's step is spent). It works once.
    signin = Browser(server)
    signin.start()
    signin.post("/login/choose-code")
    assert signin.password().headers["Location"] == "/login/code"
    code = oathtool(secret, 30)
    r = signin.post("/login/code", {"code": code})
    assert r.headers.get("Location") == "/login/complete", r.text
    assert signin.complete().headers["Location"] == "/"
    assert "mfa, otp, pwd" in signin.home()
    again = Browser(server)
    again.start()
    again.post("/login/choose-code")
    assert again.password().headers["Location"] == "/login/code"
    r = again.post("/login/code", {"code": code})
    assert r.status_code == 401 and "already used" in r.text

    # Graph: listed without its secret; an Authentication Administrator deletes it (audited).
    headers = admin_headers(server)
    users = requests.get(server.url + "/v1.0/users", headers=headers).json()["value"]
    alice = next(u for u in users if u["userPrincipalName"] == "alice@contoso.com")["id"]
    base = server.url + f"/v1.0/users/{alice}/authentication/softwareOathMethods"
    listed = requests.get(base, headers=headers)
    assert listed.status_code == 200, listed.text
    [method] = listed.json()["value"]
    assert method["@odata.type"] == "#microsoft.graph.softwareOathAuthenticationMethod" and method["secretKey"] is None
    assert method["lastUsedDateTime"] is not None
    everything = requests.get(server.url + f"/v1.0/users/{alice}/authentication/methods", headers=headers).json()["value"]
    assert method["id"] in [m["id"] for m in everything]
    assert secret not in listed.text and secret not in str(everything)
    assert requests.get(base + "/" + method["id"], headers=headers).json()["id"] == method["id"]
    assert requests.get(base + "/nope", headers=headers).status_code == 404
    assert requests.get(base).status_code == 401
    assert requests.delete(base + "/" + method["id"], headers=headers).status_code == 204
    assert requests.get(base, headers=headers).json()["value"] == []
    audits = requests.get(server.url + "/v1.0/auditLogs/directoryAudits", headers=headers).json()["value"]
    names = [a["activityDisplayName"] for a in audits]
    assert "Add software OATH token method" in names and "Delete software OATH token method" in names
    # Deleted: its codes sign in no more, and the user's sessions ended.
    assert signin.http.get(signin.url("/"), allow_redirects=False).headers.get("Location") == "/login"
    later = Browser(server)
    later.start()
    later.post("/login/choose-code")
    later.password()
    r = later.post("/login/code", {"code": oathtool(secret, 60)})
    assert r.status_code == 401, r.text

    # Nothing secret in the log.
    assert secret not in server.log() and code not in server.log()


def test_another_user_and_a_password_only_session_cannot_add_or_confirm(server, phone):
    codes_on(server)
    owner = register(server, phone)
    page, _ = begin(owner)
    secret, _, pending_id = shown(page)

    # Bob, signed in with his password only (MFA does not cover him: no method, the interrupt;
    # with the trusted range, a session): neither his own app nor Alice's pending one.
    run([TANDEM, "users", "add", "bob@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "mfa-settings", "set", "--trusted-ips", "127.0.0.0/8", "--database", server.db])
    bob = Browser(server)
    assert bob.start("bob@contoso.com") == "/login/password"
    assert bob.password().headers["Location"] == "/login/complete"
    assert bob.complete().headers["Location"] in ("/", "/mysecurityinfo")
    bob_csrf = csrf_of(bob.http.get(bob.url("/mysecurityinfo")).text)
    r = bob.http.post(bob.url("/mysecurityinfo/software-oath/verify"), data={"csrf": bob_csrf, "pending": pending_id, "code": oathtool(secret)},
                      allow_redirects=False)
    assert r.status_code in (303, 400, 401, 403) and r.headers.get("Location") != "/mysecurityinfo?done=softwareOathAdded", r.text
    r = bob.http.post(bob.url("/mysecurityinfo/software-oath"), data={"csrf": bob_csrf}, allow_redirects=False)
    assert r.status_code != 200 or 'id="secret-key"' not in r.text

    # Alice's password alone, from the trusted range: no app added, the step-up starts instead.
    attacker = Browser(server)
    assert attacker.sign_in_with_password() == "/"
    assert "pwd" in attacker.home() and "mfa" not in attacker.home()
    attacker_csrf = csrf_of(attacker.http.get(attacker.url("/mysecurityinfo")).text)
    r = attacker.http.post(attacker.url("/mysecurityinfo/software-oath"), data={"csrf": attacker_csrf}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] in ("/login/password", "/login/approve"), r.text
    with sqlite3.connect(server.db) as db:
        assert db.execute("SELECT count(*) FROM software_oath_methods WHERE state = 'active'").fetchone() == (0,)
