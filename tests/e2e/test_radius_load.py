"""Issue 14's load case over real UDP (decision 0035): 200 users, each with a registered phone, sign
in through the RADIUS server of a real `tandem serve --radius-port` at once. Each Access-Request
(pyrad's packets, with Message-Authenticator) gets an Access-Challenge with a number, each phone
receives exactly one push and approves it, and each user's next Access-Request with the State gets
Access-Accept. A random subset of the first requests is sent twice at once, and another subset
again after its challenge came back (a NAS that missed the reply): each copy gets the same bytes
and no second push. Lost (no challenge, no Accept) and doubled (a second push) are counted and
must be 0; the times to challenge and to accept are printed.

The phones are web authenticators played by this test (`WebPhone` of test_web_authenticator: a
P-256 device key and a software passkey over the device API), because 200 real
`tandem-authenticator` processes, several runs each, would take most of the time budget on two
cores; the real app is the phone of test_radius.py, test_radius_radclient.py and the SSH test.
Nothing here raises a server limit: the defaults hold 200 at once. Each user comes from its own
Calling-Station-Id (198.51.100.N, only an attribute value), as VPN users do."""

import concurrent.futures
import os
import random
import re
import selectors
import socket
import time

import requests
from pyrad import packet
from pyrad.client import Client
from pyrad.dictionary import Dictionary

from conftest import PASSWORD, TANDEM, Browser, Server, run
from test_radius import DICTIONARY, NUMBER, free_udp_port, reply_message
from test_web_authenticator import WebPhone

USERS = 200
METRICS_TOKEN = "radius-load-metrics-token"
RETRY_AFTER = 5.0      # a NAS's retransmission timeout (pam_radius: 3 s, radclient: 3 s, many VPNs: 5 s)
DEADLINE = 180.0       # seconds one round may take in all before what has no reply counts as lost


def metric(server, line_start):
    text = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer " + METRICS_TOKEN}, timeout=30).text
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start)]
    assert len(values) == 1, f"{line_start!r} in /metrics: {values}"
    return values[0]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def figures(name, seconds):
    ms = [s * 1000 for s in seconds]
    return f"{name} ms p50 {percentile(ms, 50):.0f} p99 {percentile(ms, 99):.0f} max {max(ms):.0f}"


def add_user_with_web_phone(server, token, index):
    """A user made through the Graph API, then what a person does: the password sign-in (the
    registration interrupt), the activation code into the phone, its passkey, the first push."""
    upn = f"radius{index:03d}@contoso.com"
    created = requests.post(server.url + "/v1.0/users", headers={"Authorization": "Bearer " + token}, timeout=60,
                            json={"userPrincipalName": upn, "displayName": f"RADIUS user {index}", "passwordProfile": {"password": PASSWORD}})
    assert created.status_code == 201, created.text
    browser = Browser(server)
    assert browser.start(upn) == "/login/password"
    assert browser.password().headers["Location"] == "/login/complete"
    assert browser.complete().headers["Location"] == "/mysecurityinfo"
    url, activation_id = browser.add_authenticator()
    phone = WebPhone(server, f"Phone {index}")
    assert phone.activate(re.search(r"code=([A-Z0-9]+)", url).group(1))["userPrincipalName"] == upn
    status = browser.registration_status(activation_id)
    assert status["state"] == "confirming", status
    [offer] = phone.pending()
    phone.register_passkey()
    answered, _ = phone.answer(offer, "approve", status["number"])
    assert answered.status_code == 200 and answered.json()["state"] == "approved", answered.text
    assert browser.registration_status(activation_id)["state"] == "active"
    browser.http.close()
    return upn, phone


