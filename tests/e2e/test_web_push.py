"""Web Push (issue 13, docs/decisions/0023-web-push.md) over real parts: the real `tandem serve`,
the real `tandem-authenticator` as the registered device, and a test push service on loopback (an
RFC 8030 endpoint written here) registered as the device's subscription through the signed
device API. The messages are checked with independent implementations: the VAPID JWT with PyJWT
(over `cryptography`), the body decrypted with `http_ece` (RFC 8188/8291)."""

import base64
import hashlib
import http.server
import json
import os
import threading
import time
from pathlib import Path

import http_ece
import jwt
import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from conftest import PIN, Browser, pending, register

METRICS_TOKEN = "web-push-metrics-token-0123456789"
LOOPBACK = ["--allow-loopback-push-endpoints", "--metrics-token", METRICS_TOKEN]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """The registered phone's device key (the CLI keeps it in keys/device-*.key), speaking the
    signed device API (version-2 request signatures) with this test's own code."""

    def __init__(self, server, phone):
        account = json.loads((Path(phone.home) / "accounts.json").read_text())["accounts"][0]
        key_file = json.loads((Path(phone.home) / "keys" / (account["deviceKeyLabel"] + ".key")).read_text())
        self.key = ec.derive_private_key(int.from_bytes(unb64url(key_file["privateKey"]), "big"), ec.SECP256R1())
        self.device_id = account["deviceId"]
        self.server = server

    def send(self, method, path, body=b""):
        now = str(int(time.time()))
        nonce = b64url(os.urandom(16))
        fields = [("method", method), ("path", path), ("device", self.device_id), ("time", now), ("nonce", nonce),
                  ("body", b64url(hashlib.sha256(body).digest()))]
        data = ("tandem-device-request/v2\n" + "".join(f"{k}={v}\n" for k, v in fields)).encode("ascii")
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        headers = {"X-Tandem-Device": self.device_id, "X-Tandem-Time": now, "X-Tandem-Nonce": nonce,
                   "X-Tandem-Signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}
        if body:
            headers["Content-Type"] = "application/json"
        return requests.request(method, self.server.url + path, data=body or None, headers=headers, timeout=30)

    def subscribe(self, subscription):
        return self.send("PUT", "/device/v1/push-subscription", json.dumps(subscription).encode())


class Subscription:
    """What a browser's PushManager.subscribe() holds: the user agent's P-256 key and auth secret."""

    def __init__(self, endpoint):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def json(self):
        point = self.key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)}}

    def decrypt(self, body):
        return http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")


class PushService:
    """A push service on loopback (RFC 8030 §5): records every POST (path, headers, body, time) and
    answers with the next (status, headers[, seconds to wait first]) of `answers` (201 once they run out)."""

    def __init__(self):
        self.received = []
        self.answers = []
        self.lock = threading.Lock()
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with service.lock:
                    service.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                             "body": body, "at": time.time()})
                    status, extra, *delay = service.answers.pop(0) if service.answers else (201, {})
                if delay:
                    time.sleep(delay[0])
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                if status == 201:
                    self.send_header("Location", "/message/" + b64url(os.urandom(8)))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, count, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"the push service received {len(self.received)} messages, expected {count}")

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def loopback_server(make_server):
    return make_server(extra_args=LOOPBACK)


def trail(server, challenge_id):
    """The request's delivery trail rows on channel webpush: (event, device, detail)."""
    import sqlite3
    with sqlite3.connect(server.db) as db:
        return db.execute("SELECT event, device_id, detail FROM push_trail WHERE challenge_id = ? AND channel = 'webpush' ORDER BY seq",
                          (challenge_id,)).fetchall()


def metric(server, result):
    text = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer " + METRICS_TOKEN}, timeout=10).text
    for line in text.splitlines():
        if line.startswith(f'tandem_web_push_total{{result="{result}"}}'):
            return float(line.split()[-1])
    raise AssertionError("no tandem_web_push_total for " + result + " in\n" + text)


def mfa_sign_in(server):
    """Password, then the push: returns the browser on the approve page."""
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/approve"
    return browser


