"""End to end (issue 12, decisions 0033 and 0034): the leftovers of the registration campaign and
system-preferred MFA over real HTTP, with Python `fido2` + `cryptography` as the passkey.

- A passkey one-step sign-in (username page) goes through the same completion as any other
  multi-factor sign-in: the campaign's prompt appears when the user lacks the targeted method,
  and not when they have it.
- Security info names the method system-preferred MFA asks for first, as the sign-in does."""

import re

import requests

from conftest import PASSWORD, PIN, Browser, csrf_of, register
from test_passkeys import SoftwareAuthenticator, finish, localhost_server, options, page_csrf, passkey_attempt  # noqa: F401
from test_registration_campaign import FIELD, POLICY, policy_admin


def set_campaign(server, admin, method):
    r = requests.patch(server.url + POLICY, headers=admin, json={FIELD: {"authenticationMethodsRegistrationCampaign": {
        "state": "enabled", "snoozeDurationInDays": 0, "enforceRegistrationAfterAllowedSnoozes": True,
        "includeTargets": [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": method}]}}})
    assert r.status_code == 204, r.text


def alice_with_a_passkey(server, phone):
    """Alice with the Authenticator and a passkey; returns her signed-in browser and the passkey."""
    browser = register(server, phone)
    page_csrf(browser)
    o = options(browser).json()
    authenticator = SoftwareAuthenticator()
    assert finish(browser, authenticator.create(o, server.public_url)).status_code == 201
    return browser, authenticator, o["user"]["id"]


def signed_in(browser):
    return browser.http.get(browser.url("/"), allow_redirects=False).status_code == 200


def test_a_passkey_sign_in_gets_the_campaign_prompt_unless_the_user_has_the_method(localhost_server, phone):
    server = localhost_server
    browser, authenticator, handle = alice_with_a_passkey(server, phone)
    # Alice deletes her Authenticator: a passkey is now her only second factor.
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    device = re.search(r'action="/mysecurityinfo/devices/([^/"]+)/delete"', page).group(1)
    browser.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert browser.post(f"/mysecurityinfo/devices/{device}/delete").headers["Location"] == "/mysecurityinfo?done=deleted"
    admin = policy_admin(server)

    # The campaign targets the Authenticator, which she no longer has: the passkey sign-in asks.
    set_campaign(server, admin, "microsoftAuthenticator")
    passkey, r, _ = passkey_attempt(server, authenticator, handle, counter=1)
    assert r.status_code == 200 and r.json() == {"next": "/login/complete"}, r.text
    done = passkey.complete()
    assert done.status_code == 303 and done.headers["Location"] == "/login/keep-secure", (done.status_code, done.headers.get("Location"))
    assert not signed_in(passkey), "no session before the prompt is answered"
    page = passkey.http.get(passkey.url("/login/keep-secure")).text
    assert "Keep your account secure" in page and "Authenticator" in page and 'id="campaign-snooze"' in page
    passkey.csrf = csrf_of(page)
    r = passkey.post("/login/keep-secure/snooze")
    assert r.status_code == 303 and r.headers["Location"] == "/", r.text
    assert signed_in(passkey)
    assert re.search(r"(hwk|swk)", passkey.home()), "the session is the passkey's"

    # Targeted for passkeys, which she has: the passkey sign-in completes with no prompt.
    set_campaign(server, admin, "fido2")
    passkey, r, _ = passkey_attempt(server, authenticator, handle, counter=2)
    assert r.status_code == 200, r.text
    done = passkey.complete()
    assert done.status_code == 303 and done.headers["Location"] == "/", done.headers.get("Location")
    assert signed_in(passkey)


def after_password(server):
    browser = Browser(server)
    assert browser.start() == "/login/password"
    r = browser.password()
    assert r.status_code == 303, r.text
    return browser, r.headers["Location"]


def test_security_info_names_the_system_preferred_method_the_sign_in_asks_for_first(localhost_server, phone):
    server = localhost_server
    browser, authenticator, handle = alice_with_a_passkey(server, phone)
    admin = policy_admin(server)
    users = requests.get(server.url + "/v1.0/users", headers=admin).json()["value"]
    alice = next(u["id"] for u in users if u["userPrincipalName"] == "alice@contoso.com")

    # Off (the default state): the user's own default method, labelled as before, nothing else.
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    assert '<label for="default-method">Default sign-in method</label>' in page
    assert 'id="system-preferred"' not in page

    # On: the passkey goes first after the password, and security info says so (Entra's wording).
    r = requests.patch(server.url + POLICY, headers=admin, json={"systemCredentialPreferences": {
        "state": "enabled", "includeTargets": [{"id": "all_users", "targetType": "group"}], "excludeTargets": []}})
    assert r.status_code == 204, r.text
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    shown = re.search(r'<strong id="system-preferred-method">([^<]+)</strong>', page)
    assert shown and shown.group(1) == "Passkey", page
    assert "Default sign-in method: <strong" in page
    assert '<label for="default-method">Sign-in method when most advisable is unavailable</label>' in page
    preferences = requests.get(server.url + f"/v1.0/users/{alice}/authentication/signInPreferences", headers=admin).json()
    assert preferences["systemPreferredAuthenticationMethod"] == "fido2", preferences
    assert after_password(server)[1] == "/login/verify-passkey", "the sign-in asks for what the page names"

    # Without the passkey: the notification is the strongest she has, on the page and in the sign-in.
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    passkey_id = re.search(r'action="/mysecurityinfo/passkeys/([^/"]+)/delete"', page).group(1)
    browser.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert browser.post(f"/mysecurityinfo/passkeys/{passkey_id}/delete").status_code == 303
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    shown = re.search(r'<strong id="system-preferred-method">([^<]+)</strong>', page)
    assert shown and shown.group(1) == "Authenticator – notification", page
    waiting, location = after_password(server)
    assert location == "/login/approve", location
    phone.run("approve", "--number", waiting.number(), "--pin", PIN)
    assert waiting.complete().headers["Location"] == "/"

    # Excluded: the setting no longer applies to her; the page goes back to her default method.
    r = requests.patch(server.url + POLICY, headers=admin,
                       json={"systemCredentialPreferences": {"excludeTargets": [{"id": alice, "targetType": "user"}]}})
    assert r.status_code == 204, r.text
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    assert 'id="system-preferred"' not in page and '<label for="default-method">Default sign-in method</label>' in page
