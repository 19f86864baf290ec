#!/usr/bin/env python3
"""Generates webauthn-vectors.json: WebAuthn registration and authentication responses built by an
independent implementation (Python `fido2` for CBOR, COSE keys, authenticator data, attestation
objects and client data; `cryptography` for the signatures), checked here by `fido2`'s own
relying party (`Fido2Server`) before they are written. Tandem's Swift verifier
(TandemCore/WebAuthn) must accept every `valid` entry with the listed results and refuse every
`invalid` entry with the listed rejection (`WebAuthnRejection` case name).

Keys are fixed test keys (public, TEST ONLY), signatures deterministic (RFC 6979 ECDSA, Ed25519,
RSA PKCS#1 v1.5), so rerunning reproduces the committed file byte for byte.

Needs python3 with `fido2` (2.x) and `cryptography` (>= 43).
Usage: python3 Tests/Vectors/generate-webauthn.py > Tests/Vectors/webauthn-vectors.json
"""
import hashlib
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from fido2 import cbor
from fido2.cose import ES256, RS256, EdDSA
from fido2.server import Fido2Server
from fido2.attestation import AttestationType, PackedAttestation
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData,
                            PublicKeyCredentialRpEntity)

RP_ID = "login.tandem.test"
ORIGIN = "https://login.tandem.test"
RP_ID_HASH = hashlib.sha256(RP_ID.encode()).digest()
UP, UV, BE, BS, AT, ED = 0x01, 0x04, 0x08, 0x10, 0x40, 0x80
AAGUID = bytes.fromhex("ee882879721c491397753dfcce97072a")   # YubiKey 5 series' AAGUID, as a realistic value
ZERO_AAGUID = bytes(16)

# TEST ONLY: public test keys. The P-256 scalar is RFC 6979 appendix A.2.5's.
P256_KEY = ec.derive_private_key(int("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", 16), ec.SECP256R1())
ED25519_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
RSA_KEY = serialization.load_pem_private_key(b"""
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC2UNMgQHW8oOtV
Q4Mg8qQU2wvOnZ1PsFHTdEVj2s+F6yZufnP4WMFVofs0QRPC9xeaf7ygadzNJy+D
jRIcioft9kc+gt1Rue3DFeyqkGMXR9kvuXdSf/aWSZjeMSAKywNoF2GeGXN3BDG9
SzDQoPaS9voykG91cIAc/4WPOOqXtf0IV50Wirm7qoafoJg6iG7l64lnEvz4+/0U
oGuGvUvMUtPfbvcnqWrlSSrNS+qGbaffAroNDLyCXqRGeCUUJQUpFbrfOp31Q/1T
KW+Ibm1gX1EAfasqMv2V2IVAdW/YbiCdJRj04qrlTbAa68M2+F6iXIhTOXWXIaGw
VUYO8i1vAgMBAAECggEAQL7PW4LIzSYwrOT+6nKBBs8LkGK0/RnW1UtTYTTRwfNS
gKbztFyAvFJ8DYCW7gQmI739VNKDkW+7FfLBXdVslHuDrZV315A5+bANjj0ck6X2
YVZyI6BCB/k3CqFTicGzAgJbrnPHZ5rbtye+vDiNmH+RNufITWKYfLPZ0JUb6qgj
BRfHyVgkJ/Czv+WrXaX5hU0ABEp1c16QKpa0CbwVz1pk5a3d24JgkhvIdyy1y5Kp
ly6TvaowgAlgSPCyyAp/yxukb3O0gB3yr03CjUMCyeG3VxGUjoECxNbvdjo/Oyl8
kjYHkoIX96J+6ysouGYRwnIhgG/y329igFpu8Jh+wQKBgQDi33QZxuBPfg6JiRuV
Ty1w6UntIdiughkhZysW+mVfdqSHDPr/63Ngj0DojeLuMVxb+FGaiqRJZW9wV6DZ
68b+14xA9y1sYwrxEfs24z3Cf01chDXWn6ldt/nSSk1iJ+a3Jlrof/Zha2YHOYib
rDkWuaubHAn0PuqGUDwQfI5+fwKBgQDNuO2UJl/uvQ+YgLx0288+L/LhqZS/FABd
FXWFd/5C1xNWeo80kyAx1y7tJVQewd5bQg0RYi43j0631ZNXpRYcyJnIRrBWVUf/
jCtoMgf9vSP7CFCXAnUyEoQrsz1EKkMstOhlYUJ+vP8ELdqyeCClVQlRgHg4B4VV
2d+fyu65EQKBgB8EbdsYVZKIqXQkSqEfMhc9zd2dwwIYx1bJxBpgIXvrvJK6M5bJ
mfyZmUYyH9Rw6y+nw4BddBiUxaeWU2d31L0CuyomoQ8we056Jt5aMxdkUC9V5AZz
zbQCcyVNA0doLSLdG5Ct7gFjrY9PTl36LdPtjoimTLYX4/h4/71BSjoBAoGBAMdU
0TbEfB2qKQteabxdI5ChCxjmpM8ERVnsKgQaAU6ocP9RH6MUj5RbaQe1LK3ksVwB
QwI9/IQvIlnz4qGAv01CfedVvxTX6zxMh96c46tTciKRquy3H/FViaWCNfHvdUlD
PQ7GT5TX8c0N1SMqTI+GNtI2xcWcW/CUfB6rleXRAoGAEhR8sudWaW0UwbKmN/5M
nOHCmURqxR5gKGAh9JITMgpJ8stOp0vg/5Y64+FGec+UOtwHytdP/dRuVDHidUyn
kpRLKWtDfSqV8uo0LMdncF7cpK3q8XHqtVWaNSapFz6Az3ugE42lOuFIh2TNFh9G
3RMiOqf0nNh4OcS8x4DDV34=
-----END PRIVATE KEY-----

""".strip(), password=None)


