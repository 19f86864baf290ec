#!/usr/bin/env python3
"""Generates signed-bytes-v1.json, the golden vectors for docs/push-protocol.md.

Written from the protocol document, independently of the Swift builders, so the vectors check
the Swift code rather than echo it. Signatures are deterministic (RFC 6979), so rerunning this
script reproduces the committed file byte for byte. The file is frozen: change it only together
with a new protocol version.

Needs python3 with `cryptography` (>= 43 for deterministic ECDSA).
Usage: python3 Tests/Vectors/generate-signed-bytes-v1.py > Tests/Vectors/signed-bytes-v1.json
"""
import json

from vector_signing import PRIVATE_KEY_HEX, key, lines, public_key, sign  # noqa: F401


CHALLENGE = "q3Jx0S8yZ9bYc1d2E3f4gA"                            # 16 bytes, base64url
NONCE = "n0nce-Vw8Zq2Lk5Rt7Yb3Xc9Hd4Jf6Gs1Ap0Om2N-_Q"           # 32 bytes, base64url
DEVICE = "5f0c3a9e-2b7d-4e11-9a6c-0d2e8f4b7c31"                  # UUID-shaped device id
SERVER_NONCE = "hLl0-Srv_N0nce4Channel8Open2Tandem6Push1Abc"     # 32 bytes, base64url


def answer(name, decision, number, note=None):
    inputs = {"challengeID": CHALLENGE, "nonce": NONCE, "deviceID": DEVICE, "decision": decision}
    if number is not None:
        inputs["number"] = number
    typed = number if decision == "approve" else ""
    text = lines("tandem-push-answer/v1", [
        ("challenge", CHALLENGE), ("nonce", NONCE), ("device", DEVICE),
        ("decision", decision), ("number", typed)])
    return entry(name, "answer", inputs, text, note)


def entry(name, builder, inputs, text, note=None):
    e = {"name": name, "builder": builder, "inputs": inputs, "bytes": text, "signature": sign(text)}
    if note:
        e["note"] = note
    return e


valid = [
    answer("answer-approve", "approve", "42"),
    answer("answer-approve-six-digits", "approve", "305172"),
    answer("answer-approve-leading-zero", "approve", "07", "typed digits are signed as typed"),
    answer("answer-deny", "deny", None),
    answer("answer-deny-ignores-number", "deny", "42", "number is empty unless decision=approve"),
    answer("answer-report", "report", None),
    entry("connect", "connect", {"deviceID": DEVICE, "nonce": SERVER_NONCE},
          lines("tandem-device-connect/v1", [("device", DEVICE), ("nonce", SERVER_NONCE)])),
    entry("request-get-pending", "request",
          {"method": "GET", "path": "/device/v1/pending", "deviceID": DEVICE, "time": 1795946400},
          lines("tandem-device-request/v1", [("method", "GET"), ("path", "/device/v1/pending"),
                                             ("device", DEVICE), ("time", "1795946400")])),
    entry("request-post-phone-sign-in", "request",
          {"method": "POST", "path": "/device/v1/phone-sign-in", "deviceID": DEVICE, "time": 1795946401},
          lines("tandem-device-request/v1", [("method", "POST"), ("path", "/device/v1/phone-sign-in"),
                                             ("device", DEVICE), ("time", "1795946401")])),
    entry("request-delete-phone-sign-in", "request",
          {"method": "DELETE", "path": "/device/v1/phone-sign-in", "deviceID": DEVICE, "time": 0},
          lines("tandem-device-request/v1", [("method", "DELETE"), ("path", "/device/v1/phone-sign-in"),
                                             ("device", DEVICE), ("time", "0")])),
    entry("phone-sign-in", "phoneSignIn", {"deviceID": DEVICE, "publicKey": public_key},
          lines("tandem-phone-sign-in/v1", [("device", DEVICE), ("key", public_key)]),
          "signed by the new phone sign-in key; here the test key signs its own public key"),
]


def invalid(name, builder, inputs, reason):
    return {"name": name, "builder": builder, "inputs": inputs, "reason": reason}