def approve(browser, phone):
    assert "approved" in phone.run("approve", "--number", browser.number(), "--pin", PIN).stdout
    assert browser.complete().headers["Location"] == "/"


def subscribed(server, phone, push_service, path="/push/subscription-1"):
    register(server, phone)
    device = Device(server, phone)
    subscription = Subscription(push_service.url + path)
    r = device.subscribe(subscription.json())
    assert r.status_code == 204, r.text
    return device, subscription


def test_a_sign_in_request_is_pushed_encrypted_with_vapid_and_only_the_request_id(loopback_server, phone, push_service):
    server = loopback_server
    key = requests.get(server.url + "/device/v1/web-push", timeout=10)
    assert key.status_code == 200, key.text
    vapid_public = key.json()["vapidPublicKey"]
    assert len(unb64url(vapid_public)) == 65 and unb64url(vapid_public)[0] == 4
    device, subscription = subscribed(server, phone, push_service)

    browser = mfa_sign_in(server)
    started = time.time()
    message = push_service.wait_for(1)[0]
    [request] = pending(phone)
    assert message["path"] == "/push/subscription-1"
    headers = message["headers"]

    # The body: RFC 8291 aes128gcm, opened with the subscription's private key and auth secret.
    assert headers["content-encoding"] == "aes128gcm"
    plaintext = subscription.decrypt(message["body"])
    assert plaintext == json.dumps({"type": "request", "challengeId": request["id"]}, separators=(",", ":")).encode()
    assert browser.number().encode() not in plaintext and b"alice" not in plaintext.lower()

    # TTL is what the request has left (120 s lifetime), Urgency high, Topic the request id.
    assert 60 <= int(headers["ttl"]) <= 120, headers["ttl"]
    assert headers["urgency"] == "high"
    assert headers["topic"] == request["id"]

    # VAPID (RFC 8292): "vapid t=<JWT>, k=<key>", the JWT ES256 for the push service's origin, at most 24 h.
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == vapid_public
    point = unb64url(fields["k"])
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    claims = jwt.decode(fields["t"], key=public_key, algorithms=["ES256"], audience=push_service.url)
    assert jwt.get_unverified_header(fields["t"])["alg"] == "ES256"
    assert started < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith(("mailto:", "https://", "http://127.0.0.1"))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(fields["t"], key=ec.generate_private_key(ec.SECP256R1()).public_key(), algorithms=["ES256"], audience=push_service.url)

    # The sign-in log's delivery trail says so; the sign-in still goes through the phone as before.
    deadline = time.time() + 10
    while not trail(server, request["id"]) and time.time() < deadline:
        time.sleep(0.1)
    assert trail(server, request["id"]) == [("sent", device.device_id, "web push 201")]
    approve(browser, phone)
    log = server.log()
    assert "/push/subscription-1" not in log, "the endpoint's path is a capability: never logged"
    assert b64url(subscription.auth) not in log


def test_gone_deletes_the_subscription_and_the_next_sign_in_pushes_nothing(loopback_server, phone, push_service):
    server = loopback_server
    subscribed(server, phone, push_service)
    push_service.answers = [(410, {})]
    browser = mfa_sign_in(server)
    push_service.wait_for(1)
    gone_id = pending(phone)[0]["id"]
    approve(browser, phone)
    deadline = time.time() + 20
    while "web push subscription gone; removed" not in server.log() and time.time() < deadline:
        time.sleep(0.1)
    assert "web push subscription gone; removed" in server.log()
    assert metric(server, "gone") == 1
    assert [row[0::2] for row in trail(server, gone_id)] == [("undelivered", "web push 410: subscription removed")]

    browser = mfa_sign_in(server)
    assert len(pending(phone)) == 1, "the request itself is still there for the app to fetch"
    time.sleep(4)
    assert len(push_service.received) == 1, "no subscription: nothing pushed"
    approve(browser, phone)


