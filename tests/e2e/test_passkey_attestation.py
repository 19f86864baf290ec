"""Enforced passkey attestation over real HTTP (decision 0037): `tandem serve
--fido2-attestation-roots FILE`, the Fido2 policy's `isAttestationEnforced`, and `packed` full
attestation statements built by an independent implementation -- Python `cryptography` makes the
root CA, the attestation certificates (with the FIDO AAGUID extension) and the signatures,
`fido2` the CBOR, authenticator data and attestation object. Each broken statement is refused
with its own clear error and nothing is stored; a good one registers and Graph's fido2Methods
says `attested`. Bad root files are one-line CLI errors with a non-zero exit."""

import datetime
import hashlib
import os
import subprocess

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from conftest import PASSWORD, TANDEM, Server, register, run
from test_passkeys import finish, options, page_csrf

UP, UV, AT = 0x01, 0x04, 0x40
AAGUID = bytes.fromhex("3b24b5e4c3d04bd88c1e6a0a2f8d4c11")
OTHER_AAGUID = bytes.fromhex("ee882879721c491397753dfcce97072a")
AAGUID_TEXT = "3b24b5e4-c3d0-4bd8-8c1e-6a0a2f8d4c11"
UTC = datetime.timezone.utc
FIDO2_URL = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2"