base = {"challengeID": CHALLENGE, "nonce": NONCE, "deviceID": DEVICE}
invalids = [
    invalid("answer-challenge-with-newline", "answer",
            {**base, "challengeID": CHALLENGE + "\nnonce=x", "decision": "deny"}, "newline in a value"),
    invalid("answer-challenge-with-equals", "answer",
            {**base, "challengeID": CHALLENGE + "=", "decision": "deny"}, "'=' in a value"),
    invalid("answer-empty-challenge", "answer", {**base, "challengeID": "", "decision": "deny"}, "empty id"),
    invalid("answer-challenge-too-long", "answer", {**base, "challengeID": "A" * 513, "decision": "deny"},
            "id longer than 512 characters"),
    invalid("answer-nonce-standard-base64", "answer", {**base, "nonce": "ab+/cd", "decision": "deny"},
            "standard base64, not base64url"),
    invalid("answer-device-with-space", "answer", {**base, "deviceID": "dev ice", "decision": "report"},
            "space in a value"),
    invalid("answer-approve-without-number", "answer", {**base, "decision": "approve"}, "approve needs digits"),
    invalid("answer-approve-empty-number", "answer", {**base, "decision": "approve", "number": ""},
            "approve needs digits"),
    invalid("answer-approve-non-digit", "answer", {**base, "decision": "approve", "number": "4a"}, "not digits"),
    invalid("answer-approve-nine-digits", "answer", {**base, "decision": "approve", "number": "123456789"},
            "more than 8 digits"),
    invalid("answer-approve-unicode-digits", "answer", {**base, "decision": "approve", "number": "\u0664\u0662"},
            "non-ASCII digits"),
    invalid("connect-empty-nonce", "connect", {"deviceID": DEVICE, "nonce": ""}, "empty nonce"),
    invalid("connect-nonce-with-newline", "connect", {"deviceID": DEVICE, "nonce": "abc\ndevice=x"},
            "newline in a value"),
    invalid("request-put", "request", {"method": "PUT", "path": "/device/v1/pending", "deviceID": DEVICE, "time": 1},
            "method outside GET/POST/DELETE"),
    invalid("request-lowercase-get", "request",
            {"method": "get", "path": "/device/v1/pending", "deviceID": DEVICE, "time": 1}, "method is case-sensitive"),
    invalid("request-path-with-query", "request",
            {"method": "GET", "path": "/device/v1/pending?x=1", "deviceID": DEVICE, "time": 1}, "query in path"),
    invalid("request-relative-path", "request",
            {"method": "GET", "path": "device/v1/pending", "deviceID": DEVICE, "time": 1}, "path without leading '/'"),
    invalid("request-path-with-newline", "request",
            {"method": "GET", "path": "/device/v1/pending\ntime=1", "deviceID": DEVICE, "time": 1}, "newline in path"),
    invalid("request-negative-time", "request",
            {"method": "GET", "path": "/device/v1/pending", "deviceID": DEVICE, "time": -1}, "negative time"),
    invalid("phone-sign-in-standard-base64-key", "phoneSignIn",
            {"deviceID": DEVICE, "publicKey": "BAB+/w=="}, "standard base64 key"),
    invalid("phone-sign-in-empty-device", "phoneSignIn", {"deviceID": "", "publicKey": public_key}, "empty device id"),
]

document = {
    "description": "Golden vectors for Tandem's canonical signed bytes (docs/push-protocol.md, version 1). "
                   "'bytes' is the exact ASCII text a device signs; 'signature' is ECDSA P-256 / SHA-256 "
                   "(RFC 6979 deterministic) by the test key below, base64url raw r||s. 'invalid' lists inputs "
                   "every builder must refuse (return nil). Generated by generate-signed-bytes-v1.py; frozen.",
    "version": 1,
    "testKey": {
        "warning": "TEST ONLY: the private key of RFC 6979 A.2.5, known to everyone. Never use it for anything real.",
        "privateKeyHex": PRIVATE_KEY_HEX,
        "publicKey": public_key,
    },
    "valid": valid,
    "invalid": invalids,
}
print(json.dumps(document, indent=2, ensure_ascii=True))
