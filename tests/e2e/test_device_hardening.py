"""The attacker's side of issue 10, finding 1, over real HTTP against the real `tandem serve` and
the real `tandem-authenticator` (decision 0011): a copy of the phone's channel-key file and
accounts.json, a captured signed request, and key changes without a fresh nonce.

Each attack is made the way that worked before version 2 of the device protocol (version-1
signed headers, a phone sign-in proof signed by the attacker's own key) and the way version 2
would need it; both must be refused. Against the code before decision 0011 the version-1 attempts
succeed, so these tests fail there."""

import base64
import hashlib
import json
import shutil
import sqlite3
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import PIN, Browser, RecordingProxy, pending
from conftest import register as register_with_push


def signed_in(server):
    """A browser signed in with the password; lands on / or, while the user has no second factor
    and MFA is required, on security info to add one (issue 10, finding 5)."""
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] in ("/", "/mysecurityinfo")
    return browser


def register(server, phone, name="Phone", signed_in_with=None, via=None):
    """Adds and confirms an authenticator (the first one after a password sign-in; further ones
    after a push to `signed_in_with`); `via` is a proxy URL the app is told to use instead."""
    if signed_in_with is not None and via is None:
        return register_with_push(server, phone, name=name, signed_in_with=signed_in_with)
    browser = signed_in(server)
    url, activation_id = browser.add_authenticator()
    if via:
        url = url.replace(server.url, via)
    phone.run("add", url, "--pin", PIN, "--name", name)
    status = browser.registration_status(activation_id)
    assert status["state"] == "confirming", status
    assert "approved" in phone.run("approve", "--number", status["number"], "--pin", PIN).stdout
    return browser


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def lines(version, fields):
    return (version + "\n" + "".join(f"{name}={value}\n" for name, value in fields)).encode("ascii")