class Nas:
    """One RADIUS client port per user, as many NASes at once: sends Access-Requests, retransmits
    the same bytes after RETRY_AFTER without a reply, checks every reply's Response Authenticator
    and Message-Authenticator (pyrad's VerifyReply with enforce_ma), and records when each
    user's first reply came."""

    def __init__(self, port, secret, dictionary, count):
        self.port = port
        self.client = Client(server="127.0.0.1", authport=port, secret=secret, dict=dictionary, enforce_ma=True)
        self.sockets = []
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.setblocking(False)
            self.sockets.append(s)

    def close(self):
        for s in self.sockets:
            s.close()

    def request(self, user, index, password=PASSWORD, state=None):
        req = self.client.CreateAuthPacket(code=packet.AccessRequest, User_Name=user, message_authenticator=True)
        req["User-Password"] = req.PwCrypt(password)
        req["Calling-Station-Id"] = f"198.51.100.{index + 1}"
        if state is not None:
            req["State"] = state
        return req

    def round(self, requests_, duplicate_at_once=(), duplicate_after_reply=()):
        """Sends every request at once; returns (replies, raw replies, seconds to the first reply,
        retransmissions after a timeout, mismatched duplicates). `duplicate_at_once`: indexes sent
        twice right away; `duplicate_after_reply`: indexes sent again once their reply is in, whose
        second reply must be the same bytes."""
        raws = [req.RequestPacket() for req in requests_]
        selector = selectors.DefaultSelector()
        for index, s in enumerate(self.sockets[:len(raws)]):
            selector.register(s, selectors.EVENT_READ, index)
        started, last_sent = {}, {}
        replies, raw_replies, elapsed, extra = {}, {}, {}, {}
        timeouts, mismatched = 0, []
        for index, raw in enumerate(raws):
            started[index] = last_sent[index] = time.monotonic()
            self.sockets[index].sendto(raw, ("127.0.0.1", self.port))
        for index in duplicate_at_once:
            self.sockets[index].sendto(raws[index], ("127.0.0.1", self.port))
        waiting_extra = set(duplicate_at_once) | set(duplicate_after_reply)
        deadline = time.monotonic() + DEADLINE
        try:
            while (len(replies) < len(raws) or waiting_extra) and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=0.5):
                    index = key.data
                    while True:
                        try:
                            data = self.sockets[index].recv(4096)
                        except BlockingIOError:
                            break
                        reply = requests_[index].CreateReply(packet=data)
                        assert requests_[index].VerifyReply(reply, data, enforce_ma=True), f"user {index}: a reply that does not verify"
                        if index not in replies:
                            elapsed[index] = time.monotonic() - started[index]
                            replies[index], raw_replies[index] = reply, data
                            if index in duplicate_after_reply:
                                self.sockets[index].sendto(raws[index], ("127.0.0.1", self.port))
                        else:
                            extra.setdefault(index, []).append(data)
                            if data != raw_replies[index]:
                                mismatched.append(index)
                            if index in waiting_extra and len(extra[index]) >= 1:
                                waiting_extra.discard(index)
                now = time.monotonic()
                for index, raw in enumerate(raws):
                    if index not in replies and now - last_sent[index] >= RETRY_AFTER:
                        self.sockets[index].sendto(raw, ("127.0.0.1", self.port))
                        last_sent[index] = now
                        timeouts += 1
        finally:
            selector.close()
        return replies, elapsed, timeouts, mismatched, waiting_extra