def test_too_many_requests_is_retried_after_the_retry_after_time(loopback_server, phone, push_service):
    server = loopback_server
    subscription = subscribed(server, phone, push_service)[1]
    push_service.answers = [(429, {"Retry-After": "2"}), (503, {})]
    browser = mfa_sign_in(server)
    first, second, third = push_service.wait_for(3, timeout=40)
    assert second["at"] - first["at"] >= 1.8, "Retry-After: 2 was respected"
    assert third["at"] - second["at"] >= 0.8, "a 503 is retried after a backoff"
    assert {m["headers"]["topic"] for m in (first, second, third)} == {pending(phone)[0]["id"]}
    assert len({m["body"] for m in (first, second, third)}) == 3, "each attempt is encrypted afresh (new salt and key)"
    assert all(subscription.decrypt(m["body"]) == subscription.decrypt(first["body"]) for m in (second, third))
    assert int(third["headers"]["ttl"]) < int(first["headers"]["ttl"]), "TTL shrinks with the request's remaining lifetime"
    time.sleep(2)
    assert len(push_service.received) == 3, "a 201 ends the retries"
    assert metric(server, "retried") == 2 and metric(server, "sent") == 1
    approve(browser, phone)


def test_retries_stop_at_the_request_expiry(make_server, phone, push_service):
    server = make_server(extra_args=LOOPBACK, challenge_lifetime=6)
    subscribed(server, phone, push_service)
    push_service.answers = [(500, {})] * 100
    mfa_sign_in(server)
    push_service.wait_for(1)
    time.sleep(9)   # the request (6 s) has expired
    sent = len(push_service.received)
    assert 2 <= sent <= 5, sent
    last = push_service.received[-1]
    assert int(last["headers"]["ttl"]) >= 1
    time.sleep(3)
    assert len(push_service.received) == sent, "no attempt after the request expired"


BAD_ENDPOINTS = [
    "http://example.com/push/1",            # not https (and not loopback)
    "https://10.0.0.1/push/1",              # private
    "https://172.16.5.4/push/1",
    "https://192.168.1.1/push/1",
    "https://169.254.169.254/latest/meta-data",   # link-local (cloud metadata)
    "https://100.64.0.1/push/1",            # shared address space
    "https://0.0.0.0/push/1",
    "https://[fd00::1]/push/1",             # unique local (ULA)
    "https://[fe80::1]/push/1",             # link-local
    "https://[::ffff:10.0.0.1]/push/1",     # IPv4-mapped private
    "https://[ff02::1]/push/1",             # multicast
    "ftp://push.example.com/1",
    "https://user:pw@push.example.com/1",
    "/push/1",
    "https://" + "a" * 2100 + ".example/1",
    "https://does-not-resolve.invalid/push/1",
    "https://167772161/push/1",             # 10.0.0.1 written as one number: judged by what it resolves to
    "https://0xa.0.0.1/push/1",
]

LOOPBACK_ENDPOINTS = [
    "https://127.0.0.1/push/1",
    "http://127.0.0.1:9/push/1",
    "https://[::1]/push/1",
    "https://localhost/push/1",
    "http://localhost:9/push/1",
    "https://2130706433/push/1",            # 127.0.0.1 as one number
    "https://127.1/push/1",
    "https://[::ffff:127.0.0.1]/push/1",
]


def error_code(response):
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"], body
    return body["error"]["code"]


def test_the_ssrf_rule_refuses_private_and_non_https_endpoints_even_with_the_test_option(loopback_server, phone):
    server = loopback_server
    register(server, phone)
    device = Device(server, phone)
    for endpoint in BAD_ENDPOINTS:
        r = device.subscribe(Subscription(endpoint).json())
        assert r.status_code == 400, (endpoint, r.status_code, r.text)
        error_code(r)
    # The test option allows loopback only.
    assert device.subscribe(Subscription("http://127.0.0.1:9/push/1").json()).status_code == 204


def test_without_the_test_option_loopback_endpoints_are_refused_too(server, phone):
    register(server, phone)
    device = Device(server, phone)
    for endpoint in LOOPBACK_ENDPOINTS + BAD_ENDPOINTS[:3]:
        r = device.subscribe(Subscription(endpoint).json())
        assert r.status_code == 400, (endpoint, r.status_code, r.text)
        error_code(r)


