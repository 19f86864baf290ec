"""Issue 10 (findings 3, 8, 13) through authlib, a third-party OAuth 2.0 / OpenID Connect client:
the admin scope only for an enabled application after the user's consent, introspection only by
the token's own client, a failed PKCE check that leaves the code for the right verifier,
`acr_values`, and `tandem admin revoke-sessions`."""

import warnings

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from conftest import PASSWORD, REDIRECT, TANDEM, Browser, add_app, hidden_fields, query, register, run, sign_in_for_code

# Alice signs in with her password and the push approved on her (real) authenticator: MFA is
# required for everyone covered by the policy, so every test registers the phone first.

warnings.filterwarnings("ignore", module="authlib")


def make_alice_global_administrator(server):
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])


def code_flow(server, discovery, client_id, secret, scope, phone, consent=None, **extra):
    """authlib's code flow with PKCE, the push approved on `phone`; returns (session, redirect back, verifier)."""
    session = OAuth2Session(client_id, secret, scope=scope, redirect_uri=REDIRECT, code_challenge_method="S256",
                            token_endpoint_auth_method="client_secret_basic" if secret else "none")
    verifier = generate_token(64)
    url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, **extra)
    return session, sign_in_for_code(server, Browser(server), url, phone=phone, consent=consent), verifier


def admin_api(server, token):
    return requests.get(server.url + "/v1.0/users", headers={"Authorization": "Bearer " + token})


@pytest.mark.parametrize("kind", ["public", "confidential"])
def test_an_application_not_enabled_for_the_admin_scope_does_not_get_it(server, phone, discovery, kind):
    register(server, phone)
    make_alice_global_administrator(server)
    client_id, secret, _ = add_app(server, "Sneaky", "--redirect-uri", REDIRECT, *(["--public"] if kind == "public" else []))
    session, back, verifier = code_flow(server, discovery, client_id, secret, "openid offline_access tandem-admin", phone)
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert "tandem-admin" not in token["scope"].split()
    assert admin_api(server, token["access_token"]).status_code == 401


def test_a_public_client_cannot_be_enabled_for_the_admin_scope(server):
    out = run([TANDEM, "admin", "apps", "add", "Phone app", "--public", "--admin-scope", "on", "--database", server.db], check=False)
    assert out.returncode == 1 and "public client" in out.stderr


def test_an_enabled_application_gets_the_admin_scope_only_after_consent(server, phone, discovery):
    register(server, phone)
    make_alice_global_administrator(server)
    client_id, secret, _ = add_app(server, "Admin console", "--redirect-uri", REDIRECT, "--admin-scope", "on")
    _, denied, _ = code_flow(server, discovery, client_id, secret, "openid tandem-admin", phone, consent="deny")
    assert query(denied)["error"] == "access_denied" and "code" not in query(denied)
    session, back, verifier = code_flow(server, discovery, client_id, secret, "openid tandem-admin", phone, consent="allow")
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert "tandem-admin" in token["scope"].split()
    assert admin_api(server, token["access_token"]).status_code == 200
    listed = run([TANDEM, "admin", "apps", "consents", "alice@contoso.com", "--database", server.db]).stdout
    assert client_id in listed and "tandem-admin" in listed
    run([TANDEM, "admin", "apps", "revoke-consent", "Admin console", "alice@contoso.com", "--database", server.db])
    assert admin_api(server, token["access_token"]).status_code == 401


def test_another_client_introspecting_a_token_learns_nothing(server, phone, discovery):
    register(server, phone)
    owner_id, owner_secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    snoop_id, snoop_secret, _ = add_app(server, "Snoop", "--redirect-uri", REDIRECT)
    session, back, verifier = code_flow(server, discovery, owner_id, owner_secret, "openid offline_access", phone)
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    snoop = OAuth2Session(snoop_id, snoop_secret)
    for value in (token["access_token"], token["refresh_token"]):
        assert snoop.introspect_token(discovery["introspection_endpoint"], token=value).json() == {"active": False}
        assert session.introspect_token(discovery["introspection_endpoint"], token=value).json()["active"] is True


