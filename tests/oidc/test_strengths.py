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

from conftest import PASSWORD, PIN, REDIRECT, hidden_fields, TANDEM, Browser, Server, add_app, query, register, run, sign_in_for_code, validate_id_token

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


def test_phr_for_a_user_with_only_push_is_never_a_session(localhost_server, phone):
    server = localhost_server
    browser = register(server, phone)  # password + push: a strong web session, but not phishing-resistant
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    for acr in ["phr", "phrh", "urn:tandem:acr:phishing-resistant", "phr urn:example:unknown"]:
        # Decision 0027: the user may add a passkey, so the weaker session is sent to sign in
        # again (into the strength interrupt), never given a code; prompt=none is the OIDC error.
        _, url, _ = client_for(server, client_id, secret, acr_values=acr, state="s-" + str(len(acr)))
        location = follow(browser, url)
        assert location.startswith("/login") and "code=" not in location, location
        _, url, _ = client_for(server, client_id, secret, acr_values=acr, state="s-" + str(len(acr)), prompt="none")
        back = follow(browser, url)
        assert back.startswith(REDIRECT), back
        assert query(back)["error"] == "unmet_authentication_requirements" and "code" not in query(back), back
        assert query(back)["state"] == "s-" + str(len(acr))
    # A fresh sign-in with password + push for such a request ends in the strength interrupt, no code.
    _, url, _ = client_for(server, client_id, secret, acr_values="phr", prompt="login")
    fresh = Browser(server)
    location = follow(fresh, url)
    fields = hidden_fields(fresh.http.get(server.url + location).text)
    r = fresh.http.post(server.url + "/login", data=dict(fields, username="alice@contoso.com"), allow_redirects=False)
    fresh.csrf = hidden_fields(fresh.http.get(server.url + r.headers["Location"]).text)["csrf"]
    assert fresh.password().headers["Location"] == "/login/approve"
    phone.run("approve", "--number", fresh.number(), "--pin", PIN)
    assert fresh.complete().headers["Location"] == "/login/enrol"
    assert "code=" not in follow(fresh, url)


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
    # Signing in again for this request: the page offers only the passkey and refuses the password (decision 0027).
    _, url, _ = client_for(server, client_id, secret, acr_values="phr")
    location = follow(browser, url)  # the session's user is the hint: straight to the sign-in's page
    assert location == "/login/password", location
    page = browser.http.get(server.url + location).text
    assert 'id="password"' not in page and 'id="sign-in-passkey"' in page, page
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', page).group(1)
    refused = browser.http.post(server.url + "/login/password", data={"csrf": csrf, "password": PASSWORD}, allow_redirects=False)
    assert refused.status_code == 403, refused.text

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


