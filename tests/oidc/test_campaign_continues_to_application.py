"""The registration campaign in an OIDC sign-in (issue 12, decision 0034): a sign-in started by an
application's /authorize that stops at "Keep your account secure" still ends at the application.
"Not now" goes on to the authorization code redirect; "Next" opens security info to add the
method, with "Continue to <App>" that finishes the same authorization request. authlib is the
client; the real `tandem serve` and `tandem-authenticator`."""

import re
from urllib.parse import unquote

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import PASSWORD, PIN, REDIRECT, TANDEM, Browser, add_app, hidden_fields, query, register, run

POLICY = "/v1.0/policies/authenticationMethodsPolicy"


def enable_campaign(server):
    run([TANDEM, "users", "add", "policy@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Authentication Policy Administrator", "policy@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "policy@contoso.com", "--database", server.db]).stdout.strip()
    r = requests.patch(server.url + POLICY, headers={"Authorization": "Bearer " + token}, json={"registrationEnforcement": {
        "authenticationMethodsRegistrationCampaign": {"state": "enabled", "snoozeDurationInDays": 0,
                                                      "includeTargets": [{"id": "all_users", "targetType": "group",
                                                                          "targetedAuthenticationMethod": "fido2"}]}}})
    assert r.status_code == 204, r.text


def to_the_prompt(server, phone, discovery, client_id, secret):
    """/authorize → username → password → push approved → /login/complete: the prompt."""
    session = OAuth2Session(client_id, secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256")
    verifier = generate_token(64)
    url, state = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier)
    browser = Browser(server)
    http = browser.http
    location = http.get(url, allow_redirects=False).headers["Location"]
    assert location.startswith("/login?"), location
    fields = hidden_fields(http.get(server.url + location).text)
    continuation = fields["return_to"]
    assert continuation.startswith("/oauth2/authorize/continue?request="), fields
    r = http.post(server.url + "/login", data=dict(fields, username="alice@contoso.com"), allow_redirects=False)
    assert r.headers["Location"] == "/login/password", r.text
    fields = hidden_fields(http.get(server.url + "/login/password").text)
    r = http.post(server.url + "/login/password", data=dict(fields, password=PASSWORD), allow_redirects=False)
    assert r.headers["Location"] == "/login/approve", r.text
    assert "approved" in phone.run("approve", "--number", browser.number(), "--pin", PIN).stdout
    assert browser.complete().headers["Location"] == "/login/keep-secure"
    page = http.get(server.url + "/login/keep-secure").text
    assert "Keep your account secure" in page and "add a passkey" in page
    browser.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return browser, session, verifier, state, continuation


def follow(browser, location):
    """Follows the server's redirects (never the client's) to the redirect back to the client."""
    while location.startswith("/"):
        r = browser.http.get(browser.url(location), allow_redirects=False)
        assert r.status_code in (302, 303), (location, r.status_code, r.text[:300])
        location = r.headers["Location"]
    return location


def test_not_now_and_next_both_end_at_the_application(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    enable_campaign(server)

    # "Not now": straight on to the application's code redirect, and the code is good.
    browser, session, verifier, state, continuation = to_the_prompt(server, phone, discovery, client_id, secret)
    r = browser.post("/login/keep-secure/snooze")
    assert r.status_code == 303 and r.headers["Location"] == continuation, r.headers.get("Location")
    back = follow(browser, r.headers["Location"])
    assert back.startswith(REDIRECT + "?") and query(back)["state"] == state, back
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert token["id_token"]

    # "Next": security info to add the passkey, with the way on to the same authorization request.
    browser, session, verifier, state, continuation = to_the_prompt(server, phone, discovery, client_id, secret)
    r = browser.post("/login/keep-secure/next")
    assert r.status_code == 303, r.text
    location = r.headers["Location"]
    assert location.startswith("/mysecurityinfo?campaign=1"), location
    page = browser.http.get(browser.url(location)).text
    assert "add-passkey" in page, "a fresh MFA session: the passkey can be added at once"
    link = re.search(r'<a[^>]*id="campaign-continue"[^>]*href="([^"]+)"[^>]*>([^<]*)</a>', page)
    assert link, "security info offers the way back to the application"
    assert unquote(link.group(1).replace("&amp;", "&")) == continuation and "Payroll" in link.group(2), link.groups()
    back = follow(browser, link.group(1).replace("&amp;", "&"))
    assert back.startswith(REDIRECT + "?") and query(back)["state"] == state, back
    token = session.fetch_token(discovery["token_endpoint"], authorization_response=back, code_verifier=verifier)
    assert token["id_token"]

    # A return_to that is not a local path is never offered as a link.
    page = browser.http.get(browser.url("/mysecurityinfo?campaign=1&return_to=https%3A%2F%2Fevil.example%2F")).text
    assert 'id="campaign-continue"' not in page and "evil.example" not in page
