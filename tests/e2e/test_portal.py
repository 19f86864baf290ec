"""End to end: verification codes from the real authenticator, the remembered sign-in method,
Temporary Access Pass onboarding, the first-start pass, security info."""

import json
import re

from conftest import PASSWORD, PIN, TANDEM, Browser, pending, register, run


def admin(server, *args, check=True):
    return run([TANDEM, "admin", *args, "--database", server.db], check=check)


def codes_on(server):
    admin(server, "policy", "patch", "--body", json.dumps({"isSoftwareOathEnabled": True}))


def code_of(phone, account="alice@contoso.com"):
    out = phone.run("code", account).stdout
    match = re.match(r"(\d{6}) \((\d+) s left\) " + re.escape(account), out)
    assert match, out
    return match.group(1)


def test_a_verification_code_from_the_authenticator_signs_in_once(server, phone):
    codes_on(server)
    register(server, phone)
    assert "codes:on" in phone.run("accounts").stdout
    browser = Browser(server)
    browser.start()
    assert browser.password().headers["Location"] == "/login/approve"
    assert "I can't use my Authenticator app right now" in browser.approve_page()
    assert browser.post("/login/use-code").headers["Location"] == "/login/code"
    assert pending(phone) == [], "the notification is withdrawn"
    page = browser.http.get(browser.url("/login/code")).text
    assert '<label for="code">Code</label>' in page
    code = code_of(phone)
    assert browser.post("/login/code", {"code": code}).headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] == "/"
    assert "mfa, otp, pwd" in browser.home()
    # The same code again, in a new sign-in: refused, and the page says why.
    again = Browser(server)
    again.start()
    again.post("/login/choose-code")
    assert again.password().headers["Location"] == "/login/code"
    r = again.post("/login/code", {"code": code})
    assert r.status_code == 401 and "already used" in r.text
    # The log says what happened, never the code.
    assert code not in server.log()


def test_without_codes_in_the_policy_there_are_none(server, phone):
    register(server, phone)
    assert "codes:off" in phone.run("accounts").stdout
    assert phone.run("code", "alice@contoso.com", check=False).returncode != 0
    browser = Browser(server)
    browser.start()
    browser.password()
    assert "t use my Authenticator app" not in browser.approve_page()


def test_phone_sign_in_the_first_time_then_automatically(server, phone):
    register(server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    browser = Browser(server)
    assert browser.start() == "/login/password", "the first time: the password page with other ways"
    page = browser.http.get(browser.url("/login/password")).text
    assert "Other ways to sign in" in page and "Approve a request on my Authenticator app" in page
    assert browser.post("/login/passwordless").headers["Location"] == "/login/approve"
    assert "approved" in phone.run("approve", "--number", browser.number(), "--pin", PIN).stdout
    assert browser.complete().headers["Location"] == "/"
    assert "tandem_signin_method" in browser.http.cookies
    # Next time, in this browser and in a new one, the phone at once; the password one click away.
    for next_time in (browser, Browser(server)):
        assert next_time.start() == "/login/approve"
        assert "Use your password instead" in next_time.approve_page()
        assert next_time.post("/login/use-password").headers["Location"] == "/login/password"


def test_a_new_sign_in_from_the_same_browser_withdraws_the_unanswered_request(server, phone):
    register(server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    browser = Browser(server)
    assert browser.start_passwordless() == "/login/approve"
    first = pending(phone)
    assert len(first) == 1
    # The same browser starts over: the first request goes, a new one comes.
    assert browser.start_passwordless() == "/login/approve"
    second = pending(phone)
    assert len(second) == 1 and second[0]["id"] != first[0]["id"]
    # Another browser: the password page, saying a request is waiting.
    other = Browser(server)
    assert other.start() == "/login/password"
    assert "already waiting in your Authenticator app" in other.http.get(other.url("/login/password")).text
    assert len(pending(phone)) == 1


def test_temporary_access_pass_onboarding_to_passwordless(server, phone):
    run([TANDEM, "users", "add", "bob@contoso.com", "--display-name", "Bob", "--no-password", "--database", server.db])
    out = admin(server, "tap", "create", "bob@contoso.com", "--one-time", "--lifetime", "60", "--length", "10").stdout
    tap = re.search(r"Temporary Access Pass for bob@contoso.com: (\S+)", out).group(1)
    assert len(tap) == 10
    assert "one-time" in admin(server, "tap", "list", "bob@contoso.com").stdout
    browser = Browser(server)
    assert browser.start("bob@contoso.com") == "/login/password"
    # The same password page as for every name (decision 0013); the field takes the pass.
    page = browser.http.get(browser.url("/login/password")).text
    assert "Enter password" in page and "Have a Temporary Access Pass" in page and "Enter Temporary Access Pass" not in page
    assert browser.password(tap).headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] == "/mysecurityinfo"
    url, activation_id = browser.add_authenticator()
    phone.run("add", url, "--pin", PIN, "--name", "Bob's phone")
    number = browser.registration_status(activation_id)["number"]
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    # The pass is spent; Bob has no password: the phone from now on.
    assert "OneTimeUsed" in admin(server, "tap", "list", "bob@contoso.com").stdout
    again = Browser(server)
    assert again.start("bob@contoso.com") == "/login/approve"
    assert "approved" in phone.run("approve", "--number", again.number(), "--pin", PIN).stdout
    assert again.complete().headers["Location"] == "/"
    assert "pin" in again.home()
    assert tap not in server.log()


def test_the_first_start_prints_a_pass_for_the_administrator(make_server, phone):
    server = make_server(add_user=False)
    log = server.log()
    password = re.search(r"password: (\S+)", log).group(1)
    tap = re.search(r"Temporary Access Pass: (\S+)", log).group(1)
    assert password != tap
    browser = Browser(server)
    assert browser.start("admin@tandem.local") == "/login/password"
    assert browser.password(tap).headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] == "/mysecurityinfo"
    # One sign-in only; the password still works.
    again = Browser(server)
    again.start("admin@tandem.local")
    assert again.password(tap).status_code == 401
    assert again.password(password).headers["Location"] == "/login/complete"


