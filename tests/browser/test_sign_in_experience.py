"""In a real browser, the sign-in experience of decision 0010 and the security-info portal:
first-time and next-time phone sign-in, switching to the password, the verification code,
the outcome pages, Temporary Access Pass onboarding, a second device, deleting a device. The
phone is the real `tandem-authenticator`; each test runs in a phone-sized and a desktop-sized
window and saves screenshots under artifacts/screenshots/."""

import json
import re

from browser_harness import PIN, chrome, e2e, phone, second_phone, server  # noqa: F401 (fixtures)


def phone_sign_in_on(chrome, phone):
    e2e.register(chrome.server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)


def test_first_time_passwordless_through_other_ways_to_sign_in(chrome, phone):
    phone_sign_in_on(chrome, phone)
    chrome.open("/login")
    chrome.check_page()
    chrome.screenshot("username")
    # Keyboard only: type, Enter; open "Other ways to sign in" and choose with Enter.
    chrome.type_into("username", "alice@contoso.com")
    chrome.press_enter("username")
    chrome.wait_for_path("/login/password")
    assert chrome.heading() == "Enter password"
    assert not chrome.by_id("use-app").is_displayed(), "the other ways stay folded until asked for"
    chrome.press_enter("other-ways-toggle")
    chrome.wait_for_id("use-app")
    assert chrome.text("use-app") == "Approve a request on my Authenticator app"
    chrome.check_page()
    chrome.screenshot("other-ways", show="use-app")
    chrome.press_enter("use-app")
    chrome.wait_for_path("/login/approve")
    number = chrome.number()
    assert chrome.by_id("use-password").is_displayed()
    chrome.check_page()
    chrome.screenshot("number", show="number")
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    chrome.wait_for_path("/")
    assert "pin" in chrome.text("methods")
    chrome.screenshot("signed-in")


def test_next_time_the_phone_starts_automatically(chrome, phone):
    phone_sign_in_on(chrome, phone)
    # The first time, in this very browser window.
    chrome.open("/login")
    chrome.type_into("username", "alice@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/password")
    chrome.click("other-ways-toggle")
    chrome.click("use-app")
    assert "approved" in phone.run("approve", "--number", chrome.number(), "--pin", PIN).stdout
    chrome.wait_for_path("/")
    chrome.click("signout")
    chrome.wait_for_path("/login")
    # Next time: username, Next, and the number at once.
    chrome.type_into("username", "alice@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/approve")
    number = chrome.number()
    assert chrome.heading() == "Approve sign-in request"
    assert chrome.text("use-password") == "Use your password instead"
    chrome.check_page()
    chrome.screenshot("number-at-once", show="number")
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    chrome.wait_for_path("/")
    chrome.screenshot("signed-in")


def test_switch_to_the_password_then_push(chrome, phone):
    phone_sign_in_on(chrome, phone)
    e2e.passwordless_once(chrome.server, phone)
    chrome.open("/login")
    chrome.type_into("username", "alice@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/approve")
    chrome.number()
    chrome.click("use-password")
    chrome.wait_for_path("/login/password")
    assert e2e.pending(phone) == [], "the phone's request is withdrawn"
    chrome.screenshot("password")
    chrome.type_into("password", e2e.PASSWORD)
    chrome.click("signin")
    chrome.wait_for_path("/login/approve")
    number = chrome.number()
    assert chrome.heading() == "Approve sign in request"
    chrome.screenshot("mfa-number", show="number")
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    chrome.wait_for_path("/")
    methods = chrome.text("methods")
    assert "pwd" in methods and "mfa" in methods
    chrome.screenshot("signed-in")


def test_a_denied_request_and_a_wrong_number_get_clear_pages(chrome, phone):
    e2e.register(chrome.server, phone)
    chrome.sign_in_with_password()
    chrome.wait_for_path("/login/approve")
    number = chrome.number()
    wrong = "10" if number != "10" else "11"
    phone.run("approve", "--number", wrong, "--pin", PIN, check=False)
    chrome.wait(lambda: chrome.by_id("heading").text == "The numbers didn't match", message="the wrong-number page")
    assert chrome.by_id("outcome").get_attribute("data-outcome") == "wrongNumber"
    chrome.check_page()
    chrome.screenshot("wrong-number", show="outcome")
    chrome.click("resend")
    chrome.number()
    phone.run("deny")
    chrome.wait(lambda: chrome.by_id("heading").text == "Request denied", message="the denied page")
    assert chrome.by_id("resend").is_displayed()
    chrome.screenshot("denied", show="outcome")


def test_verification_code_when_the_app_cannot_be_used(chrome, phone):
    e2e.run([e2e.TANDEM, "admin", "policy", "patch", "--body", json.dumps({"isSoftwareOathEnabled": True}),
             "--database", chrome.server.db])
    e2e.register(chrome.server, phone)
    chrome.sign_in_with_password()
    chrome.wait_for_path("/login/approve")
    chrome.number()
    chrome.click("cant-use-app")
    chrome.wait_for_path("/login/code")
    assert chrome.heading() == "Enter code"
    chrome.check_page()
    chrome.screenshot("code-page")
    chrome.type_into("code", "000000" if "000000" not in phone.run("code").stdout else "111111")
    chrome.click("verify")
    chrome.wait_for_id("error")
    assert "didn't work" in chrome.text("error")
    chrome.screenshot("wrong-code", show="error")
    code = re.match(r"(\d{6}) ", phone.run("code", "alice@contoso.com").stdout).group(1)
    chrome.type_into("code", code)
    chrome.click("verify")
    chrome.wait_for_path("/")
    assert "otp" in chrome.text("methods")
    chrome.screenshot("signed-in")