def sign(key, data):
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def public(key):
    return b64url(key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


class Attacker:
    """Holds what was copied from the phone: accounts.json and keys/device-*.key (the channel
    key, unprotected by design). Speaks the device API with its own code."""

    def __init__(self, server, home):
        account = json.loads((Path(home) / "accounts.json").read_text())["accounts"][0]
        self.server = server
        self.device_id = account["deviceId"]
        key_file = json.loads((Path(home) / "keys" / (account["deviceKeyLabel"] + ".key")).read_text())
        self.channel_key = ec.derive_private_key(int.from_bytes(unb64url(key_file["privateKey"]), "big"), ec.SECP256R1())
        self.account = account

    def v1_headers(self, method, path):
        """The signed headers as version 1 made them: no nonce, no body digest."""
        now = str(int(time.time()))
        data = lines("tandem-device-request/v1", [("method", method), ("path", path), ("device", self.device_id), ("time", now)])
        return {"X-Tandem-Device": self.device_id, "X-Tandem-Time": now, "X-Tandem-Signature": sign(self.channel_key, data)}

    def v2_headers(self, method, path, body=b"", nonce=None):
        now = str(int(time.time()))
        nonce = nonce or b64url(__import__("os").urandom(16))
        data = lines("tandem-device-request/v2", [
            ("method", method), ("path", path), ("device", self.device_id), ("time", now), ("nonce", nonce),
            ("body", b64url(hashlib.sha256(body).digest()))])
        return {"X-Tandem-Device": self.device_id, "X-Tandem-Time": now, "X-Tandem-Nonce": nonce,
                "X-Tandem-Signature": sign(self.channel_key, data)}

    def send(self, method, path, body=b"", headers=None, version=2):
        headers = dict(headers or (self.v2_headers(method, path, body) if version == 2 else self.v1_headers(method, path)))
        if body:
            headers["Content-Type"] = "application/json"
        return requests.request(method, self.server.url + path, data=body or None, headers=headers, timeout=10)

    def nonce(self):
        r = self.send("POST", "/device/v1/key-change-nonce")
        assert r.status_code == 200, r.text
        return r.json()["nonce"]


def key_change_bytes(device_id, nonce, public_key):
    return lines("tandem-device-key-change/v1", [("device", device_id), ("nonce", nonce), ("change", "phoneSignIn"),
                                                 ("key", public_key)])


def v1_phone_sign_in_body(device_id, key):
    """What enabling phone sign-in took before version 2: a proof by the new key alone."""
    proof = sign(key, lines("tandem-phone-sign-in/v1", [("device", device_id), ("key", public(key))]))
    return json.dumps({"publicKey": public(key), "proof": proof}, separators=(",", ":")).encode()


def v2_phone_sign_in_body(device_id, nonce, new_key, approver):
    data = key_change_bytes(device_id, nonce, public(new_key))
    return json.dumps({"publicKey": public(new_key), "nonce": nonce, "proof": sign(new_key, data),
                       "approvalSignature": sign(approver, data)}, separators=(",", ":")).encode()


def approval_key(home, pin=PIN):
    """The phone's approval key, unsealed with the PIN (what the real app does after the PIN)."""
    account = json.loads((Path(home) / "accounts.json").read_text())["accounts"][0]
    label = account["approvalKeyLabel"]
    file = json.loads((Path(home) / "keys" / (label + ".key")).read_text())
    wrapped, params = file["wrapped"], file["wrapped"]["parameters"]
    kek = hashlib.scrypt(pin.encode(), salt=unb64url(wrapped["salt"]), n=params["rounds"], r=params["blockSize"],
                         p=params["parallelism"], dklen=32, maxmem=1 << 30)
    sealed = unb64url(wrapped["sealed"])
    aad = f"tandem-wrapped-key/v1\nlabel={label}\nkey={file['publicKey']}\n".encode()
    raw = AESGCM(kek).decrypt(sealed[:12], sealed[12:], aad)
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def phone_sign_in_key(server, device_id):
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT phone_sign_in_key FROM devices WHERE id = ?", (device_id,)).fetchone()[0]


def audits(server, activity):
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT target_id FROM audit_logs WHERE activity = ?", (activity,)).fetchall()


def stolen_copy(phone, tmp_path):
    """Copies accounts.json and the channel-key file only (no approval key, no PIN)."""
    stolen = tmp_path / "stolen"
    (stolen / "keys").mkdir(parents=True)
    shutil.copy(Path(phone.home) / "accounts.json", stolen / "accounts.json")
    for key in (Path(phone.home) / "keys").glob("device-*.key"):
        shutil.copy(key, stolen / "keys" / key.name)
    return stolen


def test_a_copy_of_the_channel_key_and_accounts_cannot_turn_on_phone_sign_in(server, phone, tmp_path):
    register(server, phone)
    stolen = stolen_copy(phone, tmp_path)
    attacker = Attacker(server, stolen)
    own = ec.generate_private_key(ec.SECP256R1())
    path = "/device/v1/phone-sign-in"
    # The version-1 way: the channel key signs the request, the attacker's own key the proof.
    old = attacker.send("POST", path, v1_phone_sign_in_body(attacker.device_id, own), version=1)
    assert old.status_code == 401, old.text
    assert old.json()["error"]["code"]
    # The version-2 way, without the approval key: signed by the channel key or the attacker's key.
    for approver in (attacker.channel_key, own):
        r = attacker.send("POST", path, v2_phone_sign_in_body(attacker.device_id, attacker.nonce(), own, approver))
        assert r.status_code == 401, r.text
        assert "approval key" in r.json()["error"]["message"]
    # The real app run on the copy cannot either: the approval key is not there.
    stolen_app = type(phone)(stolen)
    out = stolen_app.run("phone-sign-in", "enable", "--pin", "802417", check=False)
    assert out.returncode != 0
    assert phone_sign_in_key(server, attacker.device_id) is None
    # So the attacker cannot start a passwordless sign-in and approve it with their key.
    browser = Browser(server)
    assert browser.start() == "/login/password"
    r = browser.post("/login/passwordless")
    assert r.headers.get("Location") != "/login/approve", "a passwordless request was started"
    assert not [offer for offer in pending(phone) if offer["kind"] == "passwordless"]
    # The refusals are not audited as changes.
    assert audits(server, "User enabled phone sign-in") == []


def proxied_phone(server, phone):
    """Registers the phone through a recording proxy: every later request of the app is seen."""
    proxy = RecordingProxy(server.url)
    register(server, phone, name="Proxied phone", via=f"http://127.0.0.1:{proxy.port}")
    return proxy


def captured(proxy, method, path):
    found = [r for r in proxy.requests if r[0] == method and r[1] == path]
    assert found, f"the app sent no {method} {path}: {[(r[0], r[1]) for r in proxy.requests]}"
    return found[-1]


SIGNED = ("X-Tandem-Device", "X-Tandem-Time", "X-Tandem-Nonce", "X-Tandem-Signature")


def replay(server, request, body=None):
    method, path, headers, sent = request
    headers = {k: v for k, v in headers.items() if k in SIGNED or k.lower().startswith("x-tandem")}
    data = sent if body is None else body
    if data:
        headers["Content-Type"] = "application/json"
    return requests.request(method, server.url + path, data=data, headers=headers, timeout=10)


def test_a_captured_signed_request_cannot_carry_another_body(server, phone):
    proxy = proxied_phone(server, phone)
    try:
        phone.run("phone-sign-in", "enable", "--pin", PIN)
        genuine_key = phone_sign_in_key(server, json.loads((Path(phone.home) / "accounts.json").read_text())["accounts"][0]["deviceId"])
        request = captured(proxy, "POST", "/device/v1/phone-sign-in")
        device_id = request[2].get("X-Tandem-Device")
        own = ec.generate_private_key(ec.SECP256R1())
        # The captured header triple (or quadruple) with the attacker's key in the body, in both shapes.
        old_body = v1_phone_sign_in_body(device_id, own)
        new_body = v2_phone_sign_in_body(device_id, json.loads(request[3])["nonce"] if b"nonce" in request[3] else "bm9uY2U", own, own)
        for body in (old_body, new_body):
            r = replay(server, request, body)
            assert r.status_code == 401, r.text
        assert phone_sign_in_key(server, device_id) == genuine_key
    finally:
        proxy.close()


def test_a_replayed_signed_request_is_refused(server, phone):
    proxy = proxied_phone(server, phone)
    try:
        phone.run("phone-sign-in", "enable", "--pin", PIN)
        phone.run("pending")
        for method, path in (("POST", "/device/v1/phone-sign-in"), ("GET", "/device/v1/pending")):
            r = replay(server, captured(proxy, method, path))
            assert r.status_code == 401, f"{method} {path}: {r.status_code} {r.text}"
            assert r.json()["error"]["message"]
        # The request nonce is remembered in the database: a restarted server refuses it too.
        server.restart()
        r = replay(server, captured(proxy, "GET", "/device/v1/pending"))
        assert r.status_code == 401, r.text
        # The app itself goes on working: each of its requests is new.
        assert phone.run("pending").returncode == 0
    finally:
        proxy.close()


def test_a_key_change_needs_a_fresh_single_use_nonce_of_this_device(server, phone, second_phone, tmp_path):
    register(server, phone)
    register(server, second_phone, name="Second phone", signed_in_with=phone)
    device = Attacker(server, phone.home)  # the genuine app's keys, unsealed with the PIN
    approver = approval_key(phone.home)
    other = Attacker(server, second_phone.home)
    path = "/device/v1/phone-sign-in"

    def enable(nonce, new_key=None, body=None):
        return device.send("POST", path, body or v2_phone_sign_in_body(device.device_id, nonce, new_key or ec.generate_private_key(ec.SECP256R1()), approver))

    # Without a nonce, with an empty one, with one the server never issued, with another device's.
    key = ec.generate_private_key(ec.SECP256R1())
    data = key_change_bytes(device.device_id, "", public(key))
    body = json.dumps({"publicKey": public(key), "proof": sign(key, data), "approvalSignature": sign(approver, data)}).encode()
    assert device.send("POST", path, body).status_code == 400
    assert enable("").status_code == 400
    assert enable("bm9uY2UtbmV2ZXItaXNzdWVkLWJ5LXRoZS1zZXJ2ZXI").status_code == 401
    assert enable(other.nonce()).status_code == 401
    # A fresh nonce works once; the same nonce again, with a new key and fresh headers, does not.
    nonce = device.nonce()
    assert enable(nonce).status_code == 200
    used = enable(nonce)
    assert used.status_code == 401 and "nonce" in used.json()["error"]["message"]
    # An expired nonce (aged in the store, as 121 s would) is refused; a newer one replaces an older one.
    stale = device.nonce()
    with sqlite3.connect(server.db) as db:
        db.execute("UPDATE device_key_change_nonces SET expires_at = ? WHERE device_id = ?",
                   (int(time.time() * 1000) - 1000, device.device_id))
    assert enable(stale).status_code == 401
    older, newer = device.nonce(), device.nonce()
    assert enable(older).status_code == 401
    assert enable(newer).status_code == 200


def test_turning_on_phone_sign_in_is_audited_and_the_other_devices_are_told(server, phone, second_phone):
    register(server, phone, name="Alice's phone")
    register(server, second_phone, name="Alice's tablet", signed_in_with=phone)
    assert len(audits(server, "User registered security info")) == 2
    # The first phone heard of the second as it was added.
    added = json.loads(phone.run("notices", "--json").stdout)["notices"]
    assert [n["kind"] for n in added] == ["authenticatorAdded"] and added[0]["deviceName"] == "Alice's tablet"
    listener = second_phone.spawn("listen")
    try:
        listener.expect("connected")
        phone.run("phone-sign-in", "enable", "--pin", PIN)
        listener.expect('notice: phone sign-in turned on on "Alice\'s phone"')
    finally:
        listener.terminate(force=True)
    device_id = json.loads((Path(phone.home) / "accounts.json").read_text())["accounts"][0]["deviceId"]
    assert audits(server, "User enabled phone sign-in") == [(device_id,)]
    phone.run("phone-sign-in", "disable")
    assert audits(server, "User disabled phone sign-in") == [(device_id,)]
    later = json.loads(second_phone.run("notices", "--json").stdout)["notices"]
    assert [n["kind"] for n in later] == ["phoneSignInDisabled"], later
    assert all(n["deviceId"] == device_id for n in later)


def test_change_pin_reseals_the_keys_and_the_old_pin_stops_working(server, phone):
    """Finding 11: a user with a PIN from before (or who wants a longer one) re-seals every key."""
    register(server, phone)
    weak = phone.run("change-pin", "--pin", PIN, "--new-pin", "123456", check=False)
    assert weak.returncode != 0 and "6 to 16 digits" in weak.stderr
    phone.run("change-pin", "--pin", PIN, "--new-pin", "802417")
    assert phone.run("phone-sign-in", "enable", "--pin", PIN, check=False).returncode != 0
    phone.run("phone-sign-in", "enable", "--pin", "802417")
    device_id = json.loads((Path(phone.home) / "accounts.json").read_text())["accounts"][0]["deviceId"]
    assert phone_sign_in_key(server, device_id) is not None
