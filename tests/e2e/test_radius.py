"""Issue 14: the RADIUS server (`tandem serve --radius-port`) driven by a third-party RADIUS client,
pyrad, with the real `tandem-authenticator` as the phone: PAP password, Access-Challenge with the
number, Accept after the approval, Reject after a denial, Challenge while waiting; packets without
a right Message-Authenticator, from an unknown address or with a wrong secret get no answer at all;
a wrong password is rejected and counted by the same throttle as the web sign-in."""

import json
import re
import socket
import time
from pathlib import Path

import pytest
import requests
from pyrad import packet
from pyrad.client import Client, Timeout
from pyrad.dictionary import Dictionary

from conftest import PASSWORD, PIN, TANDEM, Server, pending, register, run

DICTIONARY = str(Path(__file__).with_name("radius.dictionary"))
METRICS_TOKEN = "radius-test-metrics-token"
NUMBER = re.compile(r"enter (\d+), then press Enter")


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Radius:
    """A server with RADIUS on, alice's phone registered, and one RADIUS client for 127.0.0.1."""

    def __init__(self, folder, phone, challenge_lifetime=120):
        self.port = free_udp_port()
        self.server = Server(folder, challenge_lifetime=challenge_lifetime,
                             extra_args=["--radius-port", str(self.port), "--metrics-token", METRICS_TOKEN])
        self.phone = phone
        register(self.server, phone)
        out = run([TANDEM, "admin", "radius-clients", "add", "VPN gateway", "--address", "127.0.0.1",
                   "--database", self.server.db]).stdout
        self.secret = re.search(r"shared secret: (\S+)", out).group(1).encode()
        assert len(self.secret) >= 32
        self.dictionary = Dictionary(DICTIONARY)

    def client(self, secret=None, source=None, timeout=3):
        client = Client(server="127.0.0.1", authport=self.port, secret=secret or self.secret, dict=self.dictionary,
                        retries=1, timeout=timeout, enforce_ma=True)
        if source:
            client.bind((source, 0))
        return client

    def request(self, client, password=PASSWORD, state=None, user="alice@contoso.com", message_authenticator=True):
        req = client.CreateAuthPacket(code=packet.AccessRequest, User_Name=user, message_authenticator=message_authenticator)
        req["User-Password"] = req.PwCrypt(password)
        req["Calling-Station-Id"] = "198.51.100.23"
        if state is not None:
            req["State"] = state
        return req

    def send(self, password=PASSWORD, state=None, client=None, **kwargs):
        client = client or self.client()
        return client.SendPacket(self.request(client, password, state, **kwargs))


def reply_message(reply):
    return "".join(m if isinstance(m, str) else m.decode() for m in reply.get("Reply-Message", []))


@pytest.fixture
def radius(tmp_path, phone):
    r = Radius(tmp_path / "server", phone)
    yield r
    r.server.stop()


def challenge(radius):
    """The first Access-Request: an Access-Challenge with the number and a State."""
    reply = radius.send()
    assert reply.code == packet.AccessChallenge, reply_message(reply)
    number = NUMBER.search(reply_message(reply)).group(1)
    assert reply_message(reply) == f"Open your Authenticator app and enter {number}, then press Enter here."
    return number, reply["State"][0]


def test_accept_after_the_phone_approves_the_number(radius):
    number, state = challenge(radius)
    [request] = pending(radius.phone)
    assert request["context"]["application"] == "VPN gateway"
    assert "approved" in radius.phone.run("approve", "--number", number, "--pin", PIN).stdout
    reply = radius.send(password="", state=state)
    assert reply.code == packet.AccessAccept, reply_message(reply)
    # The State is spent: the same State again is refused.
    assert radius.send(password="", state=state).code == packet.AccessReject
    # The sign-in log names the RADIUS client as the application, the Calling-Station-Id as the address.
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", radius.server.db])
    token = run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", radius.server.db],
                ).stdout.strip()
    signins = requests.get(radius.server.url + "/v1.0/auditLogs/signIns", headers={"Authorization": "Bearer " + token}).json()["value"]
    entry = next(s for s in signins if s["appDisplayName"] == "VPN gateway")
    assert entry["ipAddress"] == "198.51.100.23"
    assert entry["status"]["errorCode"] == 0
    # Decision 0032: its appId is the RADIUS client's id in the admin API, not Tandem's.
    clients = requests.get(radius.server.url + "/v1.0/tandem/radiusClients", headers={"Authorization": "Bearer " + token}).json()["value"]
    [gateway] = [c for c in clients if c["displayName"] == "VPN gateway"]
    assert entry["appId"] == gateway["id"] != "tandem"


