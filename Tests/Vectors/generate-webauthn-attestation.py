#!/usr/bin/env python3
"""Generates webauthn-attestation-vectors.json: `packed` full attestation (x5c) registrations built
by independent implementations -- `cryptography` for the attestation root, intermediate and
attestation certificates (with the FIDO AAGUID extension 1.3.6.1.4.1.45724.1.1.4) and the
signatures, `fido2` for CBOR, authenticator data, attestation objects and client data -- and
checked by `fido2`'s own `PackedAttestation` and `verify_x509_chain` before they are written.
Tandem's verifier (TandemCore/WebAuthn, decision 0037) must accept every `valid` entry as
`basic` when the policy enforces attestation with `roots` at `now`, and refuse every `invalid`
entry with the listed rejection (`WebAuthnRejection` case name), under the entry's `policy`.

Keys are fixed test keys (public, TEST ONLY); certificate and statement signatures are
deterministic (RFC 6979 ECDSA, RSA PKCS#1 v1.5), serials and dates fixed, so rerunning
reproduces the committed file byte for byte.

Needs python3 with `fido2` (2.x) and `cryptography` (>= 44, for ecdsa_deterministic).
Usage: python3 Tests/Vectors/generate-webauthn-attestation.py > Tests/Vectors/webauthn-attestation-vectors.json
"""
import datetime
import hashlib
import json
import re
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import NameOID
from fido2.attestation import AttestationType, InvalidData, InvalidSignature, PackedAttestation, verify_x509_chain
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

RP_ID = "login.tandem.test"
ORIGIN = "https://login.tandem.test"
UP, UV, AT = 0x01, 0x04, 0x40
AAGUID = bytes.fromhex("3b24b5e4c3d04bd88c1e6a0a2f8d4c11")   # a made-up model of the test vendor
OTHER_AAGUID = bytes.fromhex("ee882879721c491397753dfcce97072a")
AAGUID_OID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


def key(scalar_hex):
    """TEST ONLY: a P-256 key from a fixed scalar."""
    return ec.derive_private_key(int(scalar_hex, 16), ec.SECP256R1())


CREDENTIAL_KEY = key("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")   # RFC 6979 A.2.5
ROOT_KEY = key("1" * 64)
INTERMEDIATE_KEY = key("2" * 64)
ATTESTATION_KEY = key("3" * 64)
OTHER_ROOT_KEY = key("4" * 64)
# The RSA test key of generate-webauthn.py (one TEST ONLY RSA key for all vectors).
RSA_KEY = serialization.load_pem_private_key(re.search(
    r"-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----",
    (Path(__file__).parent / "generate-webauthn.py").read_text(), re.S).group(0).encode(), password=None)


def name(cn, ou="Authenticator Attestation", o="Tandem Test Authenticators", c="US"):
    attributes = []
    if c:
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, c))
    if o:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if ou:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attributes)


def certificate(subject, public_key, issuer, issuer_key, serial, ca, not_before=datetime.datetime(2024, 1, 1),
                not_after=datetime.datetime(2034, 1, 1), aaguid=None, aaguid_critical=False, basic_constraints=True):
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(serial).not_valid_before(not_before.replace(tzinfo=datetime.timezone.utc))
               .not_valid_after(not_after.replace(tzinfo=datetime.timezone.utc)))
    if basic_constraints:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                                      data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                                      crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    if aaguid is not None:
        builder = builder.add_extension(x509.UnrecognizedExtension(AAGUID_OID, b"\x04\x10" + aaguid), critical=aaguid_critical)
    return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)


ROOT_NAME = name("Tandem Test Attestation Root", ou=None)
ROOT = certificate(ROOT_NAME, ROOT_KEY.public_key(), ROOT_NAME, ROOT_KEY, 1, ca=True,
                   not_before=datetime.datetime(2020, 1, 1), not_after=datetime.datetime(2040, 1, 1))
INTERMEDIATE_NAME = name("Tandem Test Attestation CA 1", ou=None)
INTERMEDIATE = certificate(INTERMEDIATE_NAME, INTERMEDIATE_KEY.public_key(), ROOT_NAME, ROOT_KEY, 2, ca=True,
                           not_before=datetime.datetime(2020, 1, 1), not_after=datetime.datetime(2038, 1, 1))