def test_temporary_access_pass_onboarding_to_passwordless(chrome, phone):
    server = chrome.server
    e2e.run([e2e.TANDEM, "users", "add", "bob@contoso.com", "--display-name", "Bob Example", "--no-password", "--database", server.db])
    out = e2e.run([e2e.TANDEM, "admin", "tap", "create", "bob@contoso.com", "--one-time", "--database", server.db]).stdout
    tap = re.search(r"Temporary Access Pass for bob@contoso.com: (\S+)", out).group(1)
    chrome.open("/login")
    chrome.type_into("username", "bob@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/password")
    assert chrome.heading() == "Enter password"   # the same page for every name (decision 0013)
    assert "Temporary Access Pass" in chrome.text("tap-hint")
    chrome.check_page()
    chrome.screenshot("tap-page")
    chrome.type_into("password", tap)
    chrome.click("signin")
    chrome.wait_for_path("/mysecurityinfo")
    chrome.screenshot("security-info-empty")
    chrome.click("add-authenticator")
    chrome.wait_for_id("qr")
    chrome.click("cant-scan-toggle")
    url = chrome.text("activation-url")
    phone.run("add", url, "--pin", PIN, "--name", "Bob's phone")
    assert "approved" in phone.run("approve", "--number", chrome.number(), "--pin", PIN).stdout
    chrome.wait(lambda: "set up" in chrome.by_id("status").text, message="the registration is confirmed")
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    chrome.open("/mysecurityinfo")
    assert "Bob's phone" in chrome.text("methods")
    chrome.screenshot("security-info-registered")
    chrome.open("/")
    chrome.click("signout")
    chrome.wait_for_path("/login")
    # No password, pass spent: the phone from now on.
    chrome.type_into("username", "bob@contoso.com")
    chrome.click("next")
    chrome.wait_for_path("/login/approve")
    chrome.screenshot("passwordless-number", show="number")
    assert "approved" in phone.run("approve", "--number", chrome.number(), "--pin", PIN).stdout
    chrome.wait_for_path("/")
    assert "pin" in chrome.text("methods")
    chrome.screenshot("signed-in")


def test_registration_of_a_second_device(chrome, phone, second_phone):
    e2e.register(chrome.server, phone, name="First phone")
    chrome.sign_in_with_push(phone)
    chrome.click("security-info")
    chrome.wait_for_path("/mysecurityinfo")
    chrome.click("add-authenticator")
    chrome.wait_for_id("qr")
    chrome.click("cant-scan-toggle")
    second_phone.run("add", chrome.text("activation-url"), "--pin", PIN, "--name", "Second phone")
    number = chrome.number()
    chrome.screenshot("confirm-second", show="number")
    assert "approved" in second_phone.run("approve", "--number", number, "--pin", PIN).stdout
    chrome.wait(lambda: "set up" in chrome.by_id("status").text, message="the registration is confirmed")
    chrome.open("/mysecurityinfo")
    methods = chrome.text("methods")
    assert "First phone" in methods and "Second phone" in methods
    chrome.check_page()
    chrome.screenshot("two-devices")


def test_default_method_and_deleting_a_device(chrome, phone, second_phone):
    e2e.run([e2e.TANDEM, "admin", "policy", "patch", "--body", json.dumps({"isSoftwareOathEnabled": True}),
             "--database", chrome.server.db])
    e2e.register(chrome.server, phone, name="Old phone")
    e2e.register(chrome.server, second_phone, name="New phone", signed_in_with=phone)
    chrome.sign_in_with_push(second_phone)
    chrome.open("/mysecurityinfo")
    from selenium.webdriver.support.ui import Select
    Select(chrome.by_id("default-method")).select_by_value("oath")
    chrome.click("save-default")
    chrome.wait_for_id("notice")
    assert "default sign-in method was changed" in chrome.text("notice")
    assert Select(chrome.by_id("default-method")).first_selected_option.text == "Authenticator – verification code"
    # A sign-in elsewhere is waiting on the old phone when it is deleted.
    waiting = e2e.Browser(chrome.server)
    waiting.start()
    assert waiting.password().headers["Location"] == "/login/code", "the default method comes after the password"
    assert waiting.post("/login/use-notification").headers["Location"] == "/login/approve"
    assert len(e2e.pending(phone)) == 1
    chrome.check_page()
    chrome.screenshot("before-delete", show="methods")
    assert chrome.text("delete-1") == "Delete"
    chrome.click("delete-1")
    chrome.wait_for_id("notice")
    methods = chrome.text("methods")
    assert "Old phone" not in methods and "New phone" in methods
    assert phone.run("pending", check=False).returncode != 0, "the deleted phone is refused at once"
    assert waiting.status()["state"] == "pending" and len(e2e.pending(second_phone)) == 1
    chrome.screenshot("after-delete", show="methods")
