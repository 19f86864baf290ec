"""Authentication strengths and `acr_values` (issue 12, decision 0025) through authlib, a
third-party OAuth 2.0 / OpenID Connect client, against the real `tandem serve`: `phr`, `phrh` and
Tandem's names are published; a client asking `phr` for a user with only push gets
`unmet_authentication_requirements`, never a code; a weaker (password + push) web session does
not satisfy `phr` (step up: back to the sign-in, `login_required` under `prompt=none`), a push
sign-in made for that request is refused too, and a passkey sign-in gets the code with
`acr: phr` (or `phrh` for a device-bound key) in the ID token checked with authlib's JOSE code."""

import hashlib
import os
import re
import warnings

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from conftest import REDIRECT, Browser, Server, add_app, query, register, sign_in_for_code, validate_id_token

warnings.filterwarnings("ignore", module="authlib")

UP, UV, BE, AT = 0x01, 0x04, 0x08, 0x40


class SoftwareAuthenticator:
    """A platform authenticator in software: one P-256 credential (BE set when `synced`)."""

    def __init__(self, synced=False):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.backup = BE if synced else 0

    def create(self, options, origin):
        client_data = CollectedClientData.create("webauthn.create", websafe_decode(options["challenge"]), origin)
        credential = AttestedCredentialData.create(bytes(16), self.credential_id, ES256.from_cryptography_key(self.key.public_key()))
        auth = AuthenticatorData.create(hashlib.sha256(options["rp"]["id"].encode()).digest(), UP | UV | AT | self.backup, 0, credential)
        return {"challengeId": options["challengeId"], "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(bytes(AttestationObject.create("none", auth, {}))), "name": "Laptop"}

    def get(self, options, origin, counter, user_handle):
        client_data = CollectedClientData.create("webauthn.get", websafe_decode(options["challenge"]), origin)
        auth = bytes(AuthenticatorData.create(hashlib.sha256(options["rpId"].encode()).digest(), UP | UV | self.backup, counter))
        signature = self.key.sign(auth + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"challengeId": options["challengeId"], "credentialId": websafe_encode(self.credential_id),
                "clientDataJSON": websafe_encode(client_data), "authenticatorData": websafe_encode(auth),
                "signature": websafe_encode(signature), "userHandle": user_handle}


@pytest.fixture
def localhost_server(tmp_path):
    """The server with its public URL on localhost (an IP address is no RP ID)."""
    s = Server(tmp_path / "server")
    s.stop()
    s.public_url = f"http://localhost:{s.port}"
    s.start()
    yield s
    s.stop()


def add_passkey(server, browser, authenticator):
    """Registers `authenticator` on security info from `browser` (a fresh MFA session); returns the user handle."""
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', browser.http.get(browser.url("/mysecurityinfo")).text).group(1)
    o = browser.http.post(browser.url("/mysecurityinfo/passkeys/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    r = browser.http.post(browser.url("/mysecurityinfo/passkeys"), json=dict(authenticator.create(o, server.public_url), csrf=csrf),
                          headers={"Accept": "application/json"})
    assert r.status_code == 201, r.text
    return o["user"]["id"]


def passkey_browser(server, authenticator, handle, counter):
    """A new browser signed in with the passkey alone (username page, assertion, complete)."""
    browser = Browser(server)
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', browser.http.get(browser.url("/login")).text).group(1)
    o = browser.http.post(browser.url("/login/passkey/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    r = browser.http.post(browser.url("/login/passkey"), json=dict({"csrf": csrf}, **authenticator.get(o, server.public_url, counter, handle)),
                          headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    assert browser.complete().status_code == 303
    return browser


def client_for(server, client_id, secret, **extra):
    """authlib's authorization URL (PKCE) against the server's own address, and the session and verifier."""
    session = OAuth2Session(client_id, secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256",
                            token_endpoint_auth_method="client_secret_basic")
    verifier = generate_token(64)
    url, _ = session.create_authorization_url(server.url + "/oauth2/authorize", code_verifier=verifier, nonce="n-1", **extra)
    return session, url, verifier


def follow(browser, url):
    """Follows the authorization request's redirects without signing in; returns the first location off the server."""
    r = browser.http.get(url, allow_redirects=False)
    location = r.headers.get("Location", "")
    while location.startswith("/oauth2/"):
        r = browser.http.get(browser.url(location), allow_redirects=False)
        location = r.headers.get("Location", "")
    assert r.status_code in (302, 303), r.text
    return location


def test_discovery_publishes_phr_phrh_and_tandems_names(localhost_server):
    discovery = requests.get(localhost_server.url + "/.well-known/openid-configuration").json()
    for value in ["phr", "phrh", "urn:tandem:acr:mfa", "urn:tandem:acr:passwordless", "urn:tandem:acr:phishing-resistant"]:
        assert value in discovery["acr_values_supported"], value


def test_phr_for_a_user_with_only_push_is_an_error_never_a_session(localhost_server, phone):
    server = localhost_server
    browser = register(server, phone)  # password + push: a strong web session, but not phishing-resistant
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    for acr in ["phr", "phrh", "urn:tandem:acr:phishing-resistant", "phr urn:example:unknown"]:
        _, url, _ = client_for(server, client_id, secret, acr_values=acr, state="s-" + str(len(acr)))
        back = follow(browser, url)
        assert back.startswith(REDIRECT), back
        assert query(back)["error"] == "unmet_authentication_requirements" and "code" not in query(back), back
        assert query(back)["state"] == "s-" + str(len(acr))
    # A fresh sign-in with password + push for such a request ends the same way (fail closed).
    _, url, _ = client_for(server, client_id, secret, acr_values="phr", prompt="login")
    back = sign_in_for_code(server, Browser(server), url, phone=phone)
    assert query(back)["error"] == "unmet_authentication_requirements" and "code" not in query(back), back


@pytest.mark.parametrize("synced", [False, True])
def test_a_weaker_session_does_not_satisfy_phr_and_a_passkey_sign_in_does(localhost_server, phone, synced):
    server = localhost_server
    browser = register(server, phone)
    authenticator = SoftwareAuthenticator(synced=synced)
    handle = add_passkey(server, browser, authenticator)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    discovery = requests.get(server.url + "/.well-known/openid-configuration").json()
    discovery["jwks_uri"] = discovery["jwks_uri"].replace(server.public_url, server.url)

    # The password + push session is older than the request and weaker: back to the sign-in, no code.
    _, url, _ = client_for(server, client_id, secret, acr_values="phr")
    location = follow(browser, url)
    assert location.startswith("/login") and "code=" not in location, location
    _, url, _ = client_for(server, client_id, secret, acr_values="phr", prompt="none")
    back = follow(browser, url)
    assert query(back)["error"] == "login_required" and "code" not in query(back), back
    # Signing in again with password + push for this request does not reach it either.
    _, url, _ = client_for(server, client_id, secret, acr_values="phr")
    back = sign_in_for_code(server, browser, url, phone=phone)
    assert query(back)["error"] == "unmet_authentication_requirements" and "code" not in query(back), back

    # A passkey sign-in satisfies phr (and phrh only for a device-bound key); the ID token says which.
    strong = passkey_browser(server, authenticator, handle, counter=1)
    wanted = "phrh phr" if synced else "phrh"
    session, url, verifier = client_for(server, client_id, secret, acr_values=wanted)
    back = follow(strong, url)
    assert "code" in query(back), back
    token = session.fetch_token(server.url + "/oauth2/token", authorization_response=back, code_verifier=verifier)
    claims = validate_id_token(token["id_token"], discovery, client_id, nonce="n-1")
    assert claims["acr"] == ("phr" if synced else "phrh"), claims
    assert "mfa" in claims["amr"] and ("swk" if synced else "hwk") in claims["amr"] and "pwd" not in claims["amr"]
    # Without acr_values the passkey sign-in is Tandem's phishing-resistant level.
    session, url, verifier = client_for(server, client_id, secret)
    token = session.fetch_token(server.url + "/oauth2/token", authorization_response=follow(strong, url), code_verifier=verifier)
    assert validate_id_token(token["id_token"], discovery, client_id, nonce="n-1")["acr"] == "urn:tandem:acr:phishing-resistant"