OTHER_ROOT_NAME = name("Some Other Vendor Root", ou=None, o="Other Vendor")
OTHER_ROOT = certificate(OTHER_ROOT_NAME, OTHER_ROOT_KEY.public_key(), OTHER_ROOT_NAME, OTHER_ROOT_KEY, 3, ca=True,
                         not_before=datetime.datetime(2020, 1, 1), not_after=datetime.datetime(2040, 1, 1))
LEAF_NAME = name("Tandem Test Key Series 1")


def leaf(serial, issuer=ROOT_NAME, issuer_key=ROOT_KEY, public_key=None, subject=LEAF_NAME, **kwargs):
    return certificate(subject, public_key or ATTESTATION_KEY.public_key(), issuer, issuer_key, serial, ca=kwargs.pop("ca", False), **kwargs)


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def pem(*certs):
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def challenge(label):
    return hashlib.sha256(("attestation-challenge:" + label).encode()).digest()


def registration(label, chain, signer=ATTESTATION_KEY, alg=-7, aaguid=AAGUID, bad_sig=False):
    """A registration whose `packed` statement is signed by `signer` and carries `chain` as x5c."""
    chal = challenge(label)
    cdata = CollectedClientData.create("webauthn.create", chal, ORIGIN)
    credential_id = hashlib.sha256(("attested-credential:" + label).encode()).digest()
    cred = AttestedCredentialData.create(aaguid, credential_id, ES256.from_cryptography_key(CREDENTIAL_KEY.public_key()))
    auth = AuthenticatorData.create(hashlib.sha256(RP_ID.encode()).digest(), UP | UV | AT, 0, cred)
    signed = bytes(auth) + hashlib.sha256(cdata).digest()
    if bad_sig:
        signed += b"!"
    if alg == -257:
        sig = signer.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    else:
        sig = signer.sign(signed, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    att = AttestationObject.create("packed", auth, {"alg": alg, "sig": sig, "x5c": [der(c) for c in chain]})
    return {"name": label, "challenge": websafe_encode(chal), "clientDataJSON": websafe_encode(cdata),
            "attestationObject": websafe_encode(bytes(att)), "credentialId": websafe_encode(credential_id),
            "aaguid": str(uuid.UUID(bytes=aaguid))}, att, cdata


def fido2_verdict(att, cdata, roots):
    """fido2's own judgement: PackedAttestation (signature, certificate requirements, AAGUID), then the chain."""
    try:
        result = PackedAttestation().verify(att.att_stmt, att.auth_data, hashlib.sha256(cdata).digest())
    except (InvalidSignature, InvalidData) as error:
        return "refused: " + type(error).__name__
    assert result.attestation_type == AttestationType.BASIC, result
    leaf_cert = x509.load_der_x509_certificate(result.trust_path[0])
    if not (leaf_cert.not_valid_before_utc <= NOW <= leaf_cert.not_valid_after_utc):
        return "refused: expired"
    for root in roots:
        try:
            verify_x509_chain(result.trust_path + [der(root)])
            return "basic"
        except (InvalidSignature, InvalidData, ValueError):
            continue
    return "refused: untrusted"


def main():
    rsa_leaf = leaf(13, public_key=RSA_KEY.public_key(), aaguid=AAGUID)
    valid = [
        (registration("ES256 attestation certificate under the root", [leaf(10, aaguid=AAGUID)]), {}),
        (registration("ES256 attestation certificate under an intermediate",
                      [leaf(11, issuer=INTERMEDIATE_NAME, issuer_key=INTERMEDIATE_KEY, aaguid=AAGUID), INTERMEDIATE]), {}),
        (registration("attestation certificate without the AAGUID extension", [leaf(12)]), {}),
        (registration("RS256 attestation certificate", [rsa_leaf], signer=RSA_KEY, alg=-257), {}),
        (registration("attested model on the allow list", [leaf(14, aaguid=AAGUID)]),
         {"allowedAAGUIDs": [str(uuid.UUID(bytes=AAGUID))]}),
    ]
    invalid = [
        (registration("chain to an unknown root", [leaf(20, issuer=OTHER_ROOT_NAME, issuer_key=OTHER_ROOT_KEY, aaguid=AAGUID)]),
         "attestationUntrusted", {}),
        (registration("intermediate left out of x5c", [leaf(21, issuer=INTERMEDIATE_NAME, issuer_key=INTERMEDIATE_KEY, aaguid=AAGUID)]),
         "attestationUntrusted", {}),
        (registration("expired attestation certificate",
                      [leaf(22, aaguid=AAGUID, not_before=datetime.datetime(2020, 1, 1), not_after=datetime.datetime(2022, 1, 1))]),
         "attestationCertificateExpired", {}),
        (registration("attestation certificate not yet valid",
                      [leaf(23, aaguid=AAGUID, not_before=datetime.datetime(2030, 1, 1), not_after=datetime.datetime(2035, 1, 1))]),
         "attestationCertificateExpired", {}),
        (registration("signature over other bytes", [leaf(24, aaguid=AAGUID)], bad_sig=True), "attestationInvalid", {}),
        (registration("signature by another key than the certificate's", [leaf(25, aaguid=AAGUID)], signer=CREDENTIAL_KEY),
         "attestationInvalid", {}),
        (registration("AAGUID extension names another model", [leaf(26, aaguid=OTHER_AAGUID)]), "attestationAAGUIDMismatch", {}),
        (registration("attestation certificate with CA true", [leaf(27, aaguid=AAGUID, ca=True)]), "attestationCertificateInvalid", {}),
        (registration("attestation certificate without basicConstraints", [leaf(28, aaguid=AAGUID, basic_constraints=False)]),
         "attestationCertificateInvalid", {}),
        (registration("attestation certificate without the OU", [leaf(29, aaguid=AAGUID, subject=name("Tandem Test Key", ou="Engineering"))]),
         "attestationCertificateInvalid", {}),
        (registration("attestation certificate without a country", [leaf(30, aaguid=AAGUID, subject=name("Tandem Test Key", c=None))]),
         "attestationCertificateInvalid", {}),
        (registration("critical AAGUID extension", [leaf(31, aaguid=AAGUID, aaguid_critical=True)]), "attestationCertificateInvalid", {}),
        (registration("attested model on the block list", [leaf(32, aaguid=AAGUID)]), "aaguidNotAllowed",
         {"blockedAAGUIDs": [str(uuid.UUID(bytes=AAGUID))]}),
        (registration("attested model not on the allow list", [leaf(33, aaguid=AAGUID)]), "aaguidNotAllowed",
         {"allowedAAGUIDs": [str(uuid.UUID(bytes=OTHER_AAGUID))]}),
    ]
    # fido2 agrees: every valid entry is basic attestation chaining to the root; every certificate-level refusal is fido2's too.
    fido2_expect = {"attestationUntrusted": "refused: untrusted", "attestationCertificateExpired": "refused: expired",
                    "attestationInvalid": "refused: InvalidSignature", "attestationAAGUIDMismatch": "refused: InvalidData",
                    "attestationCertificateInvalid": "refused: InvalidData", "aaguidNotAllowed": "basic"}
    valid_out = []
    for (entry, att, cdata), policy in valid:
        assert fido2_verdict(att, cdata, [ROOT]) == "basic", entry["name"]
        valid_out.append(dict(entry, policy=policy, expect={"attestation": "basic", "format": "packed"}))
    invalid_out = []
    for (entry, att, cdata), rejection, policy in invalid:
        verdict = fido2_verdict(att, cdata, [ROOT])
        assert verdict == fido2_expect[rejection], (entry["name"], verdict)
        invalid_out.append(dict(entry, policy=policy, rejection=rejection, fido2=verdict))
    print(json.dumps({"rp": {"id": RP_ID, "origin": ORIGIN}, "now": int(NOW.timestamp()),
                      "roots": pem(ROOT), "otherRoots": pem(OTHER_ROOT), "intermediate": pem(INTERMEDIATE),
                      "valid": valid_out, "invalid": invalid_out}, indent=2))


main()
