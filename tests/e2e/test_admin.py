"""The admin side end to end: `tandem admin` on the database, the Graph-shaped API over HTTP with
the token it issues, and the sign-in obeying the policy at once."""

import json
from pathlib import Path

import requests

from conftest import PASSWORD, PIN, TANDEM, Browser, register, run

FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "TandemServerTests" / "Fixtures" / "graph"
POLICY = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator"


def admin(server, *args, check=True):
    return run([TANDEM, "admin", *args, "--database", server.db], check=check)


def make_admin(server):
    run([TANDEM, "users", "add", "admin@contoso.com", "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    admin(server, "roles", "assign", "Authentication Policy Administrator", "admin@contoso.com")
    token = admin(server, "token", "--user", "admin@contoso.com").stdout.strip()
    return {"Authorization": "Bearer " + token}


def test_documented_patch_body_through_the_real_server(server):
    headers = make_admin(server)
    body = (FIXTURES / "context-all-users.json").read_text()
    r = requests.patch(server.url + POLICY, data=body, headers=dict(headers, **{"Content-Type": "application/json"}))
    assert r.status_code == 204, r.text
    got = requests.get(server.url + POLICY, headers=headers).json()
    assert got["state"] == "enabled"
    assert got["featureSettings"]["displayLocationInformationRequiredState"]["state"] == "enabled"
    assert requests.get(server.url + POLICY).json()["error"]["code"] == "InvalidAuthenticationToken"
    audits = requests.get(server.url + "/v1.0/auditLogs/directoryAudits", headers=headers).json()["value"]
    activities = [a["activityDisplayName"] for a in audits]
    assert "Update authentication methods policy" in activities and "Add member to role" in activities


def test_group_targeting_from_the_command_line_changes_the_next_sign_in(server, phone):
    register(server, phone)
    phone.run("phone-sign-in", "enable", "--pin", PIN)
    assert Browser(server).start_passwordless() == "/login/approve"
    admin(server, "groups", "create", "Pilot")
    admin(server, "groups", "add-member", "Pilot", "alice@contoso.com")
    group_id = admin(server, "groups", "list").stdout.split()[0]
    admin(server, "policy", "patch", "--body", json.dumps(
        {"includeTargets": [{"targetType": "group", "id": group_id, "authenticationMode": "push"}]}))
    browser = Browser(server)
    assert browser.start() == "/login/password"
    assert browser.password().headers["Location"] == "/login/approve"
    admin(server, "groups", "remove-member", "Pilot", "alice@contoso.com")
    browser = Browser(server)
    browser.start()
    assert browser.password().headers["Location"] == "/login/complete"
    shown = json.loads(admin(server, "policy", "show").stdout)
    assert shown["includeTargets"][0]["id"] == group_id


def test_trusted_ips_from_the_command_line_skip_the_push(server, phone):
    register(server, phone)
    admin(server, "mfa-settings", "set", "--trusted-ips", "127.0.0.0/8")
    browser = Browser(server)
    browser.start()
    assert browser.password().headers["Location"] == "/login/complete"
    assert "127.0.0.0/8" in admin(server, "mfa-settings", "show").stdout


def test_bad_admin_input_is_one_clear_line(server):
    for args, word in [(["roles", "assign", "Chief Wizard", "alice@contoso.com"], "unknown role"),
                       (["policy", "patch", "--body", '{"state": 1}'], "state"),
                       (["policy", "patch", "--body", "{not json"], "JSON"),
                       (["token", "--user", "alice@contoso.com"], "role"),
                       (["mfa-settings", "set", "--remember-days", "400"], "rememberMultiFactorDays"),
                       (["groups", "add-member", "Nope", "alice@contoso.com"], "no group")]:
        out = admin(server, *args, check=False)
        assert out.returncode == 1, args
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and word in lines[0], (args, out.stderr)