def test_reject_after_the_phone_denies(radius):
    _, state = challenge(radius)
    assert "denied" in radius.phone.run("deny").stdout
    reply = radius.send(password="", state=state)
    assert reply.code == packet.AccessReject
    assert "denied" in reply_message(reply)


def test_a_wrong_number_on_the_phone_rejects(radius):
    number, state = challenge(radius)
    wrong = "%0*d" % (len(number), (int(number) + 1) % (10 ** len(number)))
    radius.phone.run("approve", "--number", wrong, "--pin", PIN, check=False)
    assert radius.send(password="", state=state).code == packet.AccessReject


def test_another_challenge_while_the_phone_has_not_answered(radius):
    number, state = challenge(radius)
    started = time.monotonic()
    reply = radius.send(password="", state=state)
    assert time.monotonic() - started < 2.5, "a request never waits past the client's timeout"
    assert reply.code == packet.AccessChallenge
    assert f"enter {number} in your Authenticator app" in reply_message(reply)
    assert reply["State"][0] == state


def test_a_wrong_password_is_rejected_and_counted_by_the_sign_in_throttle(radius):
    messages = []
    for _ in range(6):
        reply = radius.send(password="not the password")
        assert reply.code == packet.AccessReject
        messages.append(reply_message(reply))
    assert messages[:5] == ["Your account or password is incorrect."] * 5
    # The name's counter is the web sign-in's (decision 0013): after five failures the next
    # attempt waits, so the right password now is refused too, and no push is sent.
    assert messages[5].startswith("Too many incorrect attempts. Wait")
    reply = radius.send()
    assert reply.code == packet.AccessReject
    assert reply_message(reply).startswith("Too many incorrect attempts. Wait")
    assert pending(radius.phone) == []


def test_requests_without_a_right_message_authenticator_are_dropped(radius):
    with pytest.raises(Timeout):
        radius.send(message_authenticator=False)
    # A right packet whose Message-Authenticator is then changed: no answer either.
    client = radius.client()
    raw = bytearray(radius.request(client).RequestPacket())
    assert raw[20] == 80, "pyrad puts the Message-Authenticator first"
    raw[22] ^= 0xFF
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(bytes(raw), ("127.0.0.1", radius.port))
        with pytest.raises(socket.timeout):
            s.recvfrom(4096)
    assert pending(radius.phone) == []
    metrics = requests.get(radius.server.url + "/metrics", headers={"Authorization": "Bearer " + METRICS_TOKEN}).text
    assert 'tandem_radius_dropped_total{reason="message_authenticator"} 2' in metrics


def test_a_wrong_shared_secret_gets_no_answer(radius):
    with pytest.raises(Timeout):
        radius.send(client=radius.client(secret=b"not-the-shared-secret-0123456789"))
    assert pending(radius.phone) == []


def test_an_unknown_address_gets_no_answer(radius):
    # 127.0.0.2 is loopback too, but only 127.0.0.1 is registered.
    with pytest.raises(Timeout):
        radius.send(client=radius.client(source="127.0.0.2"))
    assert pending(radius.phone) == []


def test_a_retransmission_gets_the_same_answer_and_no_second_push(radius):
    client = radius.client()
    raw = radius.request(client).RequestPacket()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(raw, ("127.0.0.1", radius.port))
        s.sendto(raw, ("127.0.0.1", radius.port))
        first, _ = s.recvfrom(4096)
        second, _ = s.recvfrom(4096)
    assert first == second
    assert first[0] == packet.AccessChallenge
    assert len(pending(radius.phone)) == 1