def test_two_hundred_radius_sign_ins_at_once_lose_and_double_no_push(tmp_path, capsys):
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    port = free_udp_port()
    server = Server(tmp_path / "server", extra_args=["--radius-port", str(port), "--metrics-token", METRICS_TOKEN])
    nas = None
    try:
        # The web phone's passkey needs a host name as its relying party: the public URL on localhost.
        server.stop()
        server.public_url = f"http://localhost:{server.port}"
        server.start()
        run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
        token = run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()
        out = run([TANDEM, "admin", "radius-clients", "add", "VPN gateway", "--address", "127.0.0.1", "--database", server.db]).stdout
        secret = re.search(r"shared secret: (\S+)", out).group(1).encode()

        setup_started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            users = list(pool.map(lambda i: add_user_with_web_phone(server, token, i), range(USERS)))
        setup_seconds = time.monotonic() - setup_started
        pushes_before = metric(server, 'tandem_pushes_sent_total{kind="mfa"}')
        accepted_before = metric(server, 'tandem_sign_ins_total{method="mfa",result="success"}')

        nas = Nas(port, secret, Dictionary(DICTIONARY), USERS)
        twice_at_once = set(rng.sample(range(USERS), USERS // 4))
        again_after_reply = set(rng.sample(sorted(set(range(USERS)) - twice_at_once), USERS // 8))
        first = [nas.request(upn, index) for index, (upn, _) in enumerate(users)]
        round_started = time.monotonic()
        replies, to_challenge, timeouts1, mismatched1, unanswered1 = nas.round(first, twice_at_once, again_after_reply)
        challenge_seconds = time.monotonic() - round_started

        challenged = {i: r for i, r in replies.items() if r.code == packet.AccessChallenge and NUMBER.search(reply_message(r))}
        refusals = sorted({reply_message(r) for i, r in replies.items() if i not in challenged})
        lost_challenges = USERS - len(challenged)

        # Each phone: exactly one sign-in request waiting (duplicates sent no second push), approved with the number.
        def approve(index):
            [_, phone] = users[index]
            offers = [o for o in phone.pending() if o["kind"] == "mfa"]
            if len(offers) != 1 or index not in challenged:
                return len(offers), False
            number = NUMBER.search(reply_message(challenged[index])).group(1)
            answered, _ = phone.answer(offers[0], "approve", number)
            return 1, answered.status_code == 200 and answered.json()["state"] == "approved"

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            pushes = list(pool.map(approve, range(USERS)))
        pushes_sent = metric(server, 'tandem_pushes_sent_total{kind="mfa"}') - pushes_before

        # Each user's next Access-Request, with the State: Accept.
        second = [nas.request(upn, index, password="", state=challenged[index]["State"][0] if index in challenged else b"none")
                  for index, (upn, _) in enumerate(users)]
        round_started = time.monotonic()
        finals, to_accept, timeouts2, _, _ = nas.round(second)
        accept_seconds = time.monotonic() - round_started
        accepted = {i for i, r in finals.items() if r.code == packet.AccessAccept}
        refusals += sorted({reply_message(r) for i, r in finals.items() if i not in accepted})

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            left = sum(pool.map(lambda user: len([o for o in user[1].pending() if o["kind"] == "mfa"]), users))
        accepted_logged = metric(server, 'tandem_sign_ins_total{method="mfa",result="success"}') - accepted_before
        dropped = {reason: metric(server, f'tandem_radius_dropped_total{{reason="{reason}"}}')
                   for reason in ("unknown_client", "malformed", "unsupported_code", "message_authenticator")}

        lost = lost_challenges + (USERS - len(accepted))
        doubled = sum(1 for count, _ in pushes if count > 1) + max(0, int(pushes_sent) - USERS)
        with capsys.disabled():
            print(f"\n[radius load] seed {seed}; {USERS} users with a web phone set up in {setup_seconds:.1f} s")
            print(f"[radius load] round 1: {len(challenged)}/{USERS} Access-Challenge in {challenge_seconds:.1f} s; "
                  f"{figures('time to challenge', to_challenge.values())}; {len(twice_at_once)} sent twice at once, "
                  f"{len(again_after_reply)} again after the reply, {timeouts1} retransmitted after {RETRY_AFTER:.0f} s")
            print(f"[radius load] pushes: {int(pushes_sent)} sent, per phone {sorted({c for c, _ in pushes})}; "
                  f"{sum(1 for _, ok in pushes if ok)} approved")
            print(f"[radius load] round 2: {len(accepted)}/{USERS} Access-Accept in {accept_seconds:.1f} s; "
                  f"{figures('time to accept', to_accept.values())}; {timeouts2} retransmitted after {RETRY_AFTER:.0f} s")
            print(f"[radius load] lost {lost}, doubled {doubled}; sign-ins logged {int(accepted_logged)}; dropped {dropped}; "
                  f"refusals {refusals}")

        assert lost_challenges == 0, refusals
        assert not mismatched1, f"duplicates answered with other bytes: {mismatched1}"
        assert not unanswered1, f"duplicates without an answer: {sorted(unanswered1)}"
        assert all(count == 1 for count, _ in pushes), [count for count, _ in pushes]
        assert pushes_sent == USERS
        assert all(ok for _, ok in pushes)
        assert len(accepted) == USERS, refusals
        assert lost == 0 and doubled == 0
        assert accepted_logged == USERS
        assert left == 0
        assert all(v == 0 for v in dropped.values()), dropped
    finally:
        if nas:
            nas.close()
        server.stop()
