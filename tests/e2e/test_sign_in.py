"""End to end: the real server, the real authenticator, a browser's HTTP requests."""

import json
import time

import requests

from conftest import PIN, Authenticator, Browser, RecordingProxy, pending, register


def test_registration_is_confirmed_by_a_first_push(server, phone):
    browser = register(server, phone)
    page = browser.http.get(server.url + "/mysecurityinfo").text
    assert "Authenticator app" in page and "Phone" in page
    out = phone.run("accounts").stdout
    assert "alice@contoso.com" in out and server.url in out


def test_an_activation_code_works_once(server, phone, second_phone):
    browser = Browser(server)
    browser.sign_in_with_password()
    url, _ = browser.add_authenticator()
    phone.run("add", url, "--pin", PIN)
    again = second_phone.run("add", url, "--pin", PIN, check=False)
    assert again.returncode != 0
    assert again.stderr.startswith("error: ")
    assert "Traceback" not in again.stderr and "Fatal error" not in again.stderr


def leaf_values(value):
    """Every string, number and key in a JSON value, as text."""
    if isinstance(value, dict):
        return [str(k) for k in value] + [leaf for v in value.values() for leaf in leaf_values(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaf_values(v)]
    return [str(value)]


def test_password_then_push_with_number_matching(server, phone):
    register(server, phone)
    browser = Browser(server)
    assert browser.start() == "/login/password"
    r = browser.password()
    assert r.headers["Location"] == "/login/approve"
    number = browser.number()
    waiting = pending(phone)
    assert len(waiting) == 1 and waiting[0]["kind"] == "mfa"
    # No field of the offer carries the number (a substring test would also hit digits inside random ids).
    assert number not in leaf_values(waiting) and "number" not in leaf_values(waiting), "the device must never be told the number"
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    assert browser.status(wait=5)["state"] == "approved"
    assert browser.complete().headers["Location"] == "/"
    home = browser.home()
    assert "Alice Example" in home and "mfa" in home and "pwd" in home


def test_passwordless_phone_sign_in(server, phone):
    register(server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    browser = Browser(server)
    assert browser.start_passwordless() == "/login/approve"
    page = browser.approve_page()
    assert "Use your password instead" in page
    number = browser.number()
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    assert browser.status(wait=5)["state"] == "approved"
    assert browser.complete().headers["Location"] == "/"
    home = browser.home()
    assert "pin" in home and "pwd" not in home


def test_passwordless_then_use_the_password_instead(server, phone):
    register(server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    browser = Browser(server)
    assert browser.start_passwordless() == "/login/approve"
    r = browser.post("/login/use-password")
    assert r.headers["Location"] == "/login/password"
    assert pending(phone) == []
    assert browser.password().headers["Location"] == "/login/approve"


def test_a_denial(server, phone):
    register(server, phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    out = phone.run("deny")
    assert "denied" in out.stdout
    status = browser.status(wait=5)
    assert status["state"] == "denied" and status["reason"] == "userDenied"
    assert browser.complete().status_code == 409


def test_a_wrong_number_denies(server, phone):
    register(server, phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    number = browser.number()
    wrong = "10" if number != "10" else "11"
    out = phone.run("approve", "--number", wrong, "--pin", PIN, check=False)
    assert out.returncode == 1
    assert "denied (wrongNumber)" in out.stdout
    status = browser.status(wait=5)
    assert status["state"] == "denied" and status["reason"] == "wrongNumber"
    assert browser.complete().status_code == 409
    # Send another request: a new number, and the first failure is not forgotten.
    browser.post("/login/resend")
    assert browser.status()["state"] == "pending"


def test_an_expired_request_cannot_be_approved(make_server, phone):
    server = make_server(challenge_lifetime=5)
    register(server, phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    number = browser.number()
    time.sleep(5.5)
    out = phone.run("approve", "--number", number, "--pin", PIN, check=False)
    assert out.returncode != 0
    assert browser.status()["state"] == "expired"
    assert browser.complete().status_code == 409


def test_a_replayed_answer_is_refused(server, phone):
    proxy = RecordingProxy(server.url)
    try:
        browser = Browser(server)
        browser.sign_in_with_password()
        url, activation_id = browser.add_authenticator()
        proxied = url.replace(server.url, f"http://127.0.0.1:{proxy.port}")
        phone.run("add", proxied, "--pin", PIN)
        number = browser.registration_status(activation_id)["number"]
        phone.run("approve", "--number", number, "--pin", PIN)
        signer = Browser(server)
        signer.start()
        signer.password()
        number = signer.number()
        phone.run("approve", "--number", number, "--pin", PIN)
        answers = [(path, body) for (method, path, body) in proxy.bodies if path.endswith("/answer")]
        assert len(answers) == 2
        path, body = answers[-1]
        replay = requests.post(server.url + path, data=body, headers={"Content-Type": "application/json"})
        assert replay.status_code == 409
        assert replay.json()["error"]["code"] == "conflict"
        assert "answer to a finished request refused" in server.log()
    finally:
        proxy.close()


def test_a_pending_request_survives_a_server_restart(server, phone):
    register(server, phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    number = browser.number()
    server.restart()
    assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
    assert browser.status()["state"] == "approved"
    assert browser.complete().headers["Location"] == "/"
    assert "Alice Example" in browser.home()


def test_two_devices_the_first_answer_wins(server, phone, second_phone):
    register(server, phone, name="First")
    register(server, second_phone, name="Second", signed_in_with=phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    number = browser.number()
    first = pending(phone)
    second = pending(second_phone)
    assert len(first) == 1 and first[0]["id"] == second[0]["id"]
    listener = second_phone.spawn("listen")
    try:
        listener.expect("connected")
        listener.expect("Sign-in request " + first[0]["id"])
        assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
        listener.expect("withdrawn " + first[0]["id"] + r" \(answeredElsewhere\)")
    finally:
        listener.terminate(force=True)
    assert pending(second_phone) == []
    late = second_phone.run("approve", "--number", number, "--pin", PIN, f"--request={first[0]['id']}", check=False)
    assert late.returncode != 0
    assert browser.status()["state"] == "approved"


def test_listen_gets_the_request_again_after_the_websocket_drops(server, phone):
    register(server, phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    number = browser.number()
    request_id = pending(phone)[0]["id"]
    listener = phone.spawn("listen")
    listener.expect("connected")
    listener.expect("Sign-in request " + request_id)
    listener.terminate(force=True)
    listener = phone.spawn("listen", "--once")
    try:
        listener.expect("connected")
        listener.expect("Sign-in request " + request_id)
        listener.expect("Application: Tandem")
        listener.expect(r"Enter the number shown in your browser")
        listener.sendline(number)
        listener.expect("PIN: ")
        listener.sendline(PIN)
        listener.expect("approved")
    finally:
        listener.terminate(force=True)
    assert browser.status(wait=5)["state"] == "approved"


def test_the_listener_reports_not_me(server, phone):
    register(server, phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    listener = phone.spawn("listen", "--once")
    try:
        listener.expect("Enter the number shown in your browser")
        listener.sendline("report")
        listener.expect("reported")
    finally:
        listener.terminate(force=True)
    assert browser.status(wait=5)["state"] == "reported"


def test_secrets_never_reach_the_server_log(server, phone):
    register(server, phone)
    browser = Browser(server)
    browser.start()
    browser.password()
    number = browser.number()
    phone.run("approve", "--number", number, "--pin", PIN)
    log = server.log()
    assert "correct horse battery" not in log
    assert PIN not in log
    for cookie in browser.http.cookies:
        assert cookie.value not in log