def b64(data: bytes) -> str:
    return websafe_encode(data)


def sign(alg: str, message: bytes) -> bytes:
    if alg == "ES256":
        return P256_KEY.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    if alg == "EdDSA":
        return ED25519_KEY.sign(message)
    return RSA_KEY.sign(message, padding.PKCS1v15(), hashes.SHA256())


def cose_key(alg: str):
    if alg == "ES256":
        return ES256.from_cryptography_key(P256_KEY.public_key())
    if alg == "EdDSA":
        return EdDSA.from_cryptography_key(ED25519_KEY.public_key())
    return RS256.from_cryptography_key(RSA_KEY.public_key())


def challenge(name: str) -> bytes:
    return hashlib.sha256(("challenge:" + name).encode()).digest()


def credential_id(alg: str) -> bytes:
    return hashlib.sha256(("credential:" + alg).encode()).digest()


def client_data(kind, chal, origin=ORIGIN, cross_origin=False, **extra):
    return CollectedClientData.create(type=kind, challenge=chal, origin=origin, cross_origin=cross_origin, **extra)


def registration(name, alg="ES256", fmt="none", flags=UP | UV | AT, counter=0, kind="webauthn.create", origin=ORIGIN,
                 cross_origin=False, rp_id_hash=RP_ID_HASH, aaguid=ZERO_AAGUID, att_stmt=None, bad_sig=False):
    chal = challenge(name)
    cdata = client_data(kind, chal, origin, cross_origin)
    cred = AttestedCredentialData.create(aaguid, credential_id(alg), cose_key(alg))
    auth = AuthenticatorData.create(rp_id_hash, flags, counter, cred if flags & AT else b"")
    if att_stmt is None:
        if fmt == "packed":
            sig = sign(alg, bytes(auth) + hashlib.sha256(cdata).digest())
            if bad_sig:
                sig = sign(alg, b"something else")
            att_stmt = {"alg": cose_key(alg).ALGORITHM, "sig": sig}
        else:
            att_stmt = {}
    att = AttestationObject.create(fmt, auth, att_stmt)
    return {"name": name, "challenge": b64(chal), "clientDataJSON": b64(cdata), "attestationObject": b64(bytes(att)),
            "credentialId": b64(credential_id(alg)), "publicKey": b64(cbor.encode(dict(cose_key(alg)))), "alg": alg}


