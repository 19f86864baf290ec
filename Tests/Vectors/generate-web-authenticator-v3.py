#!/usr/bin/env python3
"""Generates web-authenticator-v3.json: the golden vectors of the web authenticator (protocol
version 3, docs/push-protocol.md "Version 3: the web authenticator", decision 0022).

Built only with Python's standard library and `cryptography` (not Tandem's code): a device key
(the RFC 6979 A.2.5 test key, as in the v1/v2 vectors, standing in for the non-extractable
WebCrypto key), the canonical answer bytes, the device key's raw r||s signature, and a WebAuthn
assertion of the approval passkey (a second fixed P-256 key) whose challenge is SHA-256 of those
same bytes: authenticatorData, clientDataJSON and the DER ECDSA signature over
authenticatorData || SHA-256(clientDataJSON). Also the passkey's registration (attestation
"none", CBOR written by hand below), a phone sign-in assertion over the key-change bytes with
key = the device key, and negative cases, each changing one thing of a valid assertion, with the
check that must refuse it. When Python `fido2` is installed its relying party (`Fido2Server`)
checks the valid assertions too, as a second opinion.

Keys are public TEST ONLY keys and signatures are deterministic (RFC 6979), so rerunning writes
the committed file byte for byte.

Usage: python3 Tests/Vectors/generate-web-authenticator-v3.py > Tests/Vectors/web-authenticator-v3.json
"""
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

PUBLIC_URL = "https://login.tandem.test"
RP_ID = "login.tandem.test"
ORIGIN = PUBLIC_URL
UP, UV, AT = 0x01, 0x04, 0x40

# TEST ONLY. The device key: RFC 6979 appendix A.2.5's P-256 key (public, known to everyone).
DEVICE_KEY = ec.derive_private_key(int("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", 16), ec.SECP256R1())
# TEST ONLY. The approval passkey's credential key, and another credential (another device's).
PASSKEY_KEY = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"tandem web authenticator v3: approval passkey").digest(), "big"),
                                    ec.SECP256R1())
OTHER_KEY = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"tandem web authenticator v3: another passkey").digest(), "big"),
                                  ec.SECP256R1())
CREDENTIAL_ID = hashlib.sha256(b"tandem web authenticator v3: credential id").digest()[:16]
OTHER_CREDENTIAL_ID = hashlib.sha256(b"tandem web authenticator v3: other credential id").digest()[:16]
REGISTRATION_CHALLENGE = hashlib.sha256(b"tandem web authenticator v3: registration challenge").digest()

DEVICE_ID = "webDevice0000000000001"
CHALLENGE_ID = "webChallenge0000000001"
NONCE = "bm9uY2Utb2YtdGhlLXdlYi1hdXRoZW50aWNhdG9yLXYz"
KEY_CHANGE_NONCE = "a2V5LWNoYW5nZS1ub25jZS1vZi10aGUtd2ViLWF1dGhlbnRpY2F0b3I"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def x963(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def raw_signature(key, message: bytes) -> str:
    """The device key's signature as the protocol sends it (and WebCrypto makes it): raw r||s."""
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True)))
    return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def der_signature(key, message: bytes) -> bytes:
    """A WebAuthn ES256 assertion signature: ASN.1 DER."""
    return key.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))


# --- a minimal CBOR encoder (RFC 8949 §4.2 deterministic: definite lengths, shortest heads) ---
def cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError(value)


def cbor(item) -> bytes:
    if isinstance(item, bool):
        raise TypeError("no booleans needed")
    if isinstance(item, int):
        return cbor_head(0, item) if item >= 0 else cbor_head(1, -1 - item)
    if isinstance(item, bytes):
        return cbor_head(2, len(item)) + item
    if isinstance(item, str):
        data = item.encode("utf-8")
        return cbor_head(3, len(data)) + data
    if isinstance(item, list):
        return cbor_head(4, len(item)) + b"".join(cbor(x) for x in item)
    if isinstance(item, dict):   # keys in the order given (written in canonical order below)
        return cbor_head(5, len(item)) + b"".join(cbor(k) + cbor(v) for k, v in item.items())
    raise TypeError(type(item))


