"""Automation uses the client-credentials grant at the admin API: the application's directory
roles (from `tandem admin apps --role`) decide, read at each request; applications are also
registered through the Graph-shaped API with such a token."""

import requests
from authlib.integrations.requests_client import OAuth2Session

from conftest import TANDEM, add_app, run

POLICY = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator"


def app_token(discovery, client_id, secret):
    session = OAuth2Session(client_id, secret, scope="tandem-admin")
    return session.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")["access_token"]


def test_client_credentials_reach_the_admin_api_by_the_applications_roles(server, discovery):
    client_id, secret, _ = add_app(server, "Automation", "--role", "Global Administrator")
    token = app_token(discovery, client_id, secret)
    headers = {"Authorization": "Bearer " + token}
    assert requests.get(server.url + POLICY, headers=headers).status_code == 200

    created = requests.post(server.url + "/v1.0/applications", headers=headers, json={
        "displayName": "Registered by automation", "web": {"redirectUris": ["https://hr.example.com/cb"]}})
    assert created.status_code == 201, created.text
    app = created.json()
    assert app["passwordCredentials"][0]["secretText"]
    listed = run([TANDEM, "admin", "apps", "list", "--database", server.db]).stdout
    assert app["appId"] in listed

    run([TANDEM, "admin", "apps", "update", "Automation", "--no-roles", "--database", server.db])
    refused = requests.get(server.url + POLICY, headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "Authorization_RequestDenied"


def test_an_application_without_a_role_is_refused(server, discovery):
    client_id, secret, _ = add_app(server, "Reporting")
    token = app_token(discovery, client_id, secret)
    assert requests.get(server.url + POLICY, headers={"Authorization": "Bearer " + token}).status_code == 403


def test_bad_application_input_is_one_clear_line(server):
    for args, word in [(["add", "X", "--redirect-uri", "http://app.example.com/cb"], "redirectUris"),
                       (["add", "X", "--public", "--grant", "client_credentials"], "public client"),
                       (["add", "X", "--auth-method", "private_key_jwt"], "JWK Set"),
                       (["add", "X", "--grant", "ciba", "--ciba-mode", "ping"], "notification endpoint"),
                       (["add", "X", "--role", "Chief Wizard"], "Unknown directory role"),
                       (["show", "no-such-app"], "No application")]:
        out = run([TANDEM, "admin", "apps", *args, "--database", server.db], check=False)
        assert out.returncode == 1, args
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0], (args, out.stderr)
