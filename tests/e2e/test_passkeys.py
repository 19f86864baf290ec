"""Passkeys over real HTTP (issue 12, decision 0020), with Python `fido2` and `cryptography` as a
third-party WebAuthn client: registration on security info behind the step-up, deletion, Graph's
fido2Methods, and an attacker's forged origin, wrong RP ID, replayed challenge, missing UV,
missing CSRF and password-only session each refused with a clear JSON error."""

import hashlib
import os
import re

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from conftest import PASSWORD, TANDEM, Browser, Server, register, run

UP, UV, BE, AT = 0x01, 0x04, 0x08, 0x40


class SoftwareAuthenticator:
    """A platform authenticator in software: one P-256 credential, built with fido2's types."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)

    def create(self, options, origin, rp_id=None, flags=UP | UV | AT, name="Laptop"):
        rp_id = rp_id or options["rp"]["id"]
        client_data = CollectedClientData.create("webauthn.create", websafe_decode(options["challenge"]), origin)
        credential = AttestedCredentialData.create(bytes(16), self.credential_id, ES256.from_cryptography_key(self.key.public_key()))
        auth = AuthenticatorData.create(hashlib.sha256(rp_id.encode()).digest(), flags, 0, credential)
        attestation = AttestationObject.create("none", auth, {})
        return {"challengeId": options["challengeId"], "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(bytes(attestation)), "transports": ["internal", "bogus"], "name": name}

    def get(self, options, origin, counter, user_handle, flags=UP | UV, rp_id=None):
        """An assertion for request options: the signature over authData || SHA-256(clientDataJSON)."""
        from cryptography.hazmat.primitives import hashes
        client_data = CollectedClientData.create("webauthn.get", websafe_decode(options["challenge"]), origin)
        auth = bytes(AuthenticatorData.create(hashlib.sha256((rp_id or options["rpId"]).encode()).digest(), flags, counter))
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


def page_csrf(browser):
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    browser.csrf = re.search(r'data-passkey-csrf="([^"]+)"', page).group(1)
    return page


def options(browser, csrf=None):
    return browser.http.post(browser.url("/mysecurityinfo/passkeys/options"), json={"csrf": csrf or browser.csrf},
                             headers={"Accept": "application/json"})


def finish(browser, answer, csrf=None):
    return browser.http.post(browser.url("/mysecurityinfo/passkeys"), json=dict(answer, csrf=csrf or browser.csrf),
                             headers={"Accept": "application/json"})


def test_a_passkey_registers_after_a_strong_sign_in_and_is_listed_and_deleted(localhost_server, phone):
    server = localhost_server
    browser = register(server, phone)
    page_csrf(browser)
    o = options(browser)
    assert o.status_code == 200, o.text
    o = o.json()
    assert o["rp"]["id"] == "localhost" and o["attestation"] == "none"
    assert o["authenticatorSelection"]["userVerification"] == "required"
    assert [p["alg"] for p in o["pubKeyCredParams"]] == [-7, -8, -257]
    assert o["excludeCredentials"] == []
    authenticator = SoftwareAuthenticator()
    r = finish(browser, authenticator.create(o, server.public_url))
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Laptop" and r.json()["passkeyType"] == "deviceBound"
    page = page_csrf(browser)
    assert 'id="passkey-1"' in page and "Laptop" in page and "Passkey (device-bound)" in page
    # The same authenticator again: excluded in the options, refused if sent anyway.
    o2 = options(browser).json()
    assert o2["excludeCredentials"][0]["id"] == websafe_encode(authenticator.credential_id)
    assert o2["excludeCredentials"][0]["transports"] == ["internal"], "unknown transports are dropped"
    again = finish(browser, authenticator.create(o2, server.public_url))
    assert again.status_code == 409 and again.json()["error"]["message"] == "This passkey is already registered."

    # Graph: an authentication administrator sees it.
    run([TANDEM, "users", "add", "admin@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Administrator", "admin@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "admin@contoso.com", "--database", server.db]).stdout.strip()
    headers = {"Authorization": "Bearer " + token}
    users = requests.get(server.url + "/v1.0/users", headers=headers).json()["value"]
    alice = next(u for u in users if u["userPrincipalName"] == "alice@contoso.com")["id"]
    listed = requests.get(server.url + f"/v1.0/users/{alice}/authentication/fido2Methods", headers=headers)
    assert listed.status_code == 200, listed.text
    [method] = listed.json()["value"]
    assert method["@odata.type"] == "#microsoft.graph.fido2AuthenticationMethod"
    assert method["displayName"] == "Laptop" and method["aaGuid"] == "00000000-0000-0000-0000-000000000000"
    assert method["attestationLevel"] == "notAttested" and method["passkeyType"] == "deviceBound"
    one = requests.get(server.url + f"/v1.0/users/{alice}/authentication/fido2Methods/{method['id']}", headers=headers)
    assert one.status_code == 200 and one.json()["id"] == method["id"]
    assert requests.get(server.url + f"/v1.0/users/{alice}/authentication/fido2Methods/nope", headers=headers).status_code == 404
    assert requests.get(server.url + f"/v1.0/users/{alice}/authentication/fido2Methods").status_code == 401

    # The user deletes it from security info (a form with the session's CSRF token).
    page = page_csrf(browser)
    form_csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = browser.http.post(browser.url(f"/mysecurityinfo/passkeys/{method['id']}/delete"), data={"csrf": form_csrf}, allow_redirects=False)
    assert r.headers["Location"] == "/mysecurityinfo?done=passkeyDeleted"
    assert "passkey-1" not in page_csrf(browser)
    assert requests.get(server.url + f"/v1.0/users/{alice}/authentication/fido2Methods", headers=headers).json()["value"] == []
    audits = requests.get(server.url + "/v1.0/auditLogs/directoryAudits", headers=headers)
    assert audits.status_code == 200, audits.text
    activities = [a["activityDisplayName"] for a in audits.json()["value"]]
    assert "Add passkey (FIDO2) method" in activities and "Delete passkey (FIDO2) method" in activities


@pytest.mark.parametrize("attack,message", [
    ("origin", "the origin is not this server's"),
    ("rp_id", "the RP ID hash is not this server's"),
    ("no_uv", "user verification is required"),
    ("replay", "The passkey request expired or was already used. Try again."),
    ("other_challenge", "The passkey request expired or was already used. Try again."),
])
def test_a_forged_registration_is_refused_with_a_clear_error(localhost_server, phone, attack, message):
    server = localhost_server
    browser = register(server, phone)
    page_csrf(browser)
    o = options(browser).json()
    authenticator = SoftwareAuthenticator()
    if attack == "origin":
        answer = authenticator.create(o, "http://localhost.evil.example:" + str(server.port))
    elif attack == "rp_id":
        answer = authenticator.create(o, server.public_url, rp_id="evil.example")
    elif attack == "no_uv":
        answer = authenticator.create(o, server.public_url, flags=UP | AT)
    elif attack == "replay":
        assert finish(browser, authenticator.create(o, server.public_url)).status_code == 201
        page_csrf(browser)   # the registration renewed the session and its CSRF token
        answer = SoftwareAuthenticator().create(o, server.public_url)
    else:
        answer = dict(authenticator.create(o, server.public_url), challengeId="not-a-challenge")
    r = finish(browser, answer)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]["message"] == message
    if attack != "replay":
        assert "passkey-1" not in page_csrf(browser), "nothing was stored"


def test_no_csrf_token_or_a_password_only_session_gets_no_options(localhost_server, phone):
    server = localhost_server
    owner = register(server, phone)
    page_csrf(owner)
    missing = owner.http.post(owner.url("/mysecurityinfo/passkeys/options"), json={}, headers={"Accept": "application/json"})
    assert missing.status_code == 403 and "did not come from this site" in missing.json()["error"]["message"]
    garbage = owner.http.post(owner.url("/mysecurityinfo/passkeys/options"), data="{{{", headers={"Accept": "application/json"})
    assert garbage.status_code == 400 and garbage.json()["error"]["message"]
    assert options(owner).status_code == 200
    # A password-only session (the trusted range skips the push) must step up first.
    run([TANDEM, "admin", "mfa-settings", "set", "--trusted-ips", "127.0.0.0/8", "--database", server.db])
    attacker = Browser(server)
    assert attacker.sign_in_with_password() == "/"
    page = attacker.http.get(attacker.url("/mysecurityinfo")).text
    assert "add-passkey" not in page, "no passkey button before the step-up"
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = options(attacker, csrf=csrf)
    assert r.status_code == 403 and r.json()["error"]["message"] == "Verify your identity again to change your sign-in methods."
    anonymous = requests.post(server.url + "/mysecurityinfo/passkeys/options", json={}, headers={"Accept": "application/json"})
    assert anonymous.status_code == 401


def registered_passkey(server, phone):
    """Alice with an authenticator and a passkey registered through security info."""
    browser = register(server, phone)
    page_csrf(browser)
    o = options(browser).json()
    authenticator = SoftwareAuthenticator()
    assert finish(browser, authenticator.create(o, server.public_url)).status_code == 201
    return authenticator, o["user"]["id"]


def passkey_attempt(server, authenticator, user_handle, counter, origin=None, tamper=None):
    """A new browser on the username page: request options, then the assertion."""
    browser = Browser(server)
    browser.csrf = re.search(r'data-passkey-csrf="([^"]+)"', browser.http.get(browser.url("/login")).text).group(1)
    o = browser.http.post(browser.url("/login/passkey/options"), json={"csrf": browser.csrf}, headers={"Accept": "application/json"})
    assert o.status_code == 200, o.text
    o = o.json()
    assert o["rpId"] == "localhost" and o["userVerification"] == "required"
    answer = authenticator.get(o, origin or server.public_url, counter, user_handle)
    if tamper:
        tamper(answer)
    r = browser.http.post(browser.url("/login/passkey"), json=dict({"csrf": browser.csrf}, **answer), headers={"Accept": "application/json"})
    return browser, r, answer


def test_sign_in_with_a_passkey_in_one_step(localhost_server, phone):
    server = localhost_server
    authenticator, handle = registered_passkey(server, phone)
    browser, r, answer = passkey_attempt(server, authenticator, handle, counter=1)
    assert r.status_code == 200, r.text
    assert r.json() == {"next": "/login/complete"}
    done = browser.complete()
    assert done.status_code == 303 and done.headers["Location"] in ("/", "/mysecurityinfo"), done.text
    # A passkey sign-in is a strong (MFA) sign-in: security info needs no step-up for it.
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    assert "add-passkey" in page and "Verify my identity" not in page
    assert re.search(r'Last used</dt><dd><time datetime="\d{4}-[^"]+Z">\d', page.split('id="passkey-1"')[1]), "the passkey's last use is shown"
    # The same assertion again: its challenge is spent.
    again = Browser(server)
    again.csrf = re.search(r'data-passkey-csrf="([^"]+)"', again.http.get(again.url("/login")).text).group(1)
    replay = again.http.post(again.url("/login/passkey"), json=dict(answer, csrf=again.csrf), headers={"Accept": "application/json"})
    assert replay.status_code == 400 and "already used" in replay.json()["error"]["message"]


@pytest.mark.parametrize("attack", ["counter", "origin", "user_handle", "unknown_credential", "signature", "no_csrf"])
def test_a_forged_passkey_sign_in_is_refused(localhost_server, phone, attack):
    server = localhost_server
    authenticator, handle = registered_passkey(server, phone)
    browser, first, _ = passkey_attempt(server, authenticator, handle, counter=5)
    assert first.status_code == 200
    kwargs = {"counter": 6}
    if attack == "counter":
        kwargs["counter"] = 5          # not above the stored 5: a cloned authenticator?
    elif attack == "origin":
        kwargs["origin"] = "https://login.evil.example"
    elif attack == "user_handle":
        kwargs["tamper"] = lambda a: a.update(userHandle=websafe_encode(b"someone-else"))
    elif attack == "unknown_credential":
        kwargs["tamper"] = lambda a: a.update(credentialId=websafe_encode(os.urandom(32)))
    elif attack == "signature":
        kwargs["tamper"] = lambda a: a.update(signature=SoftwareAuthenticator().get(
            {"challenge": websafe_encode(b"x" * 32), "rpId": "localhost", "challengeId": "c"}, server.public_url, 6, handle)["signature"])
    elif attack == "no_csrf":
        kwargs["tamper"] = lambda a: a.update(csrf="")
    attacker, r, _ = passkey_attempt(server, authenticator, handle, **kwargs)
    if attack == "no_csrf":
        assert r.status_code == 403, r.text
    else:
        assert r.status_code == 401, r.text
        assert r.json()["error"]["message"] == "That passkey didn't work. Try again or sign in another way."
    attacker.complete()
    assert "tandem_session" not in attacker.http.cookies, "no session for the attacker"
