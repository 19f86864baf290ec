"""The authorization code flow with PKCE driven by authlib (a third-party OAuth 2.0 / OpenID
Connect client from PyPI), the sign-in done on Tandem's own pages with the real authenticator
approving the push, the ID token validated by authlib's JOSE code."""

import json
import warnings

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from conftest import PIN, REDIRECT, Browser, add_app, query, register, sign_in_for_code, validate_id_token

warnings.filterwarnings("ignore", module="authlib")

# OpenID Connect Discovery 1.0 §3 REQUIRED, RFC 8414 §2, RP-Initiated Logout §2.1, RFC 7009/7662, CIBA Core §4.
DISCOVERY_REQUIRED = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
                      "subject_types_supported", "id_token_signing_alg_values_supported"]
DISCOVERY_OURS = ["userinfo_endpoint", "end_session_endpoint", "revocation_endpoint", "introspection_endpoint",
                  "backchannel_authentication_endpoint", "backchannel_token_delivery_modes_supported", "scopes_supported",
                  "grant_types_supported", "token_endpoint_auth_methods_supported", "code_challenge_methods_supported",
                  "claims_supported", "acr_values_supported"]
TOKEN_REQUIRED = ["access_token", "token_type", "expires_in", "id_token"]
ID_TOKEN_REQUIRED = ["iss", "sub", "aud", "exp", "iat"]