def test_a_failed_pkce_check_leaves_the_code_for_the_right_verifier_once(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    session, back, verifier = code_flow(server, discovery, client_id, secret, "openid", phone)
    with pytest.raises(OAuthError) as wrong:
        session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=generate_token(64))
    assert wrong.value.error == "invalid_grant"
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert token["access_token"]
    with pytest.raises(OAuthError) as reused:
        session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert reused.value.error == "invalid_grant"


def test_acr_values_the_user_cannot_reach_fail_and_reached_ones_are_in_the_id_token(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    # Passwordless is out of reach: no phone sign-in, and no passkey can be added (self-service off). Where
    # one could be added, the sign-in goes to the passkey step instead (decision 0027, tests/oidc/test_strength_aware_sign_in.py).
    name = "policy@contoso.com"
    run([TANDEM, "users", "add", name, "--password", "pw-" + name, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", name, "--database", server.db])
    admin = {"Authorization": "Bearer " + run([TANDEM, "admin", "token", "--user", name, "--database", server.db]).stdout.strip()}
    fido2 = server.url + "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2"
    assert requests.patch(fido2, json={"isSelfServiceRegistrationAllowed": False}, headers=admin).status_code == 204
    session = OAuth2Session(client_id, secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256")
    url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=generate_token(64),
                                              acr_values="urn:tandem:acr:passwordless")
    browser = Browser(server)
    location = browser.http.get(url, allow_redirects=False).headers["Location"]
    fields = hidden_fields(browser.http.get(server.url + location).text)
    r = browser.http.post(server.url + "/login", data=dict(fields, username="alice@contoso.com"), allow_redirects=False)
    assert r.headers["Location"] == "/login/password"
    page = browser.http.get(server.url + "/login/password").text
    # The page says so from the start, and offers no way that cannot pass (decision 0027).
    assert 'id="strength-notice"' in page and 'id="password"' not in page, page
    r = browser.http.post(server.url + "/login/password", data=dict(hidden_fields(page), password=PASSWORD), allow_redirects=False)
    assert r.status_code == 403 and "code=" not in r.headers.get("Location", "")
    # The refusal says what is needed and who can help (decision 0033), not "the form has expired".
    assert "This application requires a passkey or a phone sign-in request" in r.text, r.text
    assert "You have neither a passkey nor phone sign-in set up" in r.text and "ask your administrator" in r.text, r.text
    assert "form has expired" not in r.text, r.text
    assert browser.http.get(server.url + "/", allow_redirects=False).headers["Location"] == "/login", "no session"
    session, back, verifier = code_flow(server, discovery, client_id, secret, "openid", phone, acr_values="urn:tandem:acr:mfa")
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from authlib.jose import jwt
    claims = jwt.decode(token["id_token"], requests.get(discovery["jwks_uri"]).json())
    assert claims["acr"] == "urn:tandem:acr:mfa"


def test_revoke_sessions_from_the_command_line_ends_the_refresh_token(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    session, back, verifier = code_flow(server, discovery, client_id, secret, "openid offline_access", phone)
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    out = run([TANDEM, "admin", "revoke-sessions", "alice@contoso.com", "--database", server.db]).stdout
    assert "ended" in out
    with pytest.raises(OAuthError) as refused:
        session.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_grant"


def test_the_command_line_acting_as_an_administrator_keeps_the_boundary(server):
    for upn in ("boss@contoso.com", "helpdesk@contoso.com"):
        run([TANDEM, "users", "add", upn, "--password", "a long password 1", "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "boss@contoso.com", "--database", server.db])
    run([TANDEM, "admin", "roles", "assign", "Authentication Administrator", "helpdesk@contoso.com", "--database", server.db])
    refused = run([TANDEM, "admin", "tap", "create", "boss@contoso.com", "--as", "helpdesk@contoso.com", "--database", server.db], check=False)
    assert refused.returncode == 1 and "Privileged Authentication Administrator" in refused.stderr
    revoke = run([TANDEM, "admin", "revoke-sessions", "boss@contoso.com", "--as", "helpdesk@contoso.com", "--database", server.db], check=False)
    assert revoke.returncode == 1
    issued = run([TANDEM, "admin", "tap", "create", "alice@contoso.com", "--as", "helpdesk@contoso.com", "--database", server.db])
    assert "Temporary Access Pass for alice@contoso.com" in issued.stdout