def assertion(name, alg="ES256", flags=UP | UV, counter=1, kind="webauthn.get", origin=ORIGIN, cross_origin=False,
              rp_id_hash=RP_ID_HASH, tamper=None):
    chal = challenge(name)
    cdata = client_data(kind, chal, origin, cross_origin)
    auth = bytes(AuthenticatorData.create(rp_id_hash, flags, counter))
    sig = sign(alg, auth + hashlib.sha256(cdata).digest())
    if tamper == "signature":
        sig = sign(alg, auth + hashlib.sha256(cdata + b" ").digest())
    if tamper == "authenticatorData":
        auth = auth[:-1] + bytes([auth[-1] ^ 1])
    return {"name": name, "alg": alg, "challenge": b64(chal), "clientDataJSON": b64(cdata), "authenticatorData": b64(auth),
            "signature": b64(sig), "credentialId": b64(credential_id(alg)), "publicKey": b64(cbor.encode(dict(cose_key(alg))))}


SERVER = Fido2Server(PublicKeyCredentialRpEntity(id=RP_ID, name="Tandem"))


def check_with_fido2_registration(r):
    state = {"challenge": r["challenge"], "user_verification": "required"}
    response = {"id": r["credentialId"], "rawId": r["credentialId"], "type": "public-key",
                "response": {"clientDataJSON": r["clientDataJSON"], "attestationObject": r["attestationObject"]}}
    auth = SERVER.register_complete(state, response)
    att = AttestationObject(websafe_decode(r["attestationObject"]))
    if att.fmt == "packed":   # Fido2Server does not verify attestation unless asked: check the self attestation here
        result = PackedAttestation().verify(att.att_stmt, att.auth_data, hashlib.sha256(websafe_decode(r["clientDataJSON"])).digest())
        assert result.attestation_type == AttestationType.SELF, result
    return auth


def check_with_fido2_assertion(a, credential):
    state = {"challenge": a["challenge"], "user_verification": "required"}
    response = {"id": a["credentialId"], "rawId": a["credentialId"], "type": "public-key",
                "response": {"clientDataJSON": a["clientDataJSON"], "authenticatorData": a["authenticatorData"],
                             "signature": a["signature"]}}
    SERVER.authenticate_complete(state, [credential], response)


