"""The strength interrupt in real Chromium with the WebDriver virtual authenticator (decision
0027): an administrator requires Phishing-resistant MFA for everyone; Alice, who has only the
Authenticator app, signs in with password + push, is sent to add a passkey instead of a session,
adds it on the interrupt page (navigator.credentials.create()) and finishes the same sign-in with
it (navigator.credentials.get()). The page says why at each step."""

import requests

from browser_harness import chrome, e2e, phone  # noqa: F401 (fixtures)
from test_passkeys import server, virtual_authenticator  # noqa: F401 (fixture)

PHR = "00000000-0000-0000-0000-000000000004"


def require_phishing_resistant_mfa(server):
    name = "policy@contoso.com"
    e2e.run([e2e.TANDEM, "users", "add", name, "--password", "pw-" + name, "--database", server.db, "--bcrypt-cost", "4"])
    e2e.run([e2e.TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", name, "--database", server.db])
    token = e2e.run([e2e.TANDEM, "admin", "token", "--user", name, "--database", server.db]).stdout.strip()
    body = {"displayName": "Everyone with a passkey", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": []}, "applications": {"includeApplications": ["All"]}},
            "grantControls": {"authenticationStrength": {"id": PHR}}}
    r = requests.post(server.url + "/v1.0/identity/conditionalAccess/policies", json=body, headers={"Authorization": "Bearer " + token})
    assert r.status_code == 201, r.text


def test_a_user_without_a_passkey_adds_one_in_the_sign_in_and_finishes_with_it(chrome, phone):
    e2e.register(chrome.server, phone)  # push only
    require_phishing_resistant_mfa(chrome.server)
    chrome.driver.delete_all_cookies()
    virtual_authenticator(chrome)
    chrome.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
        "source": "if (window.PublicKeyCredential) { PublicKeyCredential.isConditionalMediationAvailable = async () => false; }"})
    chrome.open("/login")
    chrome.type_into("username", "alice@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/password")
    assert "requires a passkey" in chrome.text("strength-notice")
    chrome.screenshot("password", show="strength-notice")
    chrome.type_into("password", e2e.PASSWORD)
    chrome.click("signin")
    chrome.wait_for_path("/login/approve")
    assert "approved" in phone.run("approve", "--number", chrome.number(), "--pin", e2e.PIN).stdout
    # No session: the interrupt page instead of the home page.
    chrome.wait_for_path("/login/enrol", timeout=30)
    assert "requires a passkey" in chrome.text("strength-notice")
    assert not any(c["name"] == "tandem_session" for c in chrome.driver.get_cookies())
    chrome.check_page()
    chrome.screenshot("enrol", show="add-passkey")
    chrome.type_into("passkey-name", "Chromium laptop")
    chrome.click("add-passkey")
    chrome.wait(lambda: "added=1" in chrome.driver.current_url, 30, "the passkey is added")
    assert chrome.heading() == "Sign in with your new passkey"
    [credential] = chrome.driver.get_credentials()
    assert credential.is_resident_credential and credential.rp_id == "localhost"
    chrome.click("sign-in-passkey")
    chrome.wait_for_path("/", timeout=30)
    methods = chrome.text("methods").split(", ")
    assert "hwk" in methods and "mfa" in methods and "pwd" not in methods, methods