def subject(cn, ou="Authenticator Attestation"):
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "US"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso Keys")]
    if ou:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    return x509.Name(attributes + [x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class CA:
    """A self-signed attestation root made by `cryptography`."""

    def __init__(self, cn):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = subject(cn, ou=None)
        now = datetime.datetime.now(UTC)
        self.certificate = (x509.CertificateBuilder().subject_name(self.name).issuer_name(self.name).public_key(self.key.public_key())
                            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                            .not_valid_after(now + datetime.timedelta(days=3650))
                            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                            .sign(self.key, hashes.SHA256()))

    def pem(self):
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def issue(self, key, aaguid=AAGUID, ca=False, expired=False):
        """An attestation certificate for `key` with the FIDO extensions of WebAuthn §8.2.1.1."""
        now = datetime.datetime.now(UTC)
        start, end = (now - datetime.timedelta(days=400), now - datetime.timedelta(days=30)) if expired else (now - datetime.timedelta(days=1), now + datetime.timedelta(days=365))
        builder = (x509.CertificateBuilder().subject_name(subject("Contoso Key Series 5")).issuer_name(self.name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if aaguid is not None:
            builder = builder.add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"), b"\x04\x10" + aaguid),
                                            critical=False)
        return builder.sign(self.key, hashes.SHA256())


class AttestedAuthenticator:
    """A security key in software: a P-256 credential and a `packed` full attestation statement."""

    def __init__(self, issuer, aaguid=AAGUID, **certificate):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.attestation_key = ec.generate_private_key(ec.SECP256R1())
        self.certificate = issuer.issue(self.attestation_key, **certificate)
        self.aaguid = aaguid
        self.credential_id = os.urandom(32)

    def create(self, options, origin, bad_signature=False, fmt="packed"):
        client_data = CollectedClientData.create("webauthn.create", websafe_decode(options["challenge"]), origin)
        credential = AttestedCredentialData.create(self.aaguid, self.credential_id, ES256.from_cryptography_key(self.key.public_key()))
        auth = AuthenticatorData.create(hashlib.sha256(options["rp"]["id"].encode()).digest(), UP | UV | AT, 0, credential)
        signed = bytes(auth) + hashlib.sha256(client_data).digest() + (b"tampered" if bad_signature else b"")
        statement = {"alg": -7, "sig": self.attestation_key.sign(signed, ec.ECDSA(hashes.SHA256())),
                     "x5c": [self.certificate.public_bytes(serialization.Encoding.DER)]}
        attestation = AttestationObject.create(fmt, auth, statement if fmt == "packed" else {})
        return {"challengeId": options["challengeId"], "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(bytes(attestation)), "transports": ["usb"], "name": "Security key"}


def policy_admin(server):
    run([TANDEM, "users", "add", "policy@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", "policy@contoso.com", "--database", server.db])
    return {"Authorization": "Bearer " + run([TANDEM, "admin", "token", "--user", "policy@contoso.com", "--database", server.db]).stdout.strip()}


def attested_server(folder, roots_file=None):
    s = Server(folder)
    s.stop()
    s.public_url = f"http://localhost:{s.port}"
    s.extra_args = ["--fido2-attestation-roots", str(roots_file)] if roots_file else []
    s.start()
    return s


def fido2_methods(server, headers):
    users = requests.get(server.url + "/v1.0/users", headers=headers).json()["value"]
    alice = next(u for u in users if u["userPrincipalName"] == "alice@contoso.com")["id"]
    r = requests.get(server.url + f"/v1.0/users/{alice}/authentication/fido2Methods", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["value"]


def test_enforced_attestation_accepts_only_a_verified_chain_and_an_allowed_model(tmp_path, phone):
    root, stranger = CA("Contoso Attestation Root"), CA("Unknown Vendor Root")
    roots = tmp_path / "roots.pem"
    roots.write_bytes(root.pem())
    server = attested_server(tmp_path / "server", roots)
    try:
        admin = policy_admin(server)
        browser = register(server, phone)
        r = requests.patch(server.url + FIDO2_URL, json={"isAttestationEnforced": True}, headers=admin)
        assert r.status_code == 204, r.text
        assert requests.get(server.url + FIDO2_URL, headers=admin).json()["isAttestationEnforced"] is True

        refusals = [
            ("chain to an unknown root", AttestedAuthenticator(stranger), {}, 403,
             "the attestation certificate does not chain to a trusted attestation root"),
            ("expired attestation certificate", AttestedAuthenticator(root, expired=True), {}, 403,
             "the attestation certificate is not valid at this time"),
            ("wrong signature", AttestedAuthenticator(root), {"bad_signature": True}, 400, "the attestation statement does not verify"),
            ("AAGUID extension mismatch", AttestedAuthenticator(root, aaguid=OTHER_AAGUID), {}, 400,
             "the attestation certificate's AAGUID is not the authenticator's"),
            ("CA=true attestation certificate", AttestedAuthenticator(root, ca=True), {}, 400,
             "the attestation certificate does not meet the packed requirements (v3, OU Authenticator Attestation, C, O, CN, CA false)"),
            ("no attestation at all", AttestedAuthenticator(root), {"fmt": "none"}, 403, "the policy requires a verifiable attestation"),
        ]
        for label, authenticator, how, status, message in refusals:
            page_csrf(browser)
            o = options(browser).json()
            assert o["attestation"] == "direct", "an enforced attestation asks the browser for it"
            r = finish(browser, authenticator.create(o, server.public_url, **how))
            assert r.status_code == status and r.json()["error"]["message"] == message, (label, r.status_code, r.text)
        assert fido2_methods(server, admin) == [], "nothing refused was stored"
        assert "passkey registration refused" in server.log() and "attestationUntrusted" in server.log()

        # A good chain of a blocked model is still refused: the key restrictions apply on top.
        block = {"keyRestrictions": {"isEnforced": True, "enforcementType": "block", "aaGuids": [AAGUID_TEXT]}}
        assert requests.patch(server.url + FIDO2_URL, json=block, headers=admin).status_code == 204
        page_csrf(browser)
        r = finish(browser, AttestedAuthenticator(root).create(options(browser).json(), server.public_url))
        assert r.status_code == 403 and r.json()["error"]["message"] == "this authenticator model is not allowed", r.text

        # Allowed, attested, verified: registered, and Graph says so.
        allow = {"keyRestrictions": {"isEnforced": True, "enforcementType": "allow", "aaGuids": [AAGUID_TEXT]}}
        assert requests.patch(server.url + FIDO2_URL, json=allow, headers=admin).status_code == 204
        page_csrf(browser)
        r = finish(browser, AttestedAuthenticator(root).create(options(browser).json(), server.public_url))
        assert r.status_code == 201, r.text
        [method] = fido2_methods(server, admin)
        assert method["aaGuid"] == AAGUID_TEXT and method["attestationLevel"] == "attested", method
    finally:
        server.stop()


def test_without_roots_enforcement_cannot_be_turned_on_and_fails_closed(tmp_path, phone):
    root = CA("Contoso Attestation Root")
    roots = tmp_path / "roots.pem"
    roots.write_bytes(root.pem())
    server = attested_server(tmp_path / "server")
    try:
        admin = policy_admin(server)
        browser = register(server, phone)
        r = requests.patch(server.url + FIDO2_URL, json={"isAttestationEnforced": True}, headers=admin)
        assert r.status_code == 400 and "no attestation root certificates" in r.json()["error"]["message"], r.text
        # Turned on where roots exist, then the server restarts without them: every registration is refused, clearly.
        server.stop()
        server.extra_args = ["--fido2-attestation-roots", str(roots)]
        server.start()
        assert requests.patch(server.url + FIDO2_URL, json={"isAttestationEnforced": True}, headers=admin).status_code == 204
        server.stop()
        server.extra_args = []
        server.start()
        assert requests.patch(server.url + FIDO2_URL, json={"state": "enabled"}, headers=admin).status_code == 204, "still changeable"
        page_csrf(browser)
        r = finish(browser, AttestedAuthenticator(root).create(options(browser).json(), server.public_url))
        assert r.status_code == 403, r.text
        assert r.json()["error"]["message"] == "attestation is enforced but no attestation root certificates are configured"
        assert fido2_methods(server, admin) == []
        # Off again: an attested key registers, recorded as not attested (nothing to verify it against).
        assert requests.patch(server.url + FIDO2_URL, json={"isAttestationEnforced": False}, headers=admin).status_code == 204
        page_csrf(browser)
        assert finish(browser, AttestedAuthenticator(root).create(options(browser).json(), server.public_url)).status_code == 201
        assert [m["attestationLevel"] for m in fido2_methods(server, admin)] == ["notAttested"]
    finally:
        server.stop()


@pytest.mark.parametrize("content,message", [
    (None, "cannot read"),
    (b"hello, not a certificate\n", "no PEM certificate in the file"),
    (b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not a PEM file"),
    ("leaf", "entry 1 (" ),
    ("key", "entry 1 is a PRIVATE KEY, not a CERTIFICATE"),
])
def test_a_bad_roots_file_is_a_one_line_error(tmp_path, content, message):
    path = tmp_path / "roots.pem"
    if content == "leaf":
        content = CA("Root").issue(ec.generate_private_key(ec.SECP256R1())).public_bytes(serialization.Encoding.PEM)
    elif content == "key":
        content = ec.generate_private_key(ec.SECP256R1()).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                                         serialization.NoEncryption())
    if content is not None:
        path.write_bytes(content)
    result = subprocess.run([TANDEM, "serve", "--port", "0", "--database", str(tmp_path / "t.sqlite"), "--fido2-attestation-roots", str(path)],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --fido2-attestation-roots: ") and message in lines[0], result.stderr
    if content and b"PRIVATE KEY" in content:
        assert "MIG" not in result.stderr, "no key material echoed"


def test_the_roots_file_is_a_config_file_key(tmp_path):
    config = tmp_path / "tandem.yaml"
    config.write_text(f"fido2-attestation-roots: {tmp_path / 'missing.pem'}\n")
    result = subprocess.run([TANDEM, "serve", "--port", "0", "--database", str(tmp_path / "t.sqlite"), "--config", str(config)],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0 and "--fido2-attestation-roots: cannot read" in result.stderr, result.stderr