def test_security_info_deletes_a_device_and_its_waiting_request(server, phone, second_phone):
    register(server, phone, name="First")
    browser = register(server, second_phone, name="Second", signed_in_with=phone)
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    assert "First" in page and "Second" in page and "Default sign-in method" in page
    first_id = phone.run("accounts").stdout.split()[0]
    waiting = Browser(server)
    waiting.start()
    waiting.password()
    assert len(pending(phone)) == 1
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert f'action="/mysecurityinfo/devices/{first_id}/delete"' in page
    r = browser.http.post(browser.url(f"/mysecurityinfo/devices/{first_id}/delete"), data={"csrf": csrf}, allow_redirects=False)
    assert r.headers["Location"] == "/mysecurityinfo?done=deleted"
    assert waiting.status()["state"] == "pending", "the second phone can still answer"
    assert phone.run("pending", check=False).returncode != 0, "the deleted phone is refused at once"
    assert len(pending(second_phone)) == 1
    after = browser.http.get(browser.url("/mysecurityinfo")).text
    assert "First" not in after and "Second" in after


def test_a_trusted_ip_password_session_can_neither_add_nor_delete_an_authenticator(server, phone):
    """Decision 0013 (ASVS 5.0 V7.5): changing methods needs a recent multi-factor sign-in."""
    owner = register(server, phone)
    device_id = re.search(r'action="/mysecurityinfo/devices/([^/"]+)/delete"', owner.http.get(owner.url("/mysecurityinfo")).text).group(1)
    admin(server, "mfa-settings", "set", "--trusted-ips", "127.0.0.0/8")
    attacker = Browser(server)
    assert attacker.sign_in_with_password() == "/"   # the trusted range skips the push
    assert "pwd" in attacker.home()
    page = attacker.http.get(attacker.url("/mysecurityinfo")).text
    assert "Verify my identity" in page
    attacker.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    added = attacker.post("/mysecurityinfo/authenticator")
    assert added.status_code == 303 and added.headers["Location"] in ("/login/password", "/login/approve"), added.text
    attacker.csrf = re.search(r'name="csrf" value="([^"]+)"', attacker.http.get(attacker.url("/mysecurityinfo")).text).group(1)
    deleted = attacker.post(f"/mysecurityinfo/devices/{device_id}/delete")
    assert deleted.status_code == 303 and deleted.headers["Location"] != "/mysecurityinfo?done=deleted"
    assert "Phone" in owner.http.get(owner.url("/mysecurityinfo")).text
    assert len(pending(phone)) == 0
    # The step-up asks for the push even from the trusted range; approved, the deletion goes through.
    attacker.csrf = re.search(r'name="csrf" value="([^"]+)"', attacker.http.get(attacker.url("/login/password")).text).group(1)
    assert attacker.password().headers["Location"] == "/login/approve"
    assert "approved" in phone.run("approve", "--number", attacker.number(), "--pin", PIN).stdout
    assert attacker.complete().headers["Location"] == "/mysecurityinfo"
    attacker.csrf = re.search(r'name="csrf" value="([^"]+)"', attacker.http.get(attacker.url("/mysecurityinfo")).text).group(1)
    assert attacker.post(f"/mysecurityinfo/devices/{device_id}/delete").headers["Location"] == "/mysecurityinfo?done=deleted"
    # The deletion ended every other session, the owner's too.
    assert owner.http.get(owner.url("/mysecurityinfo"), allow_redirects=False).headers.get("Location") == "/login"