def test_bad_keys_and_bodies_are_refused_with_json_and_unsigned_requests_with_401(loopback_server, phone, push_service):
    server = loopback_server
    register(server, phone)
    device = Device(server, phone)
    good = Subscription(push_service.url + "/push/1").json()
    off_curve = bytearray(unb64url(good["keys"]["p256dh"]))
    off_curve[-1] ^= 1
    bad_keys = [
        {"p256dh": good["keys"]["p256dh"][:-2], "auth": good["keys"]["auth"]},      # short point
        {"p256dh": b64url(bytes(off_curve)), "auth": good["keys"]["auth"]},          # not on the curve
        {"p256dh": b64url(b"\x04" + bytes(64)), "auth": good["keys"]["auth"]},
        {"p256dh": "not base64url!", "auth": good["keys"]["auth"]},
        {"p256dh": good["keys"]["p256dh"], "auth": b64url(os.urandom(15))},          # 15-byte secret
        {"p256dh": good["keys"]["p256dh"], "auth": b64url(os.urandom(17))},
    ]
    for keys in bad_keys:
        r = device.subscribe({"endpoint": good["endpoint"], "keys": keys})
        assert r.status_code == 400, (keys, r.text)
        error_code(r)
    for body in [b"", b"{", b"[]", b'{"endpoint": 3}', b'{"endpoint": "https://push.example.com/1"}', b"\xff\xfe"]:
        r = device.send("PUT", "/device/v1/push-subscription", body)
        assert r.status_code == 400, (body, r.text)
        error_code(r)
    r = requests.put(server.url + "/device/v1/push-subscription", json=good, timeout=10)
    assert r.status_code == 401 and error_code(r)
    r = requests.delete(server.url + "/device/v1/push-subscription", timeout=10)
    assert r.status_code == 401 and error_code(r)

    # Saved, replaced, removed: the DELETE stops the pushes.
    assert device.subscribe(good).status_code == 204
    assert device.send("DELETE", "/device/v1/push-subscription").status_code == 204
    assert device.send("DELETE", "/device/v1/push-subscription").status_code == 204
    browser = mfa_sign_in(server)
    time.sleep(3)
    assert push_service.received == []
    approve(browser, phone)


def test_removing_the_device_removes_its_subscription(loopback_server, phone, push_service, tmp_path):
    import sqlite3
    server = loopback_server
    browser = register(server, phone)
    device = Device(server, phone)
    assert device.subscribe(Subscription(push_service.url + "/push/1").json()).status_code == 204
    with sqlite3.connect(server.db) as db:
        assert db.execute("SELECT count(*) FROM web_push_subscriptions WHERE device_id = ?", (device.device_id,)).fetchone()[0] == 1
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    assert device.device_id in page
    browser.csrf = __import__("conftest").csrf_of(page)
    r = browser.post(f"/mysecurityinfo/devices/{device.device_id}/delete")
    assert r.status_code == 303, r.text
    with sqlite3.connect(server.db) as db:
        assert db.execute("SELECT count(*) FROM web_push_subscriptions WHERE device_id = ?", (device.device_id,)).fetchone()[0] == 0
    assert device.subscribe(Subscription(push_service.url + "/push/1").json()).status_code == 401


def test_a_slow_push_service_does_not_hold_up_the_sign_in(loopback_server, phone, push_service):
    server = loopback_server
    subscribed(server, phone, push_service)
    push_service.answers = [(201, {}, 12)]
    browser = Browser(server)
    assert browser.start() == "/login/password"
    started = time.time()
    assert browser.password().headers["Location"] == "/login/approve"
    assert time.time() - started < 8, "the password step waited for the push service"
    push_service.wait_for(1)
    approve(browser, phone)


