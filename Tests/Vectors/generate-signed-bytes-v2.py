#!/usr/bin/env python3
"""Generates signed-bytes-v2.json, the golden vectors for the messages docs/push-protocol.md
added in version 2: the signed HTTP request `tandem-device-request/v2` (method, path, device,
time, request nonce, body digest) and the key change `tandem-device-key-change/v1` (signed by the
approval key and by the new key).

Written from the protocol document, independently of the Swift builders, so the vectors check
the Swift code rather than echo it. Signatures are deterministic (RFC 6979), so rerunning this
script reproduces the committed file byte for byte. The file is frozen: change it only together
with a new protocol version (version 3 added the PUT method: one vector, and PATCH is now the refused method). The version-1 file (signed-bytes-v1.json) stays as released.

Needs python3 with `cryptography` (>= 43 for deterministic ECDSA).
Usage: python3 Tests/Vectors/generate-signed-bytes-v2.py > Tests/Vectors/signed-bytes-v2.json
"""
import hashlib
import json

from vector_signing import PRIVATE_KEY_HEX, b64url, key, lines, public_key, sign  # noqa: F401


def body_digest(body: str) -> str:
    return b64url(hashlib.sha256(body.encode("utf-8")).digest())


DEVICE = "5f0c3a9e-2b7d-4e11-9a6c-0d2e8f4b7c31"                  # UUID-shaped device id
REQUEST_NONCE = "rQ7nC3-Xy_0aZk9LmP2w1g"                        # 16 bytes, base64url
KEY_CHANGE_NONCE = "kCh4ng3-N0nce_Srv8Issued2Once6Only1Abcdefg"  # 32 bytes, base64url
# A push subscription as the web authenticator sends it (a made-up endpoint and keys).
PUSH_BODY = ('{"endpoint":"https://push.example.net/wpush/v2/AbC","keys":{"auth":"BTBZMqHH6r4Tts7J_aSIgg",'
             '"p256dh":"' + public_key + '"}}')
# A phone sign-in request body as the authenticator sends it (sorted keys, no extra spaces).
PHONE_BODY = ('{"approvalSignature":"AAAA","nonce":"' + KEY_CHANGE_NONCE + '","proof":"AAAA","publicKey":"'
              + public_key + '"}')


def entry(name, builder, inputs, text, note=None):
    e = {"name": name, "builder": builder, "inputs": inputs, "bytes": text, "signature": sign(text)}
    if note:
        e["note"] = note
    return e


def request(name, method, path, time, body, note=None):
    inputs = {"method": method, "path": path, "deviceID": DEVICE, "time": time, "nonce": REQUEST_NONCE, "body": body}
    text = lines("tandem-device-request/v2", [
        ("method", method), ("path", path), ("device", DEVICE), ("time", str(time)),
        ("nonce", REQUEST_NONCE), ("body", body_digest(body))])
    return entry(name, "requestV2", inputs, text, note)


valid = [
    request("request-v2-get-pending", "GET", "/device/v1/pending", 1795946400, "",
            "an empty body: body= is the SHA-256 of zero bytes"),
    request("request-v2-post-key-change-nonce", "POST", "/device/v1/key-change-nonce", 1795946401, ""),
    request("request-v2-post-phone-sign-in", "POST", "/device/v1/phone-sign-in", 1795946402, PHONE_BODY,
            "the digest is over the exact body bytes sent"),
    request("request-v2-delete-phone-sign-in", "DELETE", "/device/v1/phone-sign-in", 0, ""),
    request("request-v2-put-push-subscription", "PUT", "/device/v1/push-subscription", 1795946404, PUSH_BODY,
            "PUT joined the methods with Web Push (protocol version 3); the bytes are otherwise those of version 2"),
    request("request-v2-prefixed-path", "GET", "/tandem/device/v1/notices", 1795946403, "",
            "the path as the server receives it, with a deployment prefix"),
    entry("key-change-phone-sign-in", "keyChange",
          {"deviceID": DEVICE, "nonce": KEY_CHANGE_NONCE, "change": "phoneSignIn", "publicKey": public_key},
          lines("tandem-device-key-change/v1", [("device", DEVICE), ("nonce", KEY_CHANGE_NONCE),
                                                ("change", "phoneSignIn"), ("key", public_key)]),
          "signed by the approval key and by the new key; here the test key signs"),
]


def invalid(name, builder, inputs, reason):
    return {"name": name, "builder": builder, "inputs": inputs, "reason": reason}


req = {"method": "GET", "path": "/device/v1/pending", "deviceID": DEVICE, "time": 1, "nonce": REQUEST_NONCE, "body": ""}
kc = {"deviceID": DEVICE, "nonce": KEY_CHANGE_NONCE, "change": "phoneSignIn", "publicKey": public_key}
invalids = [
    invalid("request-v2-short-nonce", "requestV2", {**req, "nonce": "c2hvcnQ"}, "request nonce shorter than 16 characters"),
    invalid("request-v2-empty-nonce", "requestV2", {**req, "nonce": ""}, "empty request nonce"),
    invalid("request-v2-nonce-with-newline", "requestV2", {**req, "nonce": REQUEST_NONCE + "\nbody=x"}, "newline in the nonce"),
    invalid("request-v2-nonce-standard-base64", "requestV2", {**req, "nonce": "rQ7nC3+Xy/0aZk9LmP2w1g"}, "standard base64 nonce"),
    invalid("request-v2-patch", "requestV2", {**req, "method": "PATCH"}, "method outside GET/POST/PUT/DELETE"),
    invalid("request-v2-path-with-query", "requestV2", {**req, "path": "/device/v1/pending?x=1"}, "query in path"),
    invalid("request-v2-negative-time", "requestV2", {**req, "time": -1}, "negative time"),
    invalid("key-change-empty-nonce", "keyChange", {**kc, "nonce": ""}, "empty nonce"),
    invalid("key-change-nonce-with-equals", "keyChange", {**kc, "nonce": KEY_CHANGE_NONCE + "="}, "'=' in the nonce"),
    invalid("key-change-standard-base64-key", "keyChange", {**kc, "publicKey": "BAB+/w=="}, "standard base64 key"),
    invalid("key-change-empty-device", "keyChange", {**kc, "deviceID": ""}, "empty device id"),
]

document = {
    "description": "Golden vectors for the signed bytes docs/push-protocol.md added in version 2 "
                   "(tandem-device-request/v2, tandem-device-key-change/v1). 'bytes' is the exact ASCII text a device "
                   "signs; 'signature' is ECDSA P-256 / SHA-256 (RFC 6979 deterministic) by the test key below, "
                   "base64url raw r||s. requestV2's 'body' input is the body text; the bytes carry its SHA-256, base64url. "
                   "'invalid' lists inputs every builder must refuse. Generated by generate-signed-bytes-v2.py; frozen.",
    "version": 2,
    "testKey": {
        "warning": "TEST ONLY: the private key of RFC 6979 A.2.5, known to everyone. Never use it for anything real.",
        "privateKeyHex": PRIVATE_KEY_HEX,
        "publicKey": public_key,
    },
    "valid": valid,
    "invalid": invalids,
}
print(json.dumps(document, indent=2, ensure_ascii=True))