def test_mfa_turned_off_for_everyone_gives_only_the_registration_interrupt(server, phone):
    """Decision 0013: notifications and codes off leave a covered user no second factor — no session."""
    register(server, phone)
    admin(server, "mfa-settings", "set", "--notification", "off", "--verification-code", "off")
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] == "/mysecurityinfo"
    assert "More information required" in browser.http.get(browser.url("/mysecurityinfo")).text
    assert browser.http.get(browser.url("/"), allow_redirects=False).headers["Location"] == "/login"


def test_verification_code_secrets_are_sealed_at_rest_and_old_plaintext_ones_are_sealed_at_start(server, phone):
    """Decision 0027: the devices table never holds a secret in the clear; a secret an earlier
    version stored in the clear is sealed when `tandem serve` starts, and still gives codes —
    computed here by pyotp, an independent TOTP implementation."""
    import sqlite3

    import pyotp

    codes_on(server)
    register(server, phone)
    with sqlite3.connect(server.db) as db:
        [(device_id, stored)] = db.execute("SELECT id, totp_secret FROM devices WHERE totp_secret IS NOT NULL").fetchall()
    assert stored.startswith("sealed1."), "a new secret is stored sealed"
    # As an earlier version stored it: a secret in the clear (one only pyotp knows here).
    server.stop()
    plain = pyotp.random_base32()
    with sqlite3.connect(server.db) as db:
        db.execute("UPDATE devices SET totp_secret = ?, totp_last_step = NULL WHERE id = ?", (plain, device_id))
    server.start()
    with sqlite3.connect(server.db) as db:
        [(resealed,)] = db.execute("SELECT totp_secret FROM devices WHERE id = ?", (device_id,)).fetchall()
    assert resealed.startswith("sealed1.") and plain not in resealed, resealed
    browser = Browser(server)
    browser.start()
    browser.post("/login/choose-code")
    assert browser.password().headers["Location"] == "/login/code"
    code = pyotp.TOTP(plain).now()
    assert browser.post("/login/code", {"code": code}).headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] == "/"
    assert plain not in server.log() and code not in server.log()


def test_a_pass_does_not_sign_in_while_the_method_configuration_is_off(server, phone):
    """Decision 0036: the TemporaryAccessPass configuration turned off refuses a pass issued before (fail closed)."""
    import requests
    run([TANDEM, "users", "add", "bob@contoso.com", "--display-name", "Bob", "--no-password", "--database", server.db])
    tap = re.search(r"Temporary Access Pass for bob@contoso.com: (\S+)",
                    admin(server, "tap", "create", "bob@contoso.com", "--lifetime", "60").stdout).group(1)
    run([TANDEM, "users", "add", "policy@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", "policy@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "policy@contoso.com", "--database", server.db]).stdout.strip()
    url = server.url + "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"
    headers = {"Authorization": "Bearer " + token}
    assert requests.patch(url, headers=headers, json={"state": "disabled"}).status_code == 204
    browser = Browser(server)
    browser.start("bob@contoso.com")
    r = browser.password(tap)
    assert r.status_code == 401 and r.headers.get("Location") is None, r.text
    assert requests.patch(url, headers=headers, json={"state": "enabled"}).status_code == 204
    again = Browser(server)
    again.start("bob@contoso.com")
    assert again.password(tap).headers["Location"] == "/login/complete"
    assert tap not in server.log()
