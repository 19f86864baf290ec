"""OpenID Connect and CIBA end to end: the real `tandem serve`, the real `tandem-authenticator`,
and third-party clients from PyPI (authlib's OAuth 2.0 session and its JOSE code for the ID
token). The e2e harness (server, browser, phone) is shared with tests/e2e."""

import importlib.util
import json
import re
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests

_spec = importlib.util.spec_from_file_location("e2e_harness", Path(__file__).resolve().parents[1] / "e2e" / "conftest.py")
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

PASSWORD, PIN, TANDEM = harness.PASSWORD, harness.PIN, harness.TANDEM
Browser, Server, register, run, pending = harness.Browser, harness.Server, harness.register, harness.run, harness.pending
REDIRECT = "http://127.0.0.1:9/callback"  # never contacted: the browser stops at the redirect


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "server")
    yield s
    s.stop()


@pytest.fixture
def phone(tmp_path):
    return harness.Authenticator(tmp_path / "phone")


@pytest.fixture
def discovery(server):
    return requests.get(server.url + "/.well-known/openid-configuration").json()


def add_app(server, name, *args):
    """Registers an application with `tandem admin apps add … --json`; returns (client_id, secret, object)."""
    out = run([TANDEM, "admin", "apps", "add", name, "--json", "--database", server.db, *args]).stdout
    app = json.loads(out)
    secrets = app["passwordCredentials"]
    return app["appId"], (secrets[0]["secretText"] if secrets else None), app


def query(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def hidden_fields(html):
    """The hidden inputs of a page's form (the CSRF token, `return_to`), as a browser submits them."""
    return {m.group(1): m.group(2).replace("&amp;", "&")
            for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}


def sign_in_for_code(server, browser, authorization_url, phone=None, passwordless=False, consent=None):
    """Plays the browser from the authorization URL to the redirect back to the client, signing in
    with Tandem's own pages (password, then the push approved by the real authenticator when the
    user has one; or, `passwordless`, "Other ways to sign in" → the phone). A consent page is
    answered with `consent` ("allow" or "deny"; with None, a consent page fails the test). Returns
    the final redirect URL (carrying the code)."""
    http = browser.http
    r = http.get(authorization_url, allow_redirects=False)
    assert r.status_code in (302, 303), r.text
    location = r.headers["Location"]
    if location.startswith("/login?"):
        fields = hidden_fields(http.get(server.url + location).text)
        assert fields.get("return_to", "").startswith("/oauth2/authorize/continue?request="), fields
        r = http.post(server.url + "/login", data=dict(fields, username="alice@contoso.com"), allow_redirects=False)
        assert r.status_code == 303, r.text
        location = r.headers["Location"]
    if location == "/login/password" and passwordless:
        fields = hidden_fields(http.get(server.url + location).text)
        r = http.post(server.url + "/login/passwordless", data={"csrf": fields["csrf"]}, allow_redirects=False)
        assert r.status_code == 303, r.text
        location = r.headers["Location"]
    if location == "/login/password":
        assert not passwordless, "expected the number"
        fields = hidden_fields(http.get(server.url + location).text)
        r = http.post(server.url + "/login/password", data=dict(fields, password=PASSWORD), allow_redirects=False)
        assert r.status_code == 303, r.text
        location = r.headers["Location"]
    if location == "/login/approve":
        number = browser.number()
        assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
        assert browser.status(wait=5)["state"] == "approved"
        location = "/login/complete"
    while location.startswith("/"):
        r = http.get(server.url + location, allow_redirects=False)
        if r.status_code == 200 and 'action="/oauth2/authorize/consent"' in r.text:
            assert consent, "unexpected consent page: " + r.text
            r = http.post(server.url + "/oauth2/authorize/consent", data=dict(hidden_fields(r.text), decision=consent),
                          allow_redirects=False)
        assert r.status_code in (302, 303), r.text
        location = r.headers["Location"]
    return location


def validate_id_token(id_token, discovery, client_id, nonce=None, access_token=None):
    """Checks the ID token with authlib's own JOSE code against the published JWKS."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from authlib.jose import JsonWebKey, jwt
        from authlib.oidc.core import CodeIDToken
    jwks = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"]).json())
    params = {"client_id": client_id}
    if nonce:
        params["nonce"] = nonce
    if access_token:
        params["access_token"] = access_token
    claims = jwt.decode(id_token, jwks, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": discovery["issuer"]}}, claims_params=params)
    claims.validate(leeway=5)
    return claims
