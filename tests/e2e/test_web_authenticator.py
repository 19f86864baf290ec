"""The web authenticator's keys over real HTTP (issue 13, protocol version 3, decision 0022): the
real `tandem serve` and a web authenticator played by this test with independent code — a P-256
device key (`cryptography`, as WebCrypto's non-extractable key signs: raw r||s) and a platform
passkey in software (attestation "none" and assertions built with Python `fido2`'s types and
signed with `cryptography`). It activates, registers its approval passkey, is confirmed by a
number-matched approval, approves an MFA sign-in with number + assertion and turns on phone
sign-in for a passwordless sign-in; every forged or replayed approval is refused with a JSON
error and changes nothing."""

import base64
import hashlib
import json
import os
import re
import time

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fido2.cose import ES256
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from conftest import Browser, Server

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def lines(version, fields):
    return (version + "\n" + "".join(f"{k}={v}\n" for k, v in fields)).encode("ascii")


class WebPhone:
    """A web authenticator: device key + approval passkey, speaking the device API."""

    def __init__(self, server, name="Alice's phone"):
        self.server = server
        self.name = name
        self.device_key = ec.generate_private_key(ec.SECP256R1())
        self.passkey = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.device_id = None
        self.options = None
        self.counter = 0

    @property
    def public_key(self):
        return b64url(self.device_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def origin(self):
        return self.server.public_url

    @property
    def rp_id(self):
        return self.options["rpId"]

    def sign(self, data):
        r, s = decode_dss_signature(self.device_key.sign(data, ec.ECDSA(hashes.SHA256())))
        return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def send(self, method, path, body=None):
        """A signed request (tandem-device-request/v2)."""
        raw = json.dumps(body).encode() if body is not None else b""
        now, nonce = str(int(time.time())), b64url(os.urandom(16))
        data = lines("tandem-device-request/v2", [("method", method), ("path", path), ("device", self.device_id), ("time", now),
                                                  ("nonce", nonce), ("body", b64url(hashlib.sha256(raw).digest()))])
        headers = {"X-Tandem-Device": self.device_id, "X-Tandem-Time": now, "X-Tandem-Nonce": nonce, "X-Tandem-Signature": self.sign(data)}
        if raw:
            headers["Content-Type"] = "application/json"
        return requests.request(method, self.server.url + path, data=raw or None, headers=headers, timeout=30)

    def activate(self, code):
        r = requests.post(self.server.url + "/device/v1/activate", json={
            "code": code, "deviceName": self.name, "appVersion": "web-e2e", "deviceKey": self.public_key, "platform": "web"})
        assert r.status_code == 201, r.text
        self.device_id = r.json()["deviceId"]
        self.options = r.json()["approvalPasskey"]
        return r.json()

    def registration(self, flags=UP | UV | AT, challenge=None):
        client_data = CollectedClientData.create("webauthn.create", unb64url(challenge or self.options["challenge"]), self.origin)
        credential = AttestedCredentialData.create(bytes(16), self.credential_id, ES256.from_cryptography_key(self.passkey.public_key()))
        auth = AuthenticatorData.create(hashlib.sha256(self.rp_id.encode()).digest(), flags, 0, credential)
        return {"credentialId": b64url(self.credential_id), "clientDataJSON": b64url(bytes(client_data)),
                "attestationObject": b64url(bytes(AttestationObject.create("none", auth, {})))}

    def register_passkey(self):
        r = self.send("POST", "/device/v1/approval-passkey", self.registration())
        assert r.status_code == 200 and r.json() == {"approvalPasskey": "registered"}, r.text

    def assertion(self, signed, counter=None, flags=UP | UV, key=None, credential_id=None):
        """navigator.credentials.get() with challenge = SHA-256(signed)."""
        if counter is None:
            self.counter += 1
            counter = self.counter
        client_data = bytes(CollectedClientData.create("webauthn.get", hashlib.sha256(signed).digest(), self.origin))
        auth = bytes(AuthenticatorData.create(hashlib.sha256(self.rp_id.encode()).digest(), flags, counter))
        signature = (key or self.passkey).sign(auth + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"credentialId": b64url(credential_id or self.credential_id), "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth), "signature": b64url(signature)}

    def pending(self):
        r = self.send("GET", "/device/v1/pending")
        assert r.status_code == 200, r.text
        return r.json()["requests"]

    def answer_bytes(self, offer, decision, number=""):
        return lines("tandem-push-answer/v1", [("challenge", offer["id"]), ("nonce", offer["nonce"]), ("device", self.device_id),
                                               ("decision", decision), ("number", number if decision == "approve" else "")])

    def answer(self, offer, decision, number=None, assertion="make", **assertion_options):
        """Posts an answer; for approve, with an assertion over the same bytes unless told otherwise."""
        signed = self.answer_bytes(offer, decision, number or "")
        body = {"deviceId": self.device_id, "decision": decision, "signature": self.sign(signed)}
        if number is not None:
            body["number"] = number
        if assertion == "make" and decision == "approve":
            body["assertion"] = self.assertion(signed, **assertion_options)
        elif isinstance(assertion, dict):
            body["assertion"] = assertion
        return requests.post(self.server.url + f"/device/v1/challenges/{offer['id']}/answer", json=body, timeout=30), body

    def enable_phone_sign_in(self, flags=UP | UV, counter=None):
        nonce = self.send("POST", "/device/v1/key-change-nonce").json()["nonce"]
        signed = lines("tandem-device-key-change/v1", [("device", self.device_id), ("nonce", nonce), ("change", "phoneSignIn"),
                                                       ("key", self.public_key)])
        return self.send("POST", "/device/v1/phone-sign-in", {"nonce": nonce, "assertion": self.assertion(signed, counter=counter, flags=flags)})


@pytest.fixture
def localhost_server(tmp_path):
    """The server with its public URL on localhost (an IP address is no RP ID)."""
    s = Server(tmp_path / "server")
    s.stop()
    s.public_url = f"http://localhost:{s.port}"
    s.start()
    yield s
    s.stop()


def refused(response, status, code=None):
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"], response.text
    if code:
        assert error["code"] == code, response.text
    return error


def add_web_phone(server, name="Alice's phone"):
    """Signs in with the password (the registration interrupt), activates a web phone from the
    activation URL, registers its passkey and confirms it with the first push. Returns the
    browser and the phone."""
    browser = Browser(server)
    browser.sign_in_with_password()
    url, activation_id = browser.add_authenticator()
    phone = WebPhone(server, name)
    response = phone.activate(re.search(r"code=([A-Z0-9]+)", url).group(1))
    assert response["userPrincipalName"] == "alice@contoso.com"
    options = phone.options
    assert options["rpId"] == "localhost" and len(unb64url(options["challenge"])) == 32
    assert unb64url(options["userHandle"]) == phone.device_id.encode()
    status = browser.registration_status(activation_id)
    assert status["state"] == "confirming", status
    [offer] = phone.pending()
    assert offer["kind"] == "registration"
    # Before the passkey: refused (403 passkeyRequired), with the right number and a real assertion.
    phone.options = options
    early, _ = phone.answer(offer, "approve", status["number"], counter=0)
    refused(early, 403, "passkeyRequired")
    phone.register_passkey()
    r, _ = phone.answer(offer, "approve", status["number"])
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    assert browser.registration_status(activation_id)["state"] == "active"
    return browser, phone


def mfa_push(server):
    """A browser at the number page of an MFA sign-in; returns it, the number and the phone's offer later."""
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/approve"
    return browser, browser.number()


def test_the_whole_life_of_a_web_phone_and_every_forged_approval_refused(localhost_server):
    server = localhost_server
    _, phone = add_web_phone(server)
    browser, number = mfa_push(server)
    [offer] = [o for o in phone.pending() if o["kind"] == "mfa"]
    wrong = str((int(number) + 1) % 10 ** len(number)).zfill(len(number))
    signed = phone.answer_bytes(offer, "approve", number)
    before = phone.counter

    # Each forged approval is 401 with a JSON error and leaves the request pending.
    r, _ = phone.answer(offer, "approve", number, flags=UP)
    assert "user verification" in refused(r, 401)["message"]
    r, _ = phone.answer(offer, "approve", number, assertion=phone.assertion(phone.answer_bytes(offer, "approve", wrong)))
    assert "challenge" in refused(r, 401)["message"]
    r, _ = phone.answer(offer, "approve", number, assertion=None)
    refused(r, 401, "assertionRequired")
    other = WebPhone(server)
    r, _ = phone.answer(offer, "approve", number, assertion=phone.assertion(signed, key=other.passkey, credential_id=other.credential_id))
    assert "approval passkey" in refused(r, 401)["message"]
    r, _ = phone.answer(offer, "approve", number, counter=before)   # the counter did not grow
    refused(r, 401, "counterRegression")
    assert browser.status()["state"] == "pending"

    # The real approval, then its replay.
    r, body = phone.answer(offer, "approve", number)
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    # A replay of the whole answer: its counter is spent (401), and the request was answered anyway.
    replay = requests.post(server.url + f"/device/v1/challenges/{offer['id']}/answer", json=body)
    refused(replay, 401, "counterRegression")
    # A replayed answer with a fresh assertion over the same bytes meets the answered request: 409.
    refused(phone.answer(offer, "approve", number)[0], 409)
    assert browser.complete().headers["Location"] == "/"
    assert "Alice" in browser.home()

    # A second web phone, registered from the signed-in browser: its real passkey cannot approve for the first.
    url, activation_id = browser.add_authenticator()
    second = WebPhone(server, "Alice's tablet")
    second.activate(re.search(r"code=([A-Z0-9]+)", url).group(1))
    second.register_passkey()
    [confirm] = second.pending()
    r, _ = second.answer(confirm, "approve", browser.registration_status(activation_id)["number"])
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text

    # The same assertion cannot approve the next request (it signed the other request's bytes).
    browser2, number2 = mfa_push(server)
    [offer2] = [o for o in phone.pending() if o["id"] != offer["id"] and o["kind"] == "mfa"]
    r, _ = phone.answer(offer2, "approve", number2, assertion=body["assertion"])
    assert "challenge" in refused(r, 401)["message"]
    # Another registered device's passkey, over the right bytes, with a growing counter: not this device's.
    signed2 = phone.answer_bytes(offer2, "approve", number2)
    r, _ = phone.answer(offer2, "approve", number2, assertion=second.assertion(signed2))
    assert "approval passkey" in refused(r, 401)["message"]
    # Deny needs only the device key.
    r, _ = phone.answer(offer2, "deny")
    assert r.status_code == 200 and r.json()["state"] == "denied", r.text

    log = server.log()
    assert "the passkey's signature counter went back" in log
    for secret in (number, body["assertion"]["signature"], body["assertion"]["clientDataJSON"], body["signature"], phone.options["challenge"]):
        assert secret not in log or len(secret) <= 2   # two-digit numbers appear by chance in any log


def test_approval_passkey_registration_refusals(localhost_server):
    server = localhost_server
    browser = Browser(server)
    browser.sign_in_with_password()
    url, _ = browser.add_authenticator()
    phone = WebPhone(server)
    phone.activate(re.search(r"code=([A-Z0-9]+)", url).group(1))
    # UV off, another challenge, not signed, a body that is not JSON: each a JSON 4xx.
    refused(phone.send("POST", "/device/v1/approval-passkey", phone.registration(flags=UP | AT)), 400)
    refused(phone.send("POST", "/device/v1/approval-passkey", phone.registration(challenge=b64url(os.urandom(32)))), 401)
    refused(requests.post(server.url + "/device/v1/approval-passkey", json=phone.registration()), 401)
    refused(phone.send("POST", "/device/v1/approval-passkey", {"credentialId": 1}), 400)
    # The good one still works (refusals do not spend the challenge), then only once.
    phone.register_passkey()
    refused(phone.send("POST", "/device/v1/approval-passkey", phone.registration()), 409)
    # A web activation with an approval key, or an unknown platform, is refused before the code is spent.
    url2, _ = browser.add_authenticator()
    code2 = re.search(r"code=([A-Z0-9]+)", url2).group(1)
    second = WebPhone(server)
    for extra in ({"approvalKey": second.public_key}, {"platform": "ios"}):
        body = dict({"code": code2, "deviceName": "x", "appVersion": "1", "deviceKey": second.public_key, "platform": "web"}, **extra)
        refused(requests.post(server.url + "/device/v1/activate", json=body), 400)
    second.activate(code2)


def test_a_flood_of_bad_assertions_locks_nothing_out(localhost_server):
    server = localhost_server
    _, phone = add_web_phone(server)
    browser, number = mfa_push(server)
    [offer] = [o for o in phone.pending() if o["kind"] == "mfa"]
    for i in range(40):
        r, _ = phone.answer(offer, "approve", number, flags=UP if i % 2 else UV)   # UV off, or UP off
        assert r.status_code == 401, r.text
        r = requests.post(server.url + f"/device/v1/challenges/{offer['id']}/answer", data=b"{\"deviceId\":" + os.urandom(8))
        assert 400 <= r.status_code < 500, r.text
    assert browser.status()["state"] == "pending"
    r, _ = phone.answer(offer, "approve", number)
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    assert browser.complete().headers["Location"] == "/"


def test_phone_sign_in_on_a_web_phone_and_a_passwordless_sign_in(localhost_server):
    server = localhost_server
    _, phone = add_web_phone(server)
    # UV off: refused, phone sign-in stays off.
    refused(phone.enable_phone_sign_in(flags=UP), 401)
    # A CLI-shaped body from a web phone: 400.
    nonce = phone.send("POST", "/device/v1/key-change-nonce").json()["nonce"]
    refused(phone.send("POST", "/device/v1/phone-sign-in", {"publicKey": phone.public_key, "nonce": nonce, "proof": "x",
                                                            "approvalSignature": "y"}), 400)
    r = phone.enable_phone_sign_in()
    assert r.status_code == 200 and r.json() == {"phoneSignIn": "enabled"}, r.text

    browser = Browser(server)
    assert browser.start_passwordless() == "/login/approve"
    number = browser.number()
    [offer] = [o for o in phone.pending() if o["kind"] == "passwordless"]
    r, _ = phone.answer(offer, "approve", number, assertion=None)
    refused(r, 401, "assertionRequired")
    r, _ = phone.answer(offer, "approve", number, flags=UP)
    refused(r, 401)
    r, _ = phone.answer(offer, "approve", number)
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    assert browser.complete().headers["Location"] == "/"
    assert "Alice" in browser.home()
    # Turning it off needs no assertion.
    assert phone.send("DELETE", "/device/v1/phone-sign-in").status_code == 204
