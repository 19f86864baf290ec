"""CIBA (OpenID Connect CIBA Core 1.0) end to end: a client on plain `requests` (authlib has no
CIBA client) asks for a backchannel authentication, the real authenticator shows the binding
message and takes the number the client shows, and the ID token is validated with authlib's
JOSE code. Poll and ping modes, and the token endpoint's CIBA answers."""

import http.server
import json
import threading
import time

import requests

from conftest import PIN, TANDEM, add_app, pending, register, run, validate_id_token

CIBA_GRANT = "urn:openid:params:grant-type:ciba"


def leaf_values(value):
    """Every string, number and key in a JSON value, as text."""
    if isinstance(value, dict):
        return [str(k) for k in value] + [leaf for v in value.values() for leaf in leaf_values(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaf_values(v)]
    return [str(value)]


def start(discovery, client_id, secret, **extra):
    form = {"scope": "openid profile", "login_hint": "alice@contoso.com", **extra}
    return requests.post(discovery["backchannel_authentication_endpoint"], data=form, auth=(client_id, secret))


def poll(discovery, client_id, secret, auth_req_id):
    return requests.post(discovery["token_endpoint"], data={"grant_type": CIBA_GRANT, "auth_req_id": auth_req_id}, auth=(client_id, secret))


def test_a_poll_mode_client_signs_in_with_the_authenticator_showing_the_binding_message(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Call centre", "--grant", "ciba")
    started = start(discovery, client_id, secret, binding_message="Order W-4471", requested_expiry="120")
    assert started.status_code == 200, started.text
    ack = started.json()
    for field in ("auth_req_id", "expires_in", "interval"):
        assert field in ack, field  # CIBA Core §7.3
    number = ack["tandem_number"]
    first = poll(discovery, client_id, secret, ack["auth_req_id"])
    assert first.status_code == 400 and first.json()["error"] == "authorization_pending"

    listener = phone.spawn("listen", "--once")
    try:
        listener.expect("connected")
        listener.expect("Application: Call centre")
        listener.expect("Message: Order W-4471")
        listener.expect("Enter the number")
        listener.sendline(number)
        listener.expect("PIN: ")
        listener.sendline(PIN)
        listener.expect("approved")
    finally:
        listener.terminate(force=True)

    time.sleep(ack["interval"])
    tokens = poll(discovery, client_id, secret, ack["auth_req_id"])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    for field in ("access_token", "token_type", "expires_in", "id_token"):
        assert field in body, field
    claims = validate_id_token(body["id_token"], discovery, client_id, access_token=body["access_token"])
    assert set(claims["amr"]) == {"mfa", "pin", "swk"}
    assert claims["preferred_username"] == "alice@contoso.com"
    info = requests.get(discovery["userinfo_endpoint"], headers={"Authorization": "Bearer " + body["access_token"]}).json()
    assert info["sub"] == claims["sub"]
    time.sleep(ack["interval"])
    again = poll(discovery, client_id, secret, ack["auth_req_id"])
    assert again.json()["error"] == "invalid_grant"

    # Decision 0032: the sign-in log has the request as the client's (appId = its client id), a success.
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()
    signins = requests.get(server.url + "/v1.0/auditLogs/signIns", params={"$filter": f"appId eq '{client_id}'"},
                           headers={"Authorization": "Bearer " + token}).json()["value"]
    assert [(s["appDisplayName"], s["userPrincipalName"], s["status"]["errorCode"]) for s in signins] == [("Call centre", "alice@contoso.com", 0)], signins


def test_polling_too_fast_is_slow_down_and_a_denial_is_access_denied(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Call centre", "--grant", "ciba")
    ack = start(discovery, client_id, secret, binding_message="Transfer 120 EUR").json()
    assert poll(discovery, client_id, secret, ack["auth_req_id"]).json()["error"] == "authorization_pending"
    # Polls back to back are too fast; on a loaded machine one may land after the interval, so allow a few.
    errors = []
    while "slow_down" not in errors and len(errors) < 3:
        errors.append(poll(discovery, client_id, secret, ack["auth_req_id"]).json()["error"])
    assert errors[-1] == "slow_down" and set(errors) <= {"slow_down", "authorization_pending"}, errors
    waiting = pending(phone)
    assert len(waiting) == 1 and waiting[0]["context"]["bindingMessage"] == "Transfer 120 EUR"
    # No field of the offer is the number (a substring test also hits digits inside ids, dates and addresses).
    assert str(ack["tandem_number"]) not in leaf_values(waiting)
    assert "denied" in phone.run("deny").stdout
    time.sleep(ack["interval"] + 5)
    denied = poll(discovery, client_id, secret, ack["auth_req_id"])
    assert denied.status_code == 400 and denied.json()["error"] == "access_denied"


def test_the_backchannel_endpoint_refuses_with_the_ciba_codes(server, phone, discovery):
    register(server, phone)
    client_id, secret, _ = add_app(server, "Call centre", "--grant", "ciba")
    plain_id, plain_secret, _ = add_app(server, "Web app", "--redirect-uri", "https://app.example.com/cb")
    assert start(discovery, client_id, "wrong").status_code == 401
    assert start(discovery, plain_id, plain_secret).json()["error"] == "unauthorized_client"
    assert start(discovery, client_id, secret, login_hint="nobody@contoso.com").json()["error"] == "unknown_user_id"
    assert start(discovery, client_id, secret, binding_message="x" * 65).json()["error"] == "invalid_binding_message"
    assert start(discovery, client_id, secret, scope="profile").json()["error"] == "invalid_scope"
    assert poll(discovery, client_id, secret, "not-a-request").json()["error"] == "invalid_grant"


class PingReceiver:
    """The client's notification endpoint: records what the provider posts."""

    def __init__(self):
        self.received = []
        self.event = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.received.append((self.headers.get("Authorization"), json.loads(self.rfile.read(length))))
                self.send_response(204)
                self.end_headers()
                receiver.event.set()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/ciba"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def test_a_ping_mode_client_is_told_when_to_fetch_its_tokens(server, phone, discovery):
    register(server, phone)
    receiver = PingReceiver()
    try:
        client_id, secret, app = add_app(server, "Kiosk", "--grant", "ciba", "--ciba-mode", "ping", "--notification-endpoint", receiver.url)
        assert app["tandemBackchannelTokenDeliveryMode"] == "ping"
        ack = start(discovery, client_id, secret, client_notification_token="kiosk-ping-token-1").json()
        assert "approved" in phone.run("approve", "--number", ack["tandem_number"], "--pin", PIN).stdout
        assert receiver.event.wait(15), "no ping"
        authorization, body = receiver.received[0]
        assert authorization == "Bearer kiosk-ping-token-1"
        assert body == {"auth_req_id": ack["auth_req_id"]}
        tokens = poll(discovery, client_id, secret, ack["auth_req_id"])
        assert tokens.status_code == 200, tokens.text
        validate_id_token(tokens.json()["id_token"], discovery, client_id)
    finally:
        receiver.close()
