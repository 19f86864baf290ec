#!/usr/bin/env python3
"""schemathesis against the live server, bounded.

Starts the real `tandem serve` on a loopback port with a temp SQLite file (the e2e harness), fills
it with data so every list has something to check (a registered authenticator, sign-ins good and
bad, a group, a named location, a reported request that blocks a user), gives schemathesis an admin
token of a Global Administrator, and runs it over the served `GET /openapi.json` for at most
`--max-examples` cases per operation, with the checks that the document is true: no 5xx, every
status, content type, header and body as documented. Afterwards the server must still answer and
its log must hold no unexpected error. Prints the case counts. See docs/decisions/0009-bad-input.md.

    python3 tests/fuzz/run_schemathesis.py [--max-examples 100] [--seed 6] [--phases examples,coverage,fuzzing,stateful]
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from conftest import PASSWORD, TANDEM, Authenticator, Browser, Server, register, run  # noqa: E402

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
ADMIN = "fuzz-admin@tandem.test"
SCHEMATHESIS = "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'st'; sys.exit(schemathesis())"


def admin_token(server):
    run([TANDEM, "users", "add", ADMIN, "--password", PASSWORD, "--database", server.db, "--bcrypt-cost", "4"])
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", ADMIN, "--database", server.db])
    return run([TANDEM, "admin", "token", "--user", ADMIN, "--database", server.db]).stdout.strip()


def seed(server, folder, headers):
    """Data for the lists: an authenticator, sign-ins, a group, a named location, a blocked user."""
    phone = Authenticator(folder / "phone")
    register(server, phone)                              # alice: password sign-in, authenticator added
    browser = Browser(server)
    browser.start()
    browser.password("not the password")                 # a failed sign-in
    browser = Browser(server)
    browser.start()
    assert browser.password().headers["Location"] == "/login/approve"
    phone.run("report")                                  # "No, it's not me": alice is blocked, a risky user
    api = server.url + "/v1.0"
    group = requests.post(api + "/groups", json={"displayName": "Pilot"}, headers=headers).json()
    alice = requests.get(api + "/users/alice@contoso.com", headers=headers).json()
    requests.post(api + f"/groups/{group['id']}/members/$ref", headers=headers,
                  json={"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{alice['id']}"})
    location = requests.post(api + "/identity/conditionalAccess/namedLocations", headers=headers,
                             json={"displayName": "Head office, Berlin", "isTrusted": True, "ipRanges": [{"cidrAddress": "198.51.100.0/24"}]}).json()
    devices = requests.get(api + f"/users/{alice['id']}/authentication/microsoftAuthenticatorMethods", headers=headers).json()["value"]
    sign_ins = requests.get(api + "/auditLogs/signIns", headers=headers).json()["value"]
    return {"users": [alice["id"], "alice@contoso.com"], "groups": [group["id"]], "devices": [d["id"] for d in devices],
            "members": [alice["id"]], "signIns": [s["id"] for s in sign_ins], "locations": [location["id"]],
            "roles": ["0526716b-113d-4c15-b2c8-68e3c22b9f80", "c4e39bd9-1100-46d3-8c65-fb160da0071f", "roleTemplateId=0526716b-113d-4c15-b2c8-68e3c22b9f80"]}


# Which real objects a path's parameters may name: schemathesis picks them with this probability
# and generates the rest, so cases reach real users, groups, devices and sign-ins as well as 404s.
BINDINGS = {
    "/v1.0/users/{id}": {"id": "users"},
    "/v1.0/users/{id}/authentication/requirements": {"id": "users"},
    "/v1.0/users/{id}/memberOf": {"id": "users"},
    "/v1.0/users/{id}/authentication/methods": {"id": "users"},
    "/v1.0/users/{id}/revokeSignInSessions": {"id": "users"},   # alice's, not the fuzzing administrator's own
    "/v1.0/users/{id}/authentication/signInPreferences": {"id": "users"},
    "/v1.0/users/{id}/authentication/microsoftAuthenticatorMethods": {"id": "users"},
    "/v1.0/users/{id}/authentication/microsoftAuthenticatorMethods/{method}": {"id": "users", "method": "devices"},
    "/v1.0/groups/{id}": {"id": "groups"},
    "/v1.0/groups/{id}/members": {"id": "groups"},
    "/v1.0/groups/{id}/members/$ref": {"id": "groups"},
    "/v1.0/groups/{id}/members/{member}/$ref": {"id": "groups", "member": "members"},
    "/v1.0/directoryRoles/{id}/members/{member}/$ref": {"id": "roles", "member": "members"},
    "/v1.0/auditLogs/signIns/{id}": {"id": "signIns"},
    "/v1.0/identity/conditionalAccess/namedLocations/{id}": {"id": "locations"},
}


def config(ids):
    """A schemathesis.toml that binds path parameters to the seeded objects."""
    lines = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", "values = " + json.dumps(values), ""]
    for path, bindings in BINDINGS.items():
        pairs = ", ".join(f'"path.{param}" = {{ dictionary = "{name}", probability = 0.5 }}'
                          for param, name in bindings.items() if ids.get(name))
        if pairs:
            lines += ["[[operations]]", f"include-path = {json.dumps(path)}", f"parameters = {{ {pairs} }}", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100, help="cases per operation and phase (default 100)")
    parser.add_argument("--seed", type=int, default=6, help="schemathesis' random seed (default 6)")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--max-time", type=int, help="a time budget instead: fuzzing repeats until it is spent")
    parser.add_argument("--report", type=Path, help="keep schemathesis' ndjson event stream here")
    parser.add_argument("--include-path-regex", help="only the operations whose path matches")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tandem-schemathesis-") as tmp:
        folder = Path(tmp)
        server = Server(folder / "server")
        try:
            headers = {"Authorization": "Bearer " + admin_token(server)}
            ids = seed(server, folder, headers)
            settings = folder / "schemathesis.toml"
            settings.write_text(config(ids), encoding="utf-8")
            served = requests.get(server.url + "/openapi.json").json()
            checked_in = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
            assert served == checked_in, "GET /openapi.json differs from docs/openapi.json: run tests/fuzz/embed_openapi.py"
            report = folder / "report.ndjson"
            command = [sys.executable, "-c", SCHEMATHESIS, "--config-file", str(settings), "run", server.url + "/openapi.json", "--checks", CHECKS,
                       "-H", f"Authorization: {headers['Authorization']}", "--max-examples", str(args.max_examples),
                       "--seed", str(args.seed), "--phases", args.phases, "--workers", "1", "--request-timeout", "30",
                       "--no-color", "--output-truncate", "true", "--report", "ndjson", "--report-ndjson-path", str(report),
                       "--suppress-health-check", "all", "--generation-database", "none"]
            if args.max_time:
                command += ["--max-time", str(args.max_time)]
            if args.include_path_regex:
                command += ["--include-path-regex", args.include_path_regex]
            # A password reset or revokeSignInSessions that lands on the fuzzing administrator ends
            # his token (as it must): those two run last, in a pass of their own, so they cannot
            # turn every later case into a 401.
            ending = ["--include-operation-id", "updateUser", "--include-operation-id", "revokeSignInSessions"]
            started = time.time()
            result = subprocess.run(command + ["--exclude-operation-id", "updateUser", "--exclude-operation-id", "revokeSignInSessions"],
                                    timeout=1800, cwd=folder)   # its cache stays out of the work tree
            cases, operations = count(report)
            if result.returncode == 0 and not args.include_path_regex:
                result = subprocess.run([arg if arg != str(report) else str(report) + ".last" for arg in command] + ending,
                                        timeout=1800, cwd=folder)
                more_cases, more_operations = count(Path(str(report) + ".last"))
                cases, operations = cases + more_cases, operations + more_operations
            seconds = time.time() - started
            if args.report and report.exists():
                args.report.write_bytes(report.read_bytes())
            alive = server.process.poll() is None and answers(server.url + "/health")
            whoami = requests.get(server.url + "/v1.0/users/" + ADMIN, headers=headers, timeout=5) if alive else None
            if whoami is not None and (whoami.status_code != 200 or not whoami.json().get("accountEnabled")):
                print(f"note: the run changed the administrator's access ({whoami.status_code} {whoami.text[:200]})")
        finally:
            server.stop()
        log = server.log()
        problems = [line for line in log.splitlines() if re.search(r"unexpected error|Fatal error|Program crashed", line)]
        print(f"schemathesis: {cases} cases over {operations} operations in {seconds:.0f} s "
              f"(at most {args.max_examples} per operation and phase, seed {args.seed}); "
              f"server {'still answering' if alive else 'DEAD'}; {len(problems)} unexpected errors in its log")
        for line in problems[:20]:
            print("  server log: " + line)
        if result.returncode != 0 or not alive or problems:
            sys.exit(1)


def answers(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def count(report):
    """Test cases and operations from schemathesis' ndjson event stream."""
    cases, operations = 0, set()
    if not report.exists():
        return 0, 0
    for line in report.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        for name, body in event.items():
            if name == "ScenarioFinished" and isinstance(body, dict):
                recorder = body.get("recorder") or {}
                cases += len(recorder.get("cases") or {})
                label = recorder.get("label") or ""
                if re.match(r"^[A-Z]+ /", label):   # an operation, not a stateful scenario
                    operations.add(label)
    return cases, len(operations)


if __name__ == "__main__":
    main()
