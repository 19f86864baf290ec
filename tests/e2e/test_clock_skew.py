"""A phone whose clock is 10 minutes off (issue 17, item 6; decision 0028), played by the real
`tandem-authenticator` under Debian's `faketime`, against the real `tandem serve`: it registers
(approving the registration request), lists pending requests, approves a sign-in and turns phone
sign-in on — the server's `401 clockSkew` answer gives its time and the app signs again with it
once — and says on stderr that the clock is off. A signed request captured on the wire is still
refused when replayed, whether it carried the phone's wrong time or the corrected one."""

import json
import os
import shutil
import time

import pytest
import requests

from conftest import AUTHENTICATOR, PIN, Authenticator, Browser, RecordingProxy, pending
from test_device_hardening import Attacker, captured, register, replay

FAKETIME = shutil.which("faketime")


class SkewedAuthenticator(Authenticator):
    """The real app with its clock moved by `offset` (a faketime offset such as "+10m")."""

    def __init__(self, folder, offset):
        super().__init__(folder)
        self.offset = offset
        # Only the wall clock moves; timers and timeouts keep the real pace.
        self.env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"

    def run(self, *args, check=True, input=None):
        from conftest import run
        return run([FAKETIME, "-f", self.offset, AUTHENTICATOR, "--home", self.home, *args], env=self.env, check=check, input=input)


def test_faketime_moves_the_apps_clock(tmp_path):
    assert FAKETIME, "faketime is not installed (.ci/run installs Debian's faketime)"
    from conftest import run
    shown = int(run([FAKETIME, "-f", "+10m", "date", "+%s"]).stdout)
    assert abs(shown - (time.time() + 600)) < 30


@pytest.mark.parametrize("offset, words", [("+10m", "10 minutes ahead of"), ("-10m", "10 minutes behind")])
def test_a_phone_ten_minutes_off_registers_lists_approves_and_turns_on_phone_sign_in(server, tmp_path, offset, words):
    assert FAKETIME, "faketime is not installed (.ci/run installs Debian's faketime)"
    phone = SkewedAuthenticator(tmp_path / "skewed-phone", offset)
    proxy = RecordingProxy(server.url)
    try:
        # Registration: the activation is not signed, approving the registration request lists it first.
        browser = register(server, phone, name="Skewed phone", via=f"http://127.0.0.1:{proxy.port}")
        device_id = json.loads((tmp_path / "skewed-phone" / "accounts.json").read_text())["accounts"][0]["deviceId"]

        # The server's refusal of the phone's first signed request: its time, and a clear sentence.
        first = [r for r in proxy.requests if r[0] == "GET" and r[1] == "/device/v1/pending"][0]
        refused = replay(server, first)
        assert refused.status_code == 401, refused.text
        error = refused.json()["error"]
        assert error["code"] == "clockSkew"
        assert abs(error["serverTime"] - time.time()) < 30
        assert words + " the server's" in error["message"] and "automatic" in error["message"], error["message"]

        # A sign-in: the phone lists it, approves it, and says its clock is off.
        browser = Browser(server)
        assert browser.start() == "/login/password"
        assert browser.password().headers["Location"] == "/login/approve"
        number = browser.number()
        listed = phone.run("pending", "--json")
        assert [offer["kind"] for offer in json.loads(listed.stdout)["requests"]] == ["mfa"]
        assert f"this device's clock is {'10 minutes ahead of' if offset[0] == '+' else '10 minutes behind'}" in listed.stderr, listed.stderr
        assert "Set the date and time to automatic" in listed.stderr
        assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
        assert browser.complete().headers["Location"] == "/"

        # Phone sign-in on (key-change nonce and the key change, both signed), then used.
        out = phone.run("phone-sign-in", "enable", "--pin", PIN)
        assert "phone sign-in" in (out.stdout + out.stderr).lower()
        passwordless = Browser(server)
        location = passwordless.start_passwordless()
        assert location == "/login/approve"
        assert "approved" in phone.run("approve", "--number", passwordless.number(), "--pin", PIN).stdout
        assert passwordless.complete().headers["Location"] == "/"

        # Replays of what the network saw are refused: the corrected request (its nonce is
        # spent) and the one with the phone's own time (outside the window; its signature
        # covers the time, so it cannot be moved).
        corrected = [r for r in proxy.requests if r[0] == "GET" and r[1] == "/device/v1/pending"][-1]
        assert corrected[2]["X-Tandem-Time"] != first[2]["X-Tandem-Time"]
        assert abs(int(corrected[2]["X-Tandem-Time"]) - time.time()) < 300
        again = replay(server, corrected)
        assert again.status_code == 401 and "already used" in again.json()["error"]["message"], again.text
        for method, path in (("POST", "/device/v1/key-change-nonce"), ("POST", "/device/v1/phone-sign-in")):
            again = replay(server, captured(proxy, method, path))
            assert again.status_code == 401, f"{method} {path}: {again.text}"
        moved = dict(first[2], **{"X-Tandem-Time": str(int(time.time()))})
        assert replay(server, (first[0], first[1], moved, first[3])).status_code == 401
        assert device_id
    finally:
        proxy.close()


def test_a_phone_with_the_right_time_is_not_told_anything(server, phone):
    """No correction, no note: the common case stays as it was."""
    register(server, phone)
    listed = phone.run("pending")
    assert "note:" not in listed.stderr, listed.stderr


def test_a_request_signed_ten_minutes_ahead_is_refused_with_the_servers_time(server, phone):
    """What an app that does not correct itself gets: 401 clockSkew with serverTime, nothing else."""
    register(server, phone)
    attacker = Attacker(server, phone.home)
    import hashlib
    from test_device_hardening import b64url, lines, sign
    ahead = str(int(time.time()) + 600)
    nonce = b64url(os.urandom(16))
    data = lines("tandem-device-request/v2", [("method", "GET"), ("path", "/device/v1/pending"), ("device", attacker.device_id),
                                              ("time", ahead), ("nonce", nonce), ("body", b64url(hashlib.sha256(b"").digest()))])
    headers = {"X-Tandem-Device": attacker.device_id, "X-Tandem-Time": ahead, "X-Tandem-Nonce": nonce,
               "X-Tandem-Signature": sign(attacker.channel_key, data)}
    r = requests.get(server.url + "/device/v1/pending", headers=headers, timeout=10)
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["code"] == "clockSkew" and abs(error["serverTime"] - time.time()) < 30
    assert "10 minutes ahead of the server's" in error["message"]
    # Within the window nothing changes: accepted once, then refused as used.
    headers = attacker.v2_headers("GET", "/device/v1/pending")
    assert requests.get(server.url + "/device/v1/pending", headers=headers, timeout=10).status_code == 200
    again = requests.get(server.url + "/device/v1/pending", headers=headers, timeout=10)
    assert again.status_code == 401 and "serverTime" not in again.json()["error"]
