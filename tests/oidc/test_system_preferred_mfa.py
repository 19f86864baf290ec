"""System-preferred MFA (issue 12, decision 0033) over real HTTP against `tandem serve`, with the
real `tandem-authenticator` as the phone and a software WebAuthn authenticator built from Python
`fido2` and `cryptography` as the passkey: a user with a passkey and push, whose default method is
push, is offered push after the password while `systemCredentialPreferences` is disabled (or in
its default state) and the passkey first once an administrator enables it through Graph; the
person can still choose the notification instead. Graph PATCH bodies Tandem cannot take get
Graph-style 400s and change nothing."""

import re

import requests

from conftest import PIN, Browser, register
from test_strengths import SoftwareAuthenticator, add_passkey, admin_headers, localhost_server  # noqa: F401 (fixture)

POLICY = "/v1.0/policies/authenticationMethodsPolicy"


def passkey_step(server, browser, authenticator, handle, counter):
    """The passkey step's button: options and the assertion with the flow cookie, then completion."""
    page = browser.http.get(browser.url("/login/verify-passkey")).text
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', page).group(1)
    o = browser.http.post(browser.url("/login/passkey/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    r = browser.http.post(browser.url("/login/passkey"), json=dict({"csrf": csrf}, **authenticator.get(o, server.public_url, counter, handle)),
                          headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return browser.complete()


def after_password(server):
    browser = Browser(server)
    assert browser.start() == "/login/password"
    r = browser.password()
    assert r.status_code == 303, r.text
    return browser, r.headers["Location"]


def test_the_passkey_goes_first_after_the_password_only_while_system_preferred_mfa_is_enabled(localhost_server, phone):
    server = localhost_server
    setup = register(server, phone)
    authenticator = SoftwareAuthenticator()
    handle = add_passkey(server, setup, authenticator)
    admin = admin_headers(server, "policy@contoso.com", "Authentication Policy Administrator")

    policy = requests.get(server.url + POLICY, headers=admin).json()
    assert policy["systemCredentialPreferences"]["state"] == "default", policy
    assert policy["systemCredentialPreferences"]["includeTargets"] == [{"id": "all_users", "targetType": "group"}]

    users = requests.get(server.url + "/v1.0/users", headers=admin).json()["value"]
    alice = next(u["id"] for u in users if u["userPrincipalName"] == "alice@contoso.com")
    preferences = server.url + f"/v1.0/users/{alice}/authentication/signInPreferences"
    r = requests.get(preferences, headers=admin).json()
    assert r["isSystemPreferredAuthenticationMethodEnabled"] is False and r["systemPreferredAuthenticationMethod"] is None, r

    # Default state (read as off) and disabled: the default method (push) goes first, as before.
    for state in [None, "disabled"]:
        if state:
            r = requests.patch(server.url + POLICY, json={"systemCredentialPreferences": {"state": state}}, headers=admin)
            assert r.status_code == 204, r.text
        browser, location = after_password(server)
        assert location == "/login/approve", (state, location)
        phone.run("approve", "--number", browser.number(), "--pin", PIN)
        assert browser.complete().headers["Location"] == "/"

    # Enabled: the passkey first, whatever the default method.
    r = requests.patch(server.url + POLICY, headers=admin, json={"systemCredentialPreferences": {
        "state": "enabled", "includeTargets": [{"id": "all_users", "targetType": "group"}], "excludeTargets": []}})
    assert r.status_code == 204, r.text
    assert requests.get(server.url + POLICY, headers=admin).json()["systemCredentialPreferences"]["state"] == "enabled"
    r = requests.get(preferences, headers=admin).json()
    assert r["isSystemPreferredAuthenticationMethodEnabled"] is True and r["systemPreferredAuthenticationMethod"] == "fido2", r
    browser, location = after_password(server)
    assert location == "/login/verify-passkey", location
    page = browser.http.get(browser.url("/login/verify-passkey")).text
    assert 'id="sign-in-passkey"' in page and 'id="use-notification"' in page and 'id="password"' not in page, page
    assert browser.complete().status_code in (401, 403, 409), "no session before the passkey"
    done = passkey_step(server, browser, authenticator, handle, counter=1)
    assert done.status_code == 303 and done.headers["Location"] == "/", done.text
    assert "alice@contoso.com" in browser.home()

    # The person can still choose another way: the notification from the passkey step.
    browser, location = after_password(server)
    assert location == "/login/verify-passkey"
    browser.csrf = re.search(r'name="csrf" value="([^"]+)"', browser.http.get(browser.url(location)).text).group(1)
    r = browser.post("/login/use-notification")
    assert r.status_code == 303 and r.headers["Location"] == "/login/approve", r.text
    phone.run("approve", "--number", browser.number(), "--pin", PIN)
    assert browser.complete().headers["Location"] == "/"

    # Excluding the user: push first again.
    r = requests.patch(server.url + POLICY, headers=admin,
                       json={"systemCredentialPreferences": {"excludeTargets": [{"id": alice, "targetType": "user"}]}})
    assert r.status_code == 204, r.text
    assert requests.get(preferences, headers=admin).json()["isSystemPreferredAuthenticationMethodEnabled"] is False
    browser, location = after_password(server)
    assert location == "/login/approve", location
    phone.run("approve", "--number", browser.number(), "--pin", PIN)
    assert browser.complete().headers["Location"] == "/"


def test_bad_system_credential_preferences_get_graph_style_400s_and_change_nothing(server):
    admin = admin_headers(server, "policy@contoso.com", "Authentication Policy Administrator")
    reader = admin_headers(server, "helpdesk@contoso.com", "Authentication Administrator")
    before = requests.get(server.url + POLICY, headers=admin).json()["systemCredentialPreferences"]
    bad = [
        {"systemCredentialPreferences": "enabled"},
        {"systemCredentialPreferences": {"state": "sometimes"}},
        {"systemCredentialPreferences": {"state": 1}},
        {"systemCredentialPreferences": {"mode": "strongest"}},
        {"systemCredentialPreferences": {"includeTargets": "all_users"}},
        {"systemCredentialPreferences": {"includeTargets": [{"id": "", "targetType": "group"}]}},
        {"systemCredentialPreferences": {"includeTargets": [{"id": "all_users", "targetType": "device"}]}},
        {"systemCredentialPreferences": {"includeTargets": [{"id": "all_users", "targetType": "user"}]}},
        {"systemCredentialPreferences": {"excludeTargets": [{"id": "all_users", "targetType": "group"}]}},
        {"systemCredentialPreferences": {"excludeTargets": [{"id": "g", "colour": "red"}]}},
        {"systemCredentialPreferences": {"includeTargets": [{"id": f"g{i}"} for i in range(51)]}},
        # One bad part refuses the whole body: the good part is not saved either.
        {"systemCredentialPreferences": {"state": "enabled"}, "reportSuspiciousActivitySettings": {"state": "maybe"}},
        {"systemCredentialPreferences": {"state": "enabled"}, "unknownSetting": True},
    ]
    for body in bad:
        r = requests.patch(server.url + POLICY, json=body, headers=admin)
        assert r.status_code == 400, (body, r.status_code, r.text)
        error = r.json()["error"]
        assert error["code"] and error["message"], r.text
    assert requests.get(server.url + POLICY, headers=admin).json()["systemCredentialPreferences"] == before
    r = requests.patch(server.url + POLICY, data="{not json", headers=dict(admin, **{"Content-Type": "application/json"}))
    assert r.status_code == 400 and r.json()["error"]["code"], r.text
    r = requests.patch(server.url + POLICY, json={"systemCredentialPreferences": {"state": "enabled"}}, headers=reader)
    assert r.status_code == 403, r.text
    assert requests.patch(server.url + POLICY, json={"systemCredentialPreferences": {"state": "enabled"}}).status_code == 401
    assert requests.get(server.url + POLICY, headers=admin).json()["systemCredentialPreferences"] == before
