"""Passkeys in real Chromium with the WebDriver virtual authenticator (decision 0020): after a
push sign-in, security info's "Add sign-in method: Passkey" runs navigator.credentials.create()
against the real server, the passkey is listed and can be deleted. Phone- and desktop-sized."""

import pytest

import requests

from browser_harness import chrome, e2e, phone  # noqa: F401 (fixtures)


@pytest.fixture
def server(tmp_path):
    """The server with public URL and browser on http://localhost (WebAuthn takes no IP address as RP ID)."""
    s = e2e.Server(tmp_path / "server")
    s.stop()
    s.public_url = s.url = f"http://localhost:{s.port}"
    s.start()
    yield s
    s.stop()


def virtual_authenticator(chrome, transport="internal", user_verified=True):
    from selenium.webdriver.common.virtual_authenticator import Protocol, Transport, VirtualAuthenticatorOptions
    options = VirtualAuthenticatorOptions()
    options.protocol = Protocol.CTAP2
    options.transport = {"internal": Transport.INTERNAL, "usb": Transport.USB}[transport]
    options.has_resident_key = True
    options.has_user_verification = True
    options.is_user_verified = user_verified
    options.is_user_consenting = True
    chrome.driver.add_virtual_authenticator(options)


def test_register_a_passkey_on_security_info_then_delete_it(chrome, phone):
    e2e.register(chrome.server, phone)
    virtual_authenticator(chrome)
    chrome.sign_in_with_push(phone)
    chrome.open("/mysecurityinfo")
    chrome.wait_for_id("add-passkey")
    chrome.check_page()
    chrome.type_into("passkey-name", "Chromium laptop")
    chrome.click("add-passkey")
    chrome.wait(lambda: "done=passkeyAdded" in chrome.driver.current_url, 20, "the passkey is added")
    assert chrome.text("notice") == "Your passkey was added."
    assert "Chromium laptop" in chrome.text("passkey-1")
    assert "Passkey" in chrome.text("passkey-1")
    [credential] = chrome.driver.get_credentials()
    assert credential.is_resident_credential, "a discoverable credential (a passkey)"
    assert credential.rp_id == "localhost"
    chrome.screenshot("added", show="passkey-1")
    chrome.check_page()
    # The same authenticator again: the browser refuses (excludeCredentials), the page says why.
    chrome.click("add-passkey")
    chrome.wait(lambda: "already holds a passkey" in chrome.text("passkey-status"), 20, "the duplicate is refused")
    chrome.click("delete-passkey-1")
    chrome.wait(lambda: "done=passkeyDeleted" in chrome.driver.current_url, 20, "deleted")
    assert chrome.text("notice") == "The passkey was deleted."
    assert "passkey-1" not in chrome.driver.page_source


def test_an_authenticator_without_user_verification_is_refused(chrome, phone):
    e2e.register(chrome.server, phone)
    virtual_authenticator(chrome, transport="usb", user_verified=False)
    chrome.sign_in_with_push(phone)
    chrome.open("/mysecurityinfo")
    chrome.click("add-passkey")
    chrome.wait(lambda: "not" in chrome.text("passkey-status").lower() and "instructions" not in chrome.text("passkey-status"), 30,
                "the registration fails")
    status = chrome.text("passkey-status")
    assert "passkey" in status.lower(), status
    assert "passkey-1" not in chrome.driver.page_source
    chrome.screenshot("refused", show="passkey-status")



def add_passkey_then_leave(chrome, phone):
    """Alice with an authenticator adds a passkey on security info, then the browser forgets her."""
    e2e.register(chrome.server, phone)
    virtual_authenticator(chrome)
    chrome.sign_in_with_push(phone)
    chrome.open("/mysecurityinfo")
    chrome.click("add-passkey")
    chrome.wait(lambda: "done=passkeyAdded" in chrome.driver.current_url, 20, "the passkey is added")
    chrome.driver.delete_all_cookies()


def signed_in_strongly(chrome, phone):
    assert "alice@contoso.com" in chrome.driver.page_source
    assert e2e.pending(phone) == [], "no push was sent"
    chrome.open("/mysecurityinfo")
    chrome.wait_for_id("add-passkey")
    assert "Verify my identity" not in chrome.driver.page_source, "a passkey sign-in is a strong (MFA) sign-in"
    assert "never" not in chrome.text("passkey-1"), "the passkey's last use is shown"


def test_sign_in_with_a_passkey_button_in_one_step(chrome, phone):
    add_passkey_then_leave(chrome, phone)
    # Without autofill (as in a browser that has none), the button is the way in.
    chrome.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
        "source": "if (window.PublicKeyCredential) { PublicKeyCredential.isConditionalMediationAvailable = async () => false; }"})
    chrome.open("/login")
    chrome.wait_for_id("sign-in-passkey")
    chrome.check_page()
    chrome.screenshot("login", show="sign-in-passkey")
    chrome.click("sign-in-passkey")
    chrome.wait_for_path("/", timeout=20)
    signed_in_strongly(chrome, phone)


def test_passkey_autofill_in_the_username_field_signs_in(chrome, phone):
    add_passkey_then_leave(chrome, phone)
    # The served field asks for autofill. Read from the page as served: in the browser the autofill may sign in
    # and leave the page before the element is read (a stale element on a fast run).
    assert 'autocomplete="username webauthn"' in requests.get(chrome.server.url + "/login", timeout=10).text
    chrome.open("/login")
    # Conditional mediation starts at load; Chromium's virtual authenticator picks the one passkey
    # the way a person picks it from the username field's autofill list.
    chrome.wait_for_path("/", timeout=20)
    signed_in_strongly(chrome, phone)
