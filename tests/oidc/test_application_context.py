"""Decision 0032 for a passkey sign-in started on an application's sign-in page: the username
page of Payroll's authorization request says "to continue to Payroll", the passkey
(`/login/passkey`, a software WebAuthn authenticator from Python `fido2`) completes it back to
Payroll with a code, and Graph's sign-in log records the attempt with `appId` = Payroll's client id
and `appDisplayName` Payroll; a passkey sign-in on Tandem's own page stays Tandem's."""

import html
import re
import warnings

import requests

from conftest import Browser, REDIRECT, add_app, register
from test_strengths import SoftwareAuthenticator, add_passkey, admin_headers, client_for, follow, localhost_server  # noqa: F401 (fixture)
from test_strength_aware_sign_in import code_and_claims

warnings.filterwarnings("ignore", module="authlib")


def passkey_from_username_page(server, browser, location, authenticator, handle, counter):
    """The username page at `location`; its "Sign in with a passkey" (the page's CSRF token and return_to)."""
    page = browser.http.get(server.url + location).text
    script = re.search(r'<script type="module" src="/static/passkey-sign-in.js"[^>]*>', page).group(0)
    csrf = html.unescape(re.search(r'data-passkey-csrf="([^"]*)"', script).group(1))
    return_to = html.unescape(re.search(r'data-return-to="([^"]*)"', script).group(1))
    o = browser.http.post(browser.url("/login/passkey/options"), json={"csrf": csrf}, headers={"Accept": "application/json"}).json()
    body = dict({"csrf": csrf}, **authenticator.get(o, server.public_url, counter, handle))
    if return_to:
        body["returnTo"] = return_to
    r = browser.http.post(browser.url("/login/passkey"), json=body, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return page, return_to, browser.complete()


def sign_ins(server, headers):
    return requests.get(server.url + "/v1.0/auditLogs/signIns", headers=headers).json()["value"]


def test_a_passkey_sign_in_on_payrolls_page_is_logged_as_payroll(localhost_server, phone):
    server = localhost_server
    setup = register(server, phone)
    authenticator = SoftwareAuthenticator()
    handle = add_passkey(server, setup, authenticator)
    client_id, secret, _ = add_app(server, "Payroll", "--redirect-uri", REDIRECT)
    headers = admin_headers(server, "reader@contoso.com", "Global Administrator")

    # Tandem's own username page: the passkey sign-in is Tandem's.
    page, return_to, done = passkey_from_username_page(server, Browser(server), "/login", authenticator, handle, counter=1)
    assert 'id="continue-to"' not in page and return_to == ""
    assert done.status_code == 303, done.text
    own = sign_ins(server, headers)[0]
    assert (own["appId"], own["appDisplayName"], own["status"]["errorCode"]) == ("tandem", "Tandem", 0), own

    # Payroll's: the page names Payroll, the code goes back to Payroll, the log says Payroll.
    session, url, verifier = client_for(server, client_id, secret)
    browser = Browser(server)
    location = follow(browser, url)
    assert location.startswith("/login?return_to="), location
    page, return_to, done = passkey_from_username_page(server, browser, location, authenticator, handle, counter=2)
    assert '<p class="continue-to" id="continue-to">to continue to Payroll</p>' in page
    assert return_to.startswith("/oauth2/authorize/continue?request="), return_to
    assert done.status_code == 303 and done.headers["Location"].startswith("/oauth2/authorize/continue?request="), done.text
    claims = code_and_claims(server, browser, session, verifier, client_id, done.headers["Location"])
    assert "hwk" in claims["amr"] and "pwd" not in claims["amr"], claims  # the passkey signed it in
    newest = sign_ins(server, headers)[0]
    assert newest["id"] != own["id"]
    assert (newest["appId"], newest["appDisplayName"], newest["status"]["errorCode"]) == (client_id, "Payroll", 0), newest
    assert any("Passkey" in d.get("authenticationMethod", "") for d in newest.get("authenticationDetails", [])), newest
    filtered = requests.get(server.url + "/v1.0/auditLogs/signIns", params={"$filter": f"appId eq '{client_id}'"}, headers=headers).json()["value"]
    assert [s["id"] for s in filtered] == [newest["id"]]