def test_an_expired_request_rejects(tmp_path, phone):
    radius = Radius(tmp_path / "short", phone, challenge_lifetime=5)
    try:
        _, state = challenge(radius)
        time.sleep(5.5)
        reply = radius.send(password="", state=state)
        assert reply.code == packet.AccessReject
        assert "expired" in reply_message(reply)
    finally:
        radius.server.stop()


def admin_token(server):
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    return run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()


def test_the_admin_api_registers_a_client_whose_secret_is_shown_once_and_works(radius):
    url = radius.server.url + "/v1.0/tandem/radiusClients"
    assert requests.get(url).status_code == 401
    token = {"Authorization": "Bearer " + admin_token(radius.server)}
    created = requests.post(url, json={"displayName": "Jump host", "address": "127.0.0.2/32"}, headers=token)
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["sharedSecret"].encode()
    assert len(secret) == 32 and body["address"] == "127.0.0.2/32"
    listed = requests.get(url, headers=token).json()["value"]
    assert {c["displayName"] for c in listed} == {"VPN gateway", "Jump host"}
    assert all(c["sharedSecret"] is None for c in listed)
    assert requests.get(f"{url}/{body['id']}", headers=token).json()["sharedSecret"] is None
    # Bad input is a 400 with a JSON body; a taken name is a 409.
    bad = requests.post(url, json={"displayName": "X", "address": "not-an-address"}, headers=token)
    assert bad.status_code == 400 and bad.json()["error"]["message"]
    assert requests.post(url, json={"displayName": "jump HOST", "address": "127.0.0.3"}, headers=token).status_code == 409
    # The new client signs in from its own address with its own secret.
    reply = radius.send(client=radius.client(secret=secret, source="127.0.0.2"))
    assert reply.code == packet.AccessChallenge
    audits = requests.get(radius.server.url + "/v1.0/auditLogs/directoryAudits", headers=token).json()["value"]
    assert any(a["activityDisplayName"] == "Add RADIUS client" for a in audits)
    assert requests.delete(f"{url}/{body['id']}", headers=token).status_code == 204
    with pytest.raises(Timeout):
        radius.send(client=radius.client(secret=secret, source="127.0.0.2"))


def test_a_client_with_a_user_name_suffix_signs_in_a_local_login_name(tmp_path, phone):
    """pam_radius and many NASes send the local login name ("alice"); a client registered with
    `--user-name-suffix @contoso.com` signs in alice@contoso.com. The other client, without it, does not."""
    radius = Radius(tmp_path / "suffix", phone)
    try:
        out = run([TANDEM, "admin", "radius-clients", "add", "SSH jump host", "--address", "127.0.0.2",
                   "--user-name-suffix", "@contoso.com", "--database", radius.server.db]).stdout
        assert "user names without @ get @contoso.com" in out
        secret = re.search(r"shared secret: (\S+)", out).group(1).encode()
        bad = run([TANDEM, "admin", "radius-clients", "add", "Bad", "--address", "127.0.0.3", "--user-name-suffix", "contoso.com",
                   "--database", radius.server.db], check=False)
        assert bad.returncode != 0 and "must be @ and a domain name" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
        assert radius.send(user="alice").code == packet.AccessReject   # 127.0.0.1's client has no suffix
        jump = radius.client(secret=secret, source="127.0.0.2")
        reply = radius.send(user="alice", client=jump)
        assert reply.code == packet.AccessChallenge, reply_message(reply)
        number = NUMBER.search(reply_message(reply)).group(1)
        [request] = pending(phone)
        assert request["context"]["application"] == "SSH jump host"
        assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
        assert radius.send(password="", state=reply["State"][0], user="alice", client=jump).code == packet.AccessAccept
    finally:
        radius.server.stop()