def main():
    valid_registrations = [
        dict(registration("none ES256 UV"), expect={"signCount": 0, "userVerified": True, "backupEligible": False,
                                                      "backedUp": False, "format": "none", "attestation": "none",
                                                      "aaguid": "00000000-0000-0000-0000-000000000000"}),
        dict(registration("packed self ES256, synced passkey", fmt="packed", flags=UP | UV | BE | BS | AT, counter=0,
                          aaguid=AAGUID),
             expect={"signCount": 0, "userVerified": True, "backupEligible": True, "backedUp": True, "format": "packed",
                     "attestation": "self", "aaguid": "ee882879-721c-4913-9775-3dfcce97072a"}),
        dict(registration("packed self EdDSA", alg="EdDSA", fmt="packed", counter=7),
             expect={"signCount": 7, "userVerified": True, "backupEligible": False, "backedUp": False, "format": "packed",
                     "attestation": "self", "aaguid": "00000000-0000-0000-0000-000000000000"}),
        dict(registration("none RS256", alg="RS256"),
             expect={"signCount": 0, "userVerified": True, "backupEligible": False, "backedUp": False, "format": "none",
                     "attestation": "none", "aaguid": "00000000-0000-0000-0000-000000000000"}),
    ]
    credentials = {}
    for r in valid_registrations:
        auth = check_with_fido2_registration(r)
        credentials[r["alg"]] = auth.credential_data
    valid_assertions = [
        dict(assertion("assert ES256", counter=1), storedSignCount=0, backupEligible=False,
             expect={"signCount": 1, "userVerified": True, "backedUp": False}),
        dict(assertion("assert ES256 counter zero", counter=0), storedSignCount=0, backupEligible=False,
             expect={"signCount": 0, "userVerified": True, "backedUp": False}),
        dict(assertion("assert EdDSA", alg="EdDSA", counter=8), storedSignCount=7, backupEligible=False,
             expect={"signCount": 8, "userVerified": True, "backedUp": False}),
        dict(assertion("assert RS256", alg="RS256", counter=3), storedSignCount=2, backupEligible=False,
             expect={"signCount": 3, "userVerified": True, "backedUp": False}),
        dict(assertion("assert synced passkey", flags=UP | UV | BE | BS, counter=0), storedSignCount=0, backupEligible=True,
             expect={"signCount": 0, "userVerified": True, "backedUp": True}),
    ]
    for a in valid_assertions:
        check_with_fido2_assertion(a, credentials[a["alg"]])

    other_hash = hashlib.sha256(b"evil.example").digest()
    invalid_registrations = [
        dict(registration("registration with get type", kind="webauthn.get"), rejection="wrongType"),
        dict(registration("registration from another origin", origin="https://login.tandem.test.evil.example"), rejection="originMismatch"),
        dict(registration("registration in a cross-origin frame", cross_origin=True), rejection="crossOrigin"),
        dict(registration("registration for another RP ID", rp_id_hash=other_hash), rejection="rpIDMismatch"),
        dict(registration("registration without user presence", flags=UV | AT), rejection="userNotPresent"),
        dict(registration("registration without user verification", flags=UP | AT), rejection="userNotVerified"),
        dict(registration("registration without credential data", flags=UP | UV), rejection="noCredential"),
        dict(registration("packed self with a bad signature", fmt="packed", bad_sig=True), rejection="attestationInvalid"),
        dict(registration("packed self with the wrong alg", fmt="packed", att_stmt={"alg": -257, "sig": b"\x30\x00"}),
             rejection="attestationInvalid"),
        dict(registration("none with a statement", att_stmt={"sig": b"x"}), rejection="malformedAttestation"),
        dict(registration("backup state without eligibility", flags=UP | UV | BS | AT), rejection="malformedAuthenticatorData"),
    ]
    # A challenge the server did not issue: the response answers a different one.
    wrong = registration("registration answering another challenge")
    wrong["challenge"] = b64(challenge("the challenge the server issued"))
    invalid_registrations.append(dict(wrong, rejection="challengeMismatch"))

    invalid_assertions = [
        dict(assertion("assertion with create type", kind="webauthn.create"), storedSignCount=0, backupEligible=False, rejection="wrongType"),
        dict(assertion("assertion from another origin", origin="https://evil.example"), storedSignCount=0, backupEligible=False,
             rejection="originMismatch"),
        dict(assertion("assertion for another RP ID", rp_id_hash=other_hash), storedSignCount=0, backupEligible=False, rejection="rpIDMismatch"),
        dict(assertion("assertion without user verification", flags=UP), storedSignCount=0, backupEligible=False, rejection="userNotVerified"),
        dict(assertion("assertion without user presence", flags=UV), storedSignCount=0, backupEligible=False, rejection="userNotPresent"),
        dict(assertion("assertion with a signature over other client data", tamper="signature"), storedSignCount=0, backupEligible=False,
             rejection="signatureInvalid"),
        dict(assertion("assertion with changed authenticator data", tamper="authenticatorData"), storedSignCount=0, backupEligible=False,
             rejection="signatureInvalid"),
        dict(assertion("assertion with a regressed counter", counter=5), storedSignCount=5, backupEligible=False, rejection="signCountRegressed"),
        dict(assertion("assertion whose counter fell to zero", counter=0), storedSignCount=9, backupEligible=False, rejection="signCountRegressed"),
        dict(assertion("assertion with backup eligibility gained", flags=UP | UV | BE), storedSignCount=0, backupEligible=False,
             rejection="backupEligibilityChanged"),
        dict(assertion("EdDSA assertion checked with a bad signature", alg="EdDSA", tamper="signature"), storedSignCount=0,
             backupEligible=False, rejection="signatureInvalid"),
        dict(assertion("RS256 assertion checked with a bad signature", alg="RS256", tamper="signature"), storedSignCount=0,
             backupEligible=False, rejection="signatureInvalid"),
    ]
    wrong = assertion("assertion answering another challenge")
    wrong["challenge"] = b64(challenge("the challenge the server issued"))
    invalid_assertions.append(dict(wrong, storedSignCount=0, backupEligible=False, rejection="challengeMismatch"))

    print(json.dumps({"rp": {"id": RP_ID, "origin": ORIGIN},
                      "registrations": {"valid": valid_registrations, "invalid": invalid_registrations},
                      "assertions": {"valid": valid_assertions, "invalid": invalid_assertions}}, indent=2))


main()