def admin_headers(server, name, role):
    run([TANDEM, "users", "add", name, "--password", "pw-" + name, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", role, name, "--database", server.db])
    return {"Authorization": "Bearer " + run([TANDEM, "admin", "token", "--user", name, "--database", server.db]).stdout.strip()}


PHR = "00000000-0000-0000-0000-000000000004"


def test_an_administrator_requires_phishing_resistant_mfa_for_an_application(localhost_server, phone):
    server = localhost_server
    browser = register(server, phone)  # password + push
    payroll, payroll_secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    wiki, wiki_secret, _ = add_app(server, "Wiki", "--redirect-uri", REDIRECT)
    admin = admin_headers(server, "policy@contoso.com", "Authentication Policy Administrator")
    helpdesk = admin_headers(server, "helpdesk@contoso.com", "Authentication Administrator")
    graph = server.url + "/v1.0/identity/conditionalAccess/policies"

    strengths = requests.get(server.url + "/v1.0/policies/authenticationStrengthPolicies", headers=helpdesk).json()["value"]
    assert [s["displayName"] for s in strengths] == ["Multifactor authentication", "Passwordless MFA", "Phishing-resistant MFA"]
    assert next(s for s in strengths if s["id"] == PHR)["allowedCombinations"] == ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]

    body = {"displayName": "Payroll needs a passkey", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": [payroll]}},
            "grantControls": {"operator": "OR", "authenticationStrength": {"id": PHR}}}
    # Not a policy administrator: 403, and nothing is stored.
    refused = requests.post(graph, json=body, headers=helpdesk)
    assert refused.status_code == 403 and refused.json()["error"]["code"], refused.text
    assert requests.post(graph, json=body).status_code == 401
    assert requests.get(graph, headers=admin).json()["value"] == []
    # Bad bodies are 400 with a JSON error, never stored.
    for bad in [dict(body, grantControls={"authenticationStrength": {"id": "nope"}}),
                dict(body, conditions={"users": {"includeUsers": ["no-such-user"]}, "applications": {"includeApplications": ["All"]}}),
                dict(body, conditions={"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["no-such-app"]}}),
                dict(body, sessionControls={}), dict(body, grantControls={"builtInControls": ["mfa"], "authenticationStrength": {"id": PHR}})]:
        r = requests.post(graph, json=bad, headers=admin)
        assert r.status_code == 400 and r.json()["error"]["message"], r.text
    created = requests.post(graph, json=body, headers=admin)
    assert created.status_code == 201, created.text
    policy = created.json()
    assert policy["grantControls"]["authenticationStrength"]["id"] == PHR and policy["state"] == "enabled"
    audits = requests.get(server.url + "/v1.0/auditLogs/directoryAudits", headers=admin).json()["value"]
    assert audits[0]["activityDisplayName"] == "Add conditional access policy", audits[0]

    # Alice has push only: Payroll sends her to sign in again (into the strength interrupt,
    # decision 0027), never a code, and prompt=none is the OIDC error; Wiki (not covered) is not.
    _, url, _ = client_for(server, payroll, payroll_secret)
    location = follow(browser, url)
    assert location.startswith("/login") and "code=" not in location, location
    _, url, _ = client_for(server, payroll, payroll_secret, prompt="none")
    back = follow(browser, url)
    assert query(back)["error"] == "unmet_authentication_requirements" and "code" not in query(back), back
    _, url, _ = client_for(server, wiki, wiki_secret)
    assert "code" in query(follow(browser, url))

    # With a passkey, the push session is sent to sign in again; a passkey sign-in gets the code.
    authenticator = SoftwareAuthenticator()
    handle = add_passkey(server, browser, authenticator)
    _, url, _ = client_for(server, payroll, payroll_secret)
    location = follow(browser, url)
    assert location.startswith("/login") and "code=" not in location, location
    strong = passkey_browser(server, authenticator, handle, counter=1)
    session, url, verifier = client_for(server, payroll, payroll_secret)
    token = session.fetch_token(server.url + "/oauth2/token", authorization_response=follow(strong, url), code_verifier=verifier)
    assert token["id_token"] and token["access_token"]

    # The helpdesk cannot switch it off; the policy administrator can, and push is enough again.
    assert requests.patch(graph + "/" + policy["id"], json={"state": "disabled"}, headers=helpdesk).status_code == 403
    assert requests.delete(graph + "/" + policy["id"], headers=helpdesk).status_code == 403
    assert requests.patch(graph + "/" + policy["id"], json={"state": "disabled"}, headers=admin).status_code == 204
    assert requests.get(graph + "/" + policy["id"], headers=helpdesk).json()["state"] == "disabled"
    _, url, _ = client_for(server, payroll, payroll_secret, prompt="login")
    assert "code" in query(sign_in_for_code(server, Browser(server), url, phone=phone))
    assert requests.delete(graph + "/" + policy["id"], headers=admin).status_code == 204
    assert requests.get(graph + "/" + policy["id"], headers=admin).status_code == 404
    activities = [a["activityDisplayName"] for a in requests.get(server.url + "/v1.0/auditLogs/directoryAudits", headers=admin).json()["value"]]
    assert activities[:2] == ["Delete conditional access policy", "Update conditional access policy"], activities


def test_a_strength_required_for_everyone_refuses_a_push_sign_in_to_tandem_and_the_log_says_why(localhost_server, phone):
    server = localhost_server
    browser = register(server, phone)
    authenticator = SoftwareAuthenticator()
    handle = add_passkey(server, browser, authenticator)
    admin = admin_headers(server, "policy@contoso.com", "Authentication Policy Administrator")
    body = {"displayName": "Everyone with a passkey", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": []}, "applications": {"includeApplications": ["All"]}},
            "grantControls": {"authenticationStrength": {"id": PHR}}}
    policy = requests.post(server.url + "/v1.0/identity/conditionalAccess/policies", json=body, headers=admin)
    assert policy.status_code == 201, policy.text

    # Password + push to Tandem's own pages: the page offers only the passkey and the password is
    # refused unchecked (decision 0027); no session.
    push = Browser(server)
    push.http.get(push.url("/login"))
    login = push.http.get(push.url("/login")).text
    r = push.http.post(push.url("/login"), data={"csrf": hidden_fields(login)["csrf"], "username": "alice@contoso.com"}, allow_redirects=False)
    assert r.headers["Location"] == "/login/password"
    page = push.http.get(push.url("/login/password")).text
    assert 'id="password"' not in page and "requires a passkey" in page, page
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', page).group(1)
    refused = push.http.post(push.url("/login/password"), data={"csrf": csrf, "password": PASSWORD}, allow_redirects=False)
    assert refused.status_code == 403, refused.text
    assert "passkey" in refused.text
    assert push.complete().status_code in (401, 403, 409)
    assert push.http.get(push.url("/mysecurityinfo"), allow_redirects=False).status_code in (302, 303)
    # The passkey sign-in is let in.
    strong = passkey_browser(server, authenticator, handle, counter=1)
    assert strong.http.get(strong.url("/mysecurityinfo"), allow_redirects=False).status_code == 200

    logs = requests.get(server.url + "/v1.0/auditLogs/signIns", headers=admin).json()["value"]
    alice = [r for r in logs if r["userPrincipalName"] == "alice@contoso.com"]
    assert alice[0]["status"]["errorCode"] == 0 and alice[0]["tandemAuthenticationStrength"] == "Phishing-resistant MFA", alice[0]


def passkey_status(server, authenticator, handle, counter):
    """A passkey sign-in attempt from a new browser; returns the HTTP status of the assertion."""
    browser = Browser(server)
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', browser.http.get(browser.url("/login")).text).group(1)
    o = browser.http.post(browser.url("/login/passkey/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    r = browser.http.post(browser.url("/login/passkey"), json=dict({"csrf": csrf}, **authenticator.get(o, server.public_url, counter, handle)),
                          headers={"Accept": "application/json"})
    return r.status_code


def test_the_fido2_method_configuration_is_enforced_at_registration_and_sign_in(localhost_server, phone):
    """authenticationMethodConfigurations/Fido2 (decision 0025): state, self-service, AAGUID allow/block."""
    server = localhost_server
    browser = register(server, phone)
    admin = admin_headers(server, "policy@contoso.com", "Authentication Policy Administrator")
    helpdesk = admin_headers(server, "helpdesk@contoso.com", "Authentication Administrator")
    url = server.url + "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2"
    zero = "00000000-0000-0000-0000-000000000000"  # the software authenticator's AAGUID

    config = requests.get(url, headers=admin).json()
    assert config["state"] == "enabled" and config["includeTargets"][0]["id"] == "all_users" and config["keyRestrictions"]["isEnforced"] is False
    assert requests.patch(url, json={"state": "disabled"}, headers=helpdesk).status_code == 403
    assert requests.patch(url, json={"state": "disabled"}).status_code == 401
    for bad in [{"isAttestationEnforced": True}, {"keyRestrictions": {"aaGuids": ["not-a-uuid"]}}, {"bogus": 1},
                {"excludeTargets": [{"targetType": "group", "id": "all_users"}]}, {"state": "sometimes"}]:
        r = requests.patch(url, json=bad, headers=admin)
        assert r.status_code == 400 and r.json()["error"]["message"], (bad, r.text)
    assert requests.get(url, headers=admin).json()["state"] == "enabled", "a refused change is not stored"

    # A blocked model cannot register.
    block = {"keyRestrictions": {"isEnforced": True, "enforcementType": "block", "aaGuids": [zero]}}
    assert requests.patch(url, json=block, headers=admin).status_code == 204
    audit = requests.get(server.url + "/v1.0/auditLogs/directoryAudits", headers=admin).json()["value"][0]
    assert audit["activityDisplayName"] == "Update authentication methods policy" and audit["targetResources"][0]["displayName"] == "Passkey (FIDO2)", audit
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', browser.http.get(browser.url("/mysecurityinfo")).text).group(1)
    o = browser.http.post(browser.url("/mysecurityinfo/passkeys/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    authenticator = SoftwareAuthenticator()
    r = browser.http.post(browser.url("/mysecurityinfo/passkeys"), json=dict(authenticator.create(o, server.public_url), csrf=csrf),
                          headers={"Accept": "application/json"})
    assert r.status_code == 403, r.text

    # Allowed again: it registers and signs in; blocked afterwards, its sign-in is refused.
    assert requests.patch(url, json={"keyRestrictions": {"isEnforced": True, "enforcementType": "allow", "aaGuids": [zero]}}, headers=admin).status_code == 204
    handle = add_passkey(server, browser, authenticator)
    assert passkey_status(server, authenticator, handle, counter=1) == 200
    assert requests.patch(url, json=block, headers=admin).status_code == 204
    assert passkey_status(server, authenticator, handle, counter=2) == 401
    assert requests.patch(url, json={"keyRestrictions": {"isEnforced": False}}, headers=admin).status_code == 204
    assert passkey_status(server, authenticator, handle, counter=3) == 200

    # No self-service registration: the options are refused; the method off: no passkey sign-in.
    assert requests.patch(url, json={"isSelfServiceRegistrationAllowed": False}, headers=admin).status_code == 204
    page = browser.http.get(browser.url("/mysecurityinfo")).text
    assert 'id="passkey-not-allowed"' in page and 'id="add-passkey"' not in page, "the page offers no passkey it would refuse"
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # renewed by the registration
    r = browser.http.post(browser.url("/mysecurityinfo/passkeys/options"), json={"csrf": csrf}, headers={"Accept": "application/json"})
    assert r.status_code == 403 and "passkey" in r.json()["error"]["message"], r.text
    assert passkey_status(server, authenticator, handle, counter=4) == 200
    alice = next(u for u in requests.get(server.url + "/v1.0/users", headers=admin).json()["value"] if u["userPrincipalName"] == "alice@contoso.com")
    assert requests.patch(url, json={"excludeTargets": [{"targetType": "user", "id": alice["id"]}]}, headers=admin).status_code == 204
    assert passkey_status(server, authenticator, handle, counter=5) == 401
    assert requests.patch(url, json={"excludeTargets": [], "state": "disabled"}, headers=admin).status_code == 204
    assert passkey_status(server, authenticator, handle, counter=6) == 401
    assert requests.patch(url, json={"state": "enabled"}, headers=admin).status_code == 204
    assert passkey_status(server, authenticator, handle, counter=7) == 200