def test_every_subscribed_device_of_the_user_gets_one_message(loopback_server, phone, second_phone, push_service):
    server = loopback_server
    register(server, phone)
    register(server, second_phone, name="Tablet", signed_in_with=phone)
    subscriptions = {}
    for name, device_phone in (("one", phone), ("two", second_phone)):
        subscriptions[name] = Subscription(f"{push_service.url}/push/{name}")
        assert Device(server, device_phone).subscribe(subscriptions[name].json()).status_code == 204
    browser = mfa_sign_in(server)
    messages = push_service.wait_for(2)
    time.sleep(2)
    assert sorted(m["path"] for m in push_service.received) == ["/push/one", "/push/two"]
    for message in messages:
        plaintext = subscriptions[message["path"].rsplit("/", 1)[1]].decrypt(message["body"])
        assert json.loads(plaintext) == {"type": "request", "challengeId": pending(phone)[0]["id"]}
    approve(browser, phone)


@pytest.fixture
def postgres_url():
    import uuid
    url = os.environ.get("TANDEM_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail("CI=true but TANDEM_TEST_POSTGRES_URL is not set: .ci/run must source .ci/postgres.sh")
        pytest.skip("TANDEM_TEST_POSTGRES_URL is not set (source .ci/postgres.sh to run the multi-instance tests)")
    return url + ("&" if "?" in url else "?") + "search_path=e2e_" + uuid.uuid4().hex[:16]


def test_with_two_instances_only_the_one_that_made_the_request_pushes_it(tmp_path, postgres_url, phone, push_service):
    from conftest import Server
    secret = ["--secret-key=" + b64url(os.urandom(32))]  # "=": a base64url value can start with "-"
    a = Server(tmp_path / "a", database=postgres_url, extra_args=LOOPBACK + secret)
    b = Server(tmp_path / "b", database=postgres_url, add_user=False, extra_args=LOOPBACK + secret)
    try:
        register(a, phone)
        key_a = requests.get(a.url + "/device/v1/web-push", timeout=10).json()["vapidPublicKey"]
        assert requests.get(b.url + "/device/v1/web-push", timeout=10).json()["vapidPublicKey"] == key_a, "one VAPID key for all instances"
        subscription = Subscription(push_service.url + "/push/one")
        assert Device(a, phone).subscribe(subscription.json()).status_code == 204
        for number, instance in enumerate((b, a), start=1):
            browser = mfa_sign_in(instance)
            message = push_service.wait_for(number)[-1]
            assert json.loads(subscription.decrypt(message["body"]))["challengeId"] == pending(phone)[0]["id"]
            assert message["headers"]["authorization"].endswith("k=" + key_a)
            time.sleep(3)
            assert len(push_service.received) == number, "one message per request, not one per instance"
            approve(browser, phone)
    finally:
        a.stop()
        b.stop()


def test_retries_stop_once_the_request_is_answered(loopback_server, phone, push_service):
    server = loopback_server
    subscribed(server, phone, push_service)
    push_service.answers = [(503, {})] * 100
    browser = mfa_sign_in(server)
    push_service.wait_for(1)
    approve(browser, phone)
    at_answer = len(push_service.received)
    time.sleep(10)   # backoff 1, 2, 4 s: three more attempts had the request stayed pending
    assert len(push_service.received) <= at_answer + 1, "at most the attempt already under way when the answer came"
    assert "web push retry dropped: the request was answered or withdrawn" in server.log()


def test_the_vapid_key_is_sealed_in_the_database_and_survives_a_restart(server):
    import sqlite3
    first = requests.get(server.url + "/device/v1/web-push", timeout=10).json()["vapidPublicKey"]
    with sqlite3.connect(server.db) as db:
        rows = db.execute("SELECT private_key FROM signing_keys WHERE purpose = 'vapid'").fetchall()
    assert len(rows) == 1 and rows[0][0].startswith("v1."), "sealed like the OIDC keys"
    server.restart()
    assert requests.get(server.url + "/device/v1/web-push", timeout=10).json()["vapidPublicKey"] == first
    with sqlite3.connect(server.db) as db:
        assert db.execute("SELECT count(*) FROM signing_keys WHERE purpose = 'vapid'").fetchone()[0] == 1