def cose_key(key) -> bytes:
    """COSE_Key of an ES256 credential: kty EC2, alg ES256, crv P-256, x, y (RFC 9053)."""
    point = x963(key)
    return cbor({1: 2, 3: -7, -1: 1, -2: point[1:33], -3: point[33:65]})


def lines(version, fields):
    return (version + "\n" + "".join(f"{name}={value}\n" for name, value in fields)).encode("ascii")


def answer_bytes(decision="approve", number="42", challenge_id=CHALLENGE_ID, nonce=NONCE, device=DEVICE_ID):
    return lines("tandem-push-answer/v1", [("challenge", challenge_id), ("nonce", nonce), ("device", device),
                                           ("decision", decision), ("number", number if decision == "approve" else "")])


def key_change_bytes(nonce=KEY_CHANGE_NONCE):
    return lines("tandem-device-key-change/v1", [("device", DEVICE_ID), ("nonce", nonce), ("change", "phoneSignIn"),
                                                 ("key", b64url(x963(DEVICE_KEY)))])


def client_data(kind: str, challenge: bytes, origin=ORIGIN, cross_origin=None) -> bytes:
    """clientDataJSON as browsers serialise it (WebAuthn L3 §5.8.1.1: type, challenge, origin, crossOrigin)."""
    text = '{"type":%s,"challenge":%s,"origin":%s' % (json.dumps(kind), json.dumps(b64url(challenge)), json.dumps(origin))
    text += ',"crossOrigin":%s}' % ("true" if cross_origin else "false")
    return text.encode("utf-8")


def authenticator_data(flags: int, counter: int, rp_id=RP_ID, attested: bytes = b"") -> bytes:
    return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", counter) + attested


def assertion(signed: bytes, counter: int, flags=UP | UV, kind="webauthn.get", origin=ORIGIN, rp_id=RP_ID, key=PASSKEY_KEY,
              credential_id=CREDENTIAL_ID, cross_origin=None, challenge=None):
    """An assertion whose challenge is SHA-256(`signed`) (or `challenge` when given)."""
    cdata = client_data(kind, challenge if challenge is not None else hashlib.sha256(signed).digest(), origin, cross_origin)
    auth = authenticator_data(flags, counter, rp_id)
    return {"credentialId": b64url(credential_id), "clientDataJSON": b64url(cdata), "authenticatorData": b64url(auth),
            "signature": b64url(der_signature(key, auth + hashlib.sha256(cdata).digest()))}


def registration():
    attested = bytes(16) + struct.pack(">H", len(CREDENTIAL_ID)) + CREDENTIAL_ID + cose_key(PASSKEY_KEY)
    auth = authenticator_data(UP | UV | AT, 0, attested=attested)
    attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth})
    return {"challenge": b64url(REGISTRATION_CHALLENGE), "credentialId": b64url(CREDENTIAL_ID),
            "clientDataJSON": b64url(client_data("webauthn.create", REGISTRATION_CHALLENGE)),
            "attestationObject": b64url(attestation), "publicKey": b64url(cose_key(PASSKEY_KEY)), "signCount": 0}


def second_opinion(valid):
    """Python fido2's relying party checks the valid assertions too, when it is installed."""
    try:
        from fido2.server import Fido2Server
        from fido2.webauthn import AttestedCredentialData, PublicKeyCredentialRpEntity
        from fido2.cose import ES256
    except ImportError:
        print("fido2 not installed: no second opinion", file=sys.stderr)
        return
    server = Fido2Server(PublicKeyCredentialRpEntity(id=RP_ID, name="Tandem"))
    credential = AttestedCredentialData.create(bytes(16), CREDENTIAL_ID, ES256.from_cryptography_key(PASSKEY_KEY.public_key()))
    for name, signed, a in valid:
        state = {"challenge": b64url(hashlib.sha256(signed).digest()), "user_verification": "required"}
        response = {"id": a["credentialId"], "rawId": a["credentialId"], "type": "public-key",
                    "response": {k: a[k] for k in ("clientDataJSON", "authenticatorData", "signature")}}
        server.authenticate_complete(state, [credential], response)
    print(f"fido2 accepted {len(valid)} assertions", file=sys.stderr)


