"""In a real browser: first sign-in and registration, password + push, passwordless phone
sign-in, and the QR code read back from a screenshot. The phone is the real
`tandem-authenticator`; every test runs in a phone-sized and a desktop-sized window."""

import time

from browser_harness import PIN, chrome, e2e, phone, server, zbarimg  # noqa: F401 (fixtures)


def registration_page(chrome):
    """From the registration interrupt (decision 0013: the first password sign-in of a user with
    no method) to the add-authenticator page; returns the activation URL under "Can't scan the image?"."""
    chrome.wait_for_path("/mysecurityinfo")
    assert chrome.heading() == "More information required"
    chrome.click("add-authenticator")
    chrome.wait_for_id("qr")
    assert not chrome.by_id("activation-url").is_displayed(), "the URL stays folded until asked for"
    chrome.click("cant-scan-toggle")
    return chrome.text("activation-url")


def test_first_sign_in_with_password_then_register_the_authenticator(chrome, phone):
    chrome.sign_in_with_password()
    chrome.wait_for_path("/mysecurityinfo")
    chrome.screenshot("registration-interrupt")

    url = registration_page(chrome)
    assert url.startswith(chrome.server.url + "/device/v1/activate?code=")
    assert chrome.by_id("activation-code").text.strip() in url
    assert chrome.fits_width()
    chrome.screenshot("add-authenticator", show="activation-url")

    out = phone.run("add", url, "--pin", PIN, "--name", "Browser test phone")
    assert "alice@contoso.com" in out.stdout
    number = chrome.number()
    chrome.screenshot("confirm-number", show="number")
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    chrome.wait(lambda: "set up" in chrome.by_id("status").text, message="the page confirms the registration")
    chrome.screenshot("registered", show="status")

    # The interrupt ends; the first real sign-in is with the new phone.
    chrome.open("/mysecurityinfo")
    assert "You're all set" in chrome.driver.page_source
    chrome.sign_in_with_push(phone)
    assert "Alice Example" in chrome.text("welcome")
    chrome.open("/mysecurityinfo")
    methods = chrome.text("methods")
    assert "Browser test phone" in methods and "not confirmed" not in methods
    assert chrome.fits_width()
    chrome.screenshot("security-info")


def test_password_then_push_with_the_number_from_the_page(chrome, phone):
    e2e.register(chrome.server, phone)
    chrome.sign_in_with_password()
    chrome.wait_for_path("/login/approve")
    number = chrome.number()
    assert len(number) == 2
    assert chrome.fits_width()
    chrome.screenshot("number")
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    chrome.wait_for_path("/")
    methods = chrome.text("methods")
    assert "pwd" in methods and "mfa" in methods
    chrome.screenshot("signed-in")


def test_passwordless_phone_sign_in(chrome, phone):
    e2e.register(chrome.server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    e2e.passwordless_once(chrome.server, phone)  # not the first time: the phone starts at once
    chrome.open("/login")
    chrome.type_into("username", "alice@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/approve")
    number = chrome.number()
    assert chrome.by_id("use-password").is_displayed()
    assert chrome.by_id("use-password").text == "Use your password instead"
    assert chrome.fits_width()
    chrome.screenshot("number")
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    chrome.wait_for_path("/")
    methods = chrome.text("methods")
    assert "pin" in methods and "pwd" not in methods
    chrome.screenshot("signed-in")


def test_use_your_password_instead(chrome, phone):
    e2e.register(chrome.server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    e2e.passwordless_once(chrome.server, phone)
    chrome.open("/login")
    chrome.type_into("username", "alice@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/approve")
    chrome.number()
    chrome.click("use-password")
    chrome.wait_for_path("/login/password")
    assert e2e.pending(phone) == [], "the phone's request is withdrawn"
    chrome.wait_for_id("password")
    chrome.screenshot("password")


def test_the_qr_code_decodes_from_a_screenshot_and_registers_the_phone(chrome, phone):
    chrome.sign_in_with_password()
    chrome.wait_for_path("/mysecurityinfo")   # the registration interrupt (decision 0013)
    chrome.click("add-authenticator")
    chrome.wait_for_id("qr")
    # A screenshot taken while a loaded machine is still laying out or scrolling can catch a partial symbol: up to
    # three screenshots, a second apart. A QR code that never decodes still fails.
    for attempt in range(3):
        picture = chrome.screenshot(f"qr-{attempt}" if attempt else "qr", show="qr")
        try:
            decoded = zbarimg(picture)
            break
        except AssertionError:
            if attempt == 2:
                raise
            time.sleep(1)
    assert len(decoded) == 1, decoded
    chrome.click("cant-scan-toggle")
    assert decoded[0] == chrome.text("activation-url")

    out = phone.run("add", decoded[0], "--pin", PIN)
    assert "alice@contoso.com" in out.stdout
    assert "approved" in phone.run("approve", "--number", chrome.number(), "--pin", PIN).stdout
    chrome.wait(lambda: "set up" in chrome.by_id("status").text, message="the page confirms the registration")
