"""Strength-aware sign-in (issue 12, decision 0027) over real HTTP against `tandem serve`, with
authlib as the OpenID Connect client and a software WebAuthn authenticator built from Python
`fido2` and `cryptography`: a sign-in that must reach Phishing-resistant MFA offers only a
passkey to a user who has one (and refuses a password without checking it); a user with only
push signs in with password + push, is sent to add a passkey (the strength interrupt), and gets a
code only after using the new passkey. From the attacker's side: the interrupt yields no session
and no code, `/login/complete` posted directly is refused, and no token without a passkey carries
the phishing-resistant `acr`."""

import re
import warnings

import requests

from conftest import PIN, REDIRECT, Browser, add_app, hidden_fields, query, register, validate_id_token
from test_strengths import SoftwareAuthenticator, add_passkey, client_for, follow, localhost_server  # noqa: F401 (fixture)

warnings.filterwarnings("ignore", module="authlib")


def start_for(server, browser, url):
    """From the authorization URL to the page after the username; returns that page's location."""
    location = follow(browser, url)
    assert location.startswith("/login?"), location
    fields = hidden_fields(browser.http.get(server.url + location).text)
    r = browser.http.post(server.url + "/login", data=dict(fields, username="alice@contoso.com"), allow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["Location"]


def passkey_in_flow(server, browser, page_path, authenticator, handle, counter):
    """The passkey assertion sent with the browser's flow cookie (the button on `page_path`)."""
    page = browser.http.get(browser.url(page_path)).text
    assert 'id="sign-in-passkey"' in page, page
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', page).group(1)
    o = browser.http.post(browser.url("/login/passkey/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    r = browser.http.post(browser.url("/login/passkey"), json=dict({"csrf": csrf}, **authenticator.get(o, server.public_url, counter, handle)),
                          headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return browser.complete()


def code_and_claims(server, browser, session, verifier, client_id, location):
    """Follows the completion back to the client; fetches and checks the ID token."""
    back = follow(browser, browser.url(location)) if location.startswith("/") else location
    assert "code" in query(back), back
    discovery = requests.get(server.url + "/.well-known/openid-configuration").json()
    discovery["jwks_uri"] = discovery["jwks_uri"].replace(server.public_url, server.url)
    token = session.fetch_token(server.url + "/oauth2/token", authorization_response=back, code_verifier=verifier)
    return validate_id_token(token["id_token"], discovery, client_id, nonce="n-1")


def test_a_phr_sign_in_offers_only_the_passkey_and_refuses_the_password_unchecked(localhost_server, phone):
    server = localhost_server
    setup = register(server, phone)
    authenticator = SoftwareAuthenticator()
    handle = add_passkey(server, setup, authenticator)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)

    # Without acr_values the page is the usual one (password, other ways).
    _, url, _ = client_for(server, client_id, secret, prompt="login")
    plain = Browser(server)
    assert start_for(server, plain, url) == "/login/password"
    page = plain.http.get(plain.url("/login/password")).text
    assert 'id="password"' in page and 'id="strength-notice"' not in page

    session, url, verifier = client_for(server, client_id, secret, acr_values="phr")
    browser = Browser(server)
    assert start_for(server, browser, url) == "/login/password"
    page = browser.http.get(browser.url("/login/password")).text
    assert "Your organization requires a passkey to access this resource." in page, page
    assert 'id="password"' not in page and 'id="use-app"' not in page and 'id="use-code"' not in page, page
    assert 'id="sign-in-passkey"' in page
    # The password is refused before it is checked (a wrong one reads the same): no push, no session.
    csrf = hidden_fields(page).get("csrf") or re.search(r'data-passkey-csrf="([^"]+)"', page).group(1)
    for password in ["correct horse battery", "wrong"]:
        r = browser.http.post(browser.url("/login/password"), data={"csrf": csrf, "password": password}, allow_redirects=False)
        assert r.status_code == 403 and "requires a passkey" in r.text, r.text
    assert browser.http.post(browser.url("/login/passwordless"), data={"csrf": csrf}, allow_redirects=False).status_code != 303
    assert browser.complete().status_code in (401, 403, 409)
    # The passkey completes it: the code, acr phr.
    done = passkey_in_flow(server, browser, "/login/password", authenticator, handle, counter=1)
    assert done.status_code == 303, done.text
    claims = code_and_claims(server, browser, session, verifier, client_id, done.headers["Location"])
    assert claims["acr"] in ("phr", "phrh") and "pwd" not in claims["amr"], claims


def test_a_user_without_a_passkey_adds_one_in_the_sign_in_and_only_its_use_completes_it(localhost_server, phone):
    server = localhost_server
    register(server, phone)  # push only
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    session, url, verifier = client_for(server, client_id, secret, acr_values="phr")
    browser = Browser(server)
    assert start_for(server, browser, url) == "/login/password"
    page = browser.http.get(browser.url("/login/password")).text
    assert "have one yet" in page and 'id="password"' in page, page
    browser.csrf = hidden_fields(page)["csrf"]
    assert browser.password().headers["Location"] == "/login/approve"
    phone.run("approve", "--number", browser.number(), "--pin", PIN)
    interrupted = browser.complete()
    assert interrupted.status_code == 303 and interrupted.headers["Location"] == "/login/enrol", interrupted.text
    assert "tandem_session" not in interrupted.headers.get("Set-Cookie", "")

    # Attacker's side: the MFA sign-in is no session and no code; completing again is refused.
    assert browser.complete().status_code == 403
    assert browser.http.get(browser.url("/"), allow_redirects=False).headers.get("Location", "").startswith("/login")
    assert "code=" not in follow(browser, url)
    assert browser.http.get(browser.url("/mysecurityinfo"), allow_redirects=False).status_code in (302, 303)

    # Add the passkey from the interrupt page (the flow's CSRF token), then use it.
    page = browser.http.get(browser.url("/login/enrol")).text
    assert "requires a passkey" in page and 'id="add-passkey"' in page, page
    assert '<p class="continue-to" id="continue-to">to continue to Payroll</p>' in page, page  # decision 0032
    csrf = re.search(r'data-passkey-csrf="([^"]+)"', page).group(1)
    assert browser.http.post(browser.url("/login/enrol/passkey/options"), json={"csrf": "forged"}).status_code == 403
    authenticator = SoftwareAuthenticator()
    o = browser.http.post(browser.url("/login/enrol/passkey/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    r = browser.http.post(browser.url("/login/enrol/passkey"), json=dict(authenticator.create(o, server.public_url), csrf=csrf),
                          headers={"Accept": "application/json"})
    assert r.status_code == 201, r.text
    # Registered, not used: still no session.
    assert browser.complete().status_code == 403
    assert "code=" not in follow(browser, url)
    assert 'id="continue-to">to continue to Payroll<' in browser.http.get(browser.url("/login/enrol?added=1")).text
    done = passkey_in_flow(server, browser, "/login/enrol?added=1", authenticator, o["user"]["id"], counter=1)
    assert done.status_code == 303, done.text
    session2, url2, verifier2 = client_for(server, client_id, secret, acr_values="phr")
    claims = code_and_claims(server, browser, session2, verifier2, client_id, follow(browser, url2))
    assert claims["acr"] in ("phr", "phrh") and "pwd" not in claims["amr"], claims


def test_a_user_without_a_passkey_never_gets_a_phishing_resistant_token(localhost_server, phone):
    """Every way in without a passkey: password + push for a phr request, a push session then
    prompt=none, a direct completion; none yields a code whose token says phr."""
    server = localhost_server
    browser = register(server, phone)  # a password + push session
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    for acr in ["phr", "phrh", "urn:tandem:acr:phishing-resistant"]:
        _, url, _ = client_for(server, client_id, secret, acr_values=acr)
        location = follow(browser, url)
        assert "code=" not in location, location
        _, url, _ = client_for(server, client_id, secret, acr_values=acr, prompt="none")
        back = follow(browser, url)
        assert "code" not in query(back) and query(back)["error"] in ("login_required", "unmet_authentication_requirements"), back