def main():
    approve = answer_bytes()
    deny = answer_bytes("deny")
    other = answer_bytes(number="43")
    key_change = key_change_bytes()
    # The passkey registered with counter 0; the approval counts 1, the phone sign-in 2.
    approve_assertion = assertion(approve, 1)
    phone_assertion = assertion(key_change, 2)
    second_opinion([("approve", approve, approve_assertion), ("phone sign-in", key_change, phone_assertion)])

    def case(name, check, a, stored=0, signed=approve):
        return {"name": name, "check": check, "storedSignCount": stored, "bytes": signed.decode("ascii"), "assertion": a}

    invalid = [
        case("UV off (no user verification)", "userNotVerified", assertion(approve, 1, flags=UP)),
        case("UP off (no user presence)", "userNotPresent", assertion(approve, 1, flags=UV)),
        case("challenge over other bytes (number 43)", "challengeMismatch", assertion(other, 1)),
        case("challenge is the answer bytes themselves, not their SHA-256", "challengeMismatch", assertion(approve, 1, challenge=approve)),
        case("counter regression (1 after 5)", "signCountRegressed", assertion(approve, 1), stored=5),
        case("counter repeated (1 after 1)", "signCountRegressed", assertion(approve, 1), stored=1),
        case("counter stays 0 after a non-zero count", "signCountRegressed", assertion(approve, 0), stored=3),
        case("type webauthn.create", "wrongType", assertion(approve, 1, kind="webauthn.create")),
        case("another origin", "originMismatch", assertion(approve, 1, origin="https://evil.test")),
        case("origin with another port", "originMismatch", assertion(approve, 1, origin="https://login.tandem.test:8443")),
        case("cross-origin iframe", "crossOrigin", assertion(approve, 1, cross_origin=True)),
        case("RP ID hash of another RP", "rpIDMismatch", assertion(approve, 1, rp_id="evil.test")),
        case("signed by another key", "signatureInvalid", assertion(approve, 1, key=OTHER_KEY)),
        case("another device's credential", "credential", assertion(approve, 1, key=OTHER_KEY, credential_id=OTHER_CREDENTIAL_ID)),
    ]
    # One more: a valid assertion whose authenticator data was changed after signing (counter bumped).
    tampered = dict(approve_assertion)
    auth = bytearray(base64.urlsafe_b64decode(tampered["authenticatorData"] + "=="))
    auth[36] ^= 0x02
    tampered["authenticatorData"] = b64url(bytes(auth))
    invalid.append(case("authenticator data changed after signing", "signatureInvalid", tampered))

    document = {
        "description": "Golden vectors of the web authenticator, docs/push-protocol.md version 3. "
                       "Generated by generate-web-authenticator-v3.py with Python cryptography; test keys only.",
        "version": 3,
        "publicURL": PUBLIC_URL,
        "rpId": RP_ID,
        "origin": ORIGIN,
        "deviceKey": {"privateKeyHex": "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
                      "publicKey": b64url(x963(DEVICE_KEY))},
        "deviceId": DEVICE_ID,
        "registration": registration(),
        "answer": {"challengeId": CHALLENGE_ID, "nonce": NONCE, "decision": "approve", "number": "42",
                   "bytes": approve.decode("ascii"), "challenge": b64url(hashlib.sha256(approve).digest()),
                   "signature": raw_signature(DEVICE_KEY, approve), "assertion": approve_assertion, "signCount": 1},
        "deny": {"challengeId": CHALLENGE_ID, "nonce": NONCE, "decision": "deny", "bytes": deny.decode("ascii"),
                 "signature": raw_signature(DEVICE_KEY, deny)},
        "phoneSignIn": {"nonce": KEY_CHANGE_NONCE, "bytes": key_change.decode("ascii"),
                        "challenge": b64url(hashlib.sha256(key_change).digest()), "assertion": phone_assertion,
                        "storedSignCount": 1, "signCount": 2},
        "invalid": invalid,
    }
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
