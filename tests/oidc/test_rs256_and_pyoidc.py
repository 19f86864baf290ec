"""RS256 ID tokens and a second OpenID Connect client library (issue 16, decision 0030).

- authlib (its JOSE code, with `cryptography`) validates an RS256 ID token against the published JWKS,
  and computes the RFC 7638 thumbprint of each published key, which must be its `kid`.
- pyoidc (`oic` on PyPI, independent of authlib) runs discovery, the code flow, the token request
  (verifying the ID token with the keys it fetched itself) and UserInfo with its default request:
  a POST with the access token in the form body (RFC 6750 §2.2).
"""

import warnings
from urllib.parse import urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import REDIRECT, Browser, add_app, register, sign_in_for_code, validate_id_token

warnings.filterwarnings("ignore", module="authlib")


def test_every_published_kid_is_its_rfc7638_thumbprint(server, discovery):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from authlib.jose import JsonWebKey
    keys = requests.get(discovery["jwks_uri"]).json()["keys"]
    assert {key["kty"] for key in keys} == {"EC", "RSA"}
    for key in keys:
        assert JsonWebKey.import_key(key).thumbprint() == key["kid"], key["kty"]


def test_authlib_validates_an_rs256_id_token_for_a_client_registered_for_it(server, phone, discovery):
    register(server, phone)
    client_id, secret, app = add_app(server, "Legacy", "--redirect-uri", REDIRECT, "--id-token-alg", "RS256")
    assert app["tandemIdTokenSignedResponseAlg"] == "RS256"
    session = OAuth2Session(client_id, secret, scope="openid profile", redirect_uri=REDIRECT, code_challenge_method="S256")
    verifier, nonce = generate_token(64), generate_token(20)
    url, _ = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    back = sign_in_for_code(server, Browser(server), url, phone=phone)
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    header = token["id_token"].split(".")[0]
    import base64
    import json
    alg = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"]
    assert alg == "RS256"
    claims = validate_id_token(token["id_token"], discovery, client_id, nonce=nonce, access_token=token["access_token"])
    assert claims["preferred_username"] == "alice@contoso.com"


def test_pyoidc_signs_in_and_reads_userinfo_with_its_default_post_body_request(server, phone):
    from oic import rndstr
    from oic.oic import Client
    from oic.oic.message import AccessTokenResponse, AuthorizationResponse, OpenIDSchema, RegistrationResponse
    from oic.utils.authn.client import CLIENT_AUTHN_METHOD

    register(server, phone)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT, "--id-token-alg", "RS256")
    client = Client(client_authn_method=CLIENT_AUTHN_METHOD)
    provider = client.provider_config(server.url)   # discovery and the JWKS, checked by pyoidc (issuer match)
    assert "RS256" in provider["id_token_signing_alg_values_supported"]
    client.store_registration_info(RegistrationResponse(client_id=client_id, client_secret=secret, redirect_uris=[REDIRECT],
                                                        id_token_signed_response_alg="RS256"))
    client.redirect_uris = [REDIRECT]
    state, nonce = rndstr(), rndstr()
    request = client.construct_AuthorizationRequest(request_args={
        "client_id": client_id, "response_type": "code", "scope": ["openid", "profile", "email"], "nonce": nonce,
        "redirect_uri": REDIRECT, "state": state})
    back = sign_in_for_code(server, Browser(server), request.request(client.authorization_endpoint), phone=phone)
    answer = client.parse_response(AuthorizationResponse, info=urlparse(back).query, sformat="urlencoded")
    assert isinstance(answer, AuthorizationResponse) and answer["state"] == state

    tokens = client.do_access_token_request(state=state, request_args={"code": answer["code"], "redirect_uri": REDIRECT},
                                            authn_method="client_secret_basic")
    assert isinstance(tokens, AccessTokenResponse), tokens.to_dict()
    id_token = tokens["id_token"]   # verified by pyoidc with the provider's keys (it raises otherwise)
    assert id_token.jws_header["alg"] == "RS256"
    assert id_token["nonce"] == nonce and id_token["aud"] == [client_id]

    # pyoidc's default UserInfo request: POST, access_token in the form body, no Authorization header.
    path, body, method, headers = client.user_info_request(method="POST", state=state, scope="openid")
    assert method == "POST" and "access_token=" in body and "Authorization" not in headers.get("headers", {})
    info = client.do_user_info_request(state=state)
    assert isinstance(info, OpenIDSchema), info.to_dict()
    assert info["sub"] == id_token["sub"] and info["preferred_username"] == "alice@contoso.com"

    # The same token sent twice over (header and body) is the client's mistake: 400 invalid_request.
    access = tokens["access_token"]
    twice = requests.post(server.url + "/oauth2/userinfo", data={"access_token": access}, headers={"Authorization": "Bearer " + access})
    assert twice.status_code == 400 and twice.json()["error"] == "invalid_request"