def test_discovery_and_jwks_have_the_required_fields(server, discovery):
    for field in DISCOVERY_REQUIRED + DISCOVERY_OURS:
        assert field in discovery, field
    assert discovery["issuer"] == server.url
    assert "code" in discovery["response_types_supported"]
    # OIDC Discovery §3: "The algorithm RS256 MUST be included"; ES256 is the default (decision 0030).
    assert discovery["id_token_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert set(discovery["backchannel_token_delivery_modes_supported"]) == {"poll", "ping"}
    assert requests.get(server.url + "/.well-known/oauth-authorization-server").json()["issuer"] == server.url
    keys = requests.get(discovery["jwks_uri"]).json()["keys"]
    assert len(keys) == 2
    assert {k: keys[0][k] for k in ("kty", "crv", "alg", "use")} == {"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig"}
    assert {k: keys[1][k] for k in ("kty", "alg", "use")} == {"kty": "RSA", "alg": "RS256", "use": "sig"}
    assert all(key["kid"] and "d" not in key for key in keys)


def test_authlib_runs_the_code_flow_with_pkce_and_the_push(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    session = OAuth2Session(client_id, secret, scope="openid profile email offline_access", redirect_uri=REDIRECT,
                            code_challenge_method="S256")
    verifier, nonce = generate_token(64), generate_token(20)
    url, state = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    back = sign_in_for_code(server, Browser(server), url, phone=phone)
    assert back.startswith(REDIRECT + "?")
    assert query(back)["state"] == state and query(back)["iss"] == discovery["issuer"]

    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    for field in TOKEN_REQUIRED + ["refresh_token", "scope"]:
        assert field in token, field
    assert token["token_type"] == "Bearer"
    claims = validate_id_token(token["id_token"], discovery, client_id, nonce=nonce, access_token=token["access_token"])
    for field in ID_TOKEN_REQUIRED + ["auth_time", "nonce", "acr", "amr", "at_hash"]:
        assert field in claims, field
    assert set(claims["amr"]) == {"pwd", "mfa", "swk"}
    assert claims["acr"] == "urn:tandem:acr:mfa"
    assert claims["preferred_username"] == "alice@contoso.com"

    info = session.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["email"] == "alice@contoso.com"

    first_refresh = token["refresh_token"]
    refreshed = session.refresh_token(discovery["token_endpoint"])
    assert refreshed["refresh_token"] != first_refresh
    validate_id_token(refreshed["id_token"], discovery, client_id)
    # Reusing the rotated refresh token revokes the family: the newest one dies too.
    with pytest.raises(OAuthError) as reuse:
        session.refresh_token(discovery["token_endpoint"], refresh_token=first_refresh)
    assert reuse.value.error == "invalid_grant"
    with pytest.raises(OAuthError) as family:
        session.refresh_token(discovery["token_endpoint"], refresh_token=refreshed["refresh_token"])
    assert family.value.error == "invalid_grant"
    inactive = session.introspect_token(discovery["introspection_endpoint"], token=refreshed["access_token"]).json()
    assert inactive == {"active": False}


def test_a_public_client_signs_in_passwordless_with_a_login_hint(server, phone, discovery):
    register(server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    client_id, secret, _ = add_app(server, "Mobile", "--public", "--redirect-uri", REDIRECT)
    assert secret is None
    session = OAuth2Session(client_id, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256",
                            token_endpoint_auth_method="none")
    verifier, nonce = generate_token(64), generate_token(20)
    url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce,
                                              login_hint="alice@contoso.com")
    back = sign_in_for_code(server, Browser(server), url, phone=phone, passwordless=True)
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    claims = validate_id_token(token["id_token"], discovery, client_id, nonce=nonce)
    assert set(claims["amr"]) == {"pin", "mfa", "swk"} and "pwd" not in claims["amr"]
    assert claims["acr"] == "urn:tandem:acr:passwordless"


def test_the_token_endpoint_refuses_with_the_specifications_codes(server, phone, discovery):
    register(server, phone)  # MFA is required: alice signs in with the push
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)

    def code(challenge_verifier):
        session = OAuth2Session(client_id, secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256")
        url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=challenge_verifier)
        return session, sign_in_for_code(server, Browser(server), url, phone=phone)

    verifier = generate_token(64)
    cases = [
        ("unknown client", dict(client_id="not-registered"), "invalid_client"),
        ("wrong secret", dict(client_secret="not-the-secret"), "invalid_client"),
        ("wrong verifier", dict(code_verifier=generate_token(64)), "invalid_grant"),
        ("missing verifier", dict(code_verifier=None), "invalid_grant"),
    ]
    for name, change, expected in cases:
        session, back = code(verifier)
        if "client_id" in change:
            session = OAuth2Session(change["client_id"], secret, redirect_uri=REDIRECT)
        if "client_secret" in change:
            session = OAuth2Session(client_id, change["client_secret"], redirect_uri=REDIRECT)
        kwargs = {"code_verifier": change.get("code_verifier", verifier)}
        if kwargs["code_verifier"] is None:
            del kwargs["code_verifier"]
        with pytest.raises(OAuthError) as refused:
            session.fetch_token(discovery["token_endpoint"], authorization_response=back, **kwargs)
        assert refused.value.error == expected, name

    session, back = code(verifier)
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    with pytest.raises(OAuthError) as reused:
        session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert reused.value.error == "invalid_grant"
    assert session.introspect_token(discovery["introspection_endpoint"], token=token["access_token"]).json() == {"active": False}

    mismatch = requests.get(discovery["authorization_endpoint"], params={
        "client_id": client_id, "redirect_uri": REDIRECT + "/other", "response_type": "code", "scope": "openid"}, allow_redirects=False)
    assert mismatch.status_code == 400 and "Location" not in mismatch.headers

    tampered = token["access_token"][:-4] + ("AAAA" if not token["access_token"].endswith("AAAA") else "BBBB")
    info = requests.get(discovery["userinfo_endpoint"], headers={"Authorization": "Bearer " + tampered})
    assert info.status_code == 401 and 'error="invalid_token"' in info.headers["WWW-Authenticate"]


def test_private_key_jwt_client_credentials(server, discovery, tmp_path):
    from authlib.jose import JsonWebKey
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    key_dict = key.as_dict(is_private=True)
    key_dict["kid"] = "automation-1"
    public = {k: v for k, v in key_dict.items() if k in ("kty", "n", "e", "kid")}
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [public]}))
    client_id, secret, app = add_app(server, "Automation", "--auth-method", "private_key_jwt", "--jwks-file", str(tmp_path / "jwks.json"),
                                     "--grant", "client_credentials")
    assert secret is None and app["tandemTokenEndpointAuthMethod"] == "private_key_jwt"
    session = OAuth2Session(client_id, key_dict, token_endpoint_auth_method=PrivateKeyJWT(discovery["token_endpoint"]))
    token = session.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and "id_token" not in token

    other = JsonWebKey.generate_key("RSA", 2048, is_private=True).as_dict(is_private=True)
    other["kid"] = "automation-1"
    forged = OAuth2Session(client_id, other, token_endpoint_auth_method=PrivateKeyJWT(discovery["token_endpoint"]))
    with pytest.raises(OAuthError) as refused:
        forged.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert refused.value.error == "invalid_client"


def test_rp_initiated_logout_returns_to_the_registered_uri(server, phone, discovery):
    register(server, phone)  # MFA is required: alice signs in with the push
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    session = OAuth2Session(client_id, secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256")
    verifier = generate_token(64)
    url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier)
    browser = Browser(server)
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=sign_in_for_code(server, browser, url, phone=phone),
                                code_verifier=verifier)
    out = browser.http.get(discovery["end_session_endpoint"], params={
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": REDIRECT, "state": "bye"}, allow_redirects=False)
    assert out.status_code == 302 and out.headers["Location"] == REDIRECT + "?state=bye"
    assert browser.http.get(server.url + "/", allow_redirects=False).headers["Location"] == "/login"
