"""The registration campaign after a passkey sign-in, in real Chromium with the WebDriver virtual
authenticator (issue 12, decisions 0033 and 0034): a user whose only second factor is a passkey,
targeted for the Authenticator app, gets "Keep your account secure" after "Sign in with a passkey"
and after passkey autofill, exactly as after a password + push sign-in; and security info names
the passkey as the method system-preferred MFA asks for first."""

import requests

from browser_harness import chrome, e2e, phone  # noqa: F401 (fixtures)
from test_passkeys import add_passkey_then_leave, server, virtual_authenticator  # noqa: F401 (fixture)

POLICY = "/v1.0/policies/authenticationMethodsPolicy"


def policy_admin(server):
    e2e.run([e2e.TANDEM, "users", "add", "policy@contoso.com", "--password", e2e.PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    e2e.run([e2e.TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", "policy@contoso.com", "--database", server.db])
    token = e2e.run([e2e.TANDEM, "admin", "token", "--user", "policy@contoso.com", "--database", server.db]).stdout.strip()
    return {"Authorization": "Bearer " + token}


def test_a_passkey_sign_in_meets_the_campaign_and_security_info_names_the_passkey(chrome, phone):
    server = chrome.server
    e2e.register(server, phone)
    virtual_authenticator(chrome)
    chrome.sign_in_with_push(phone)
    chrome.open("/mysecurityinfo")
    chrome.click("add-passkey")
    chrome.wait(lambda: "done=passkeyAdded" in chrome.driver.current_url, 20, "the passkey is added")
    # Her Authenticator goes: the passkey is her only second factor.
    chrome.click("delete-1")
    chrome.wait(lambda: "done=deleted" in chrome.driver.current_url, 20, "the authenticator is deleted")
    admin = policy_admin(server)
    r = requests.patch(server.url + POLICY, headers=admin, json={"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {
        "state": "enabled", "snoozeDurationInDays": 0,
        "includeTargets": [{"id": "all_users", "targetType": "group", "targetedAuthenticationMethod": "microsoftAuthenticator"}]}}})
    assert r.status_code == 204, r.text
    r = requests.patch(server.url + POLICY, headers=admin, json={"systemCredentialPreferences": {
        "state": "enabled", "includeTargets": [{"id": "all_users", "targetType": "group"}], "excludeTargets": []}})
    assert r.status_code == 204, r.text
    chrome.driver.delete_all_cookies()

    # "Sign in with a passkey" (autofill turned off, as in a browser without it): the prompt.
    chrome.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
        "source": "if (window.PublicKeyCredential && !sessionStorage.autofill) { PublicKeyCredential.isConditionalMediationAvailable = async () => false; }"})
    chrome.open("/login")
    chrome.click("sign-in-passkey")
    chrome.wait_for_path("/login/keep-secure", timeout=20)
    assert chrome.text("heading") == "Keep your account secure"
    assert "Authenticator app" in chrome.text("instructions")
    chrome.check_page()
    chrome.screenshot("prompt", show="campaign-next")
    chrome.click("campaign-snooze")
    chrome.wait_for_path("/", timeout=20)
    assert "alice@contoso.com" in chrome.driver.page_source

    # Security info: system-preferred MFA asks for the passkey first, and the page says so.
    chrome.open("/mysecurityinfo")
    chrome.wait_for_id("system-preferred-method")
    assert chrome.text("system-preferred-method") == "Passkey"
    chrome.screenshot("system-preferred", show="system-preferred")

    # Passkey autofill in the username field: the same prompt (0 days: asked at every sign-in).
    chrome.driver.delete_all_cookies()
    chrome.driver.execute_script("sessionStorage.autofill = '1'")
    chrome.open("/login")
    chrome.wait_for_path("/login/keep-secure", timeout=20)
    assert chrome.text("heading") == "Keep your account secure"
