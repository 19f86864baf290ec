"""End to end (issue 12, decision 0034): Entra's registration campaign. An administrator turns it on
through Graph's registrationEnforcement; after each multi-factor sign-in a user without the
targeted method gets "Keep your account secure" before the session; "Not now" is counted on the
server, three times, then only "Next" remains; nothing completes the sign-in around the prompt."""

import re
import sqlite3

import requests

from conftest import PASSWORD, PIN, TANDEM, Browser, csrf_of, register, run

POLICY = "/v1.0/policies/authenticationMethodsPolicy"
FIELD = "registrationEnforcement"


def policy_admin(server):
    run([TANDEM, "users", "add", "policy@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", "policy@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "policy@contoso.com", "--database", server.db]).stdout.strip()
    return {"Authorization": "Bearer " + token}


def campaign(server, headers):
    return requests.get(server.url + POLICY, headers=headers).json()[FIELD]["authenticationMethodsRegistrationCampaign"]


def mfa_sign_in(server, phone):
    """Password, then the push approved: returns the browser and where /login/complete sends it."""
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/approve"
    assert "approved" in phone.run("approve", "--number", browser.number(), "--pin", PIN).stdout
    return browser, browser.complete().headers["Location"]


def signed_in(browser):
    return browser.http.get(browser.url("/"), allow_redirects=False).status_code == 200


def test_the_campaign_asks_after_mfa_counts_three_snoozes_then_insists(server, phone):
    register(server, phone)
    admin = policy_admin(server)
    assert campaign(server, admin)["state"] == "default"
    assert mfa_sign_in(server, phone)[1] == "/", "off by default: no prompt"

    # Bad bodies: 400 with Graph's error, nothing saved.
    for bad in [{"snoozeDurationInDays": 15}, {"snoozeDurationInDays": -1}, {"state": "on"},
                {"includeTargets": [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "sms"}]},
                {"includeTargets": [{"id": "all_users", "targetType": "user"}]},
                {"excludeTargets": [{"id": "all_users", "targetType": "group"}]}, {"nonsense": 1}]:
        r = requests.patch(server.url + POLICY, headers=admin, json={FIELD: {"authenticationMethodsRegistrationCampaign": bad}})
        assert r.status_code == 400 and r.json()["error"]["code"], (bad, r.text)
    assert campaign(server, admin)["state"] == "default"
    assert requests.patch(server.url + POLICY, json={FIELD: {}}).status_code == 401

    # Passkeys for everyone, a prompt at every MFA sign-in (0 days), enforced after 3 snoozes.
    r = requests.patch(server.url + POLICY, headers=admin, json={FIELD: {"authenticationMethodsRegistrationCampaign": {
        "state": "enabled", "snoozeDurationInDays": 0, "enforceRegistrationAfterAllowedSnoozes": True,
        "includeTargets": [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "fido2"}]}}})
    assert r.status_code == 204, r.text
    saved = campaign(server, admin)
    assert saved["state"] == "enabled" and saved["snoozeDurationInDays"] == 0
    assert saved["includeTargets"] == [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "fido2"}]

    for snooze in range(1, 4):
        browser, location = mfa_sign_in(server, phone)
        assert location == "/login/keep-secure", location
        assert not signed_in(browser), "no session before the prompt is answered"
        page = browser.http.get(browser.url("/login/keep-secure")).text
        assert "Keep your account secure" in page and "add a passkey" in page and 'id="campaign-snooze"' in page
        browser.csrf = csrf_of(page)
        assert browser.post("/login/keep-secure/snooze", {"csrf": ""}).status_code in (400, 403), "no CSRF token: refused"
        r = browser.post("/login/keep-secure/snooze")
        assert r.status_code == 303 and r.headers["Location"] == "/", (snooze, r.text)
        assert signed_in(browser)
        assert browser.post("/login/keep-secure/snooze").status_code in (303, 401, 403), "the flow is finished"

    # The fourth time: no "Not now"; refused if posted anyway; /login/complete does not go round it.
    browser, location = mfa_sign_in(server, phone)
    assert location == "/login/keep-secure"
    page = browser.http.get(browser.url("/login/keep-secure")).text
    assert 'id="campaign-snooze"' not in page and 'id="campaign-required"' in page
    browser.csrf = csrf_of(page)
    assert browser.post("/login/keep-secure/snooze").status_code == 403
    with sqlite3.connect(server.db) as db:
        assert db.execute("SELECT snoozes FROM registration_campaign_snoozes").fetchall() == [(3,)], "counted on the server, bounded"
    assert browser.complete().headers["Location"] == "/login/keep-secure"
    assert not signed_in(browser)
    r = browser.post("/login/keep-secure/next")
    assert r.status_code == 303 and r.headers["Location"] == "/mysecurityinfo?campaign=1", r.text
    assert signed_in(browser)
    assert "passkey" in browser.http.get(browser.url("/mysecurityinfo?campaign=1")).text.lower()

    # Excluded: no prompt. The audit log has each change.
    users = requests.get(server.url + "/v1.0/users", headers=admin).json()["value"]
    alice = next(u["id"] for u in users if u["userPrincipalName"] == "alice@contoso.com")
    r = requests.patch(server.url + POLICY, headers=admin, json={FIELD: {"authenticationMethodsRegistrationCampaign": {
        "excludeTargets": [{"id": alice, "targetType": "user"}]}}})
    assert r.status_code == 204, r.text
    assert mfa_sign_in(server, phone)[1] == "/"
    audits = requests.get(server.url + "/v1.0/auditLogs/directoryAudits", headers=admin).json()["value"]
    assert sum(1 for a in audits if "Registration campaign" in str(a.get("targetResources"))) == 2


def test_a_password_only_sign_in_and_a_user_with_the_method_are_not_asked(server, phone):
    register(server, phone)
    admin = policy_admin(server)
    r = requests.patch(server.url + POLICY, headers=admin, json={FIELD: {"authenticationMethodsRegistrationCampaign": {
        "state": "enabled", "snoozeDurationInDays": 0,
        "includeTargets": [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}]}}})
    assert r.status_code == 204, r.text
    # Alice has the Authenticator: nothing to ask.
    assert mfa_sign_in(server, phone)[1] == "/"
    # A password-only sign-in (trusted range) is no MFA sign-in: no prompt.
    run([TANDEM, "admin", "mfa-settings", "set", "--trusted-ips", "127.0.0.0/8", "--database", server.db])
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] == "/"
    assert re.search(r"pwd", browser.home())
