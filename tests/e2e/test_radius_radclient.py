"""Issue 14: FreeRADIUS's `radclient` (Debian's freeradius-utils) as a second, independent RADIUS
client beside pyrad. radclient checks the Response Authenticator and the Message-Authenticator of
every reply with the shared secret, so an Access-Accept here means FreeRADIUS's own code accepted
Tandem's signatures. radclient 3.2.1 sends a Message-Authenticator only when the request lists one
(`Message-Authenticator = 0x00`, which it then computes); without it Tandem drops the request (the
Blast-RADIUS rule), and radclient sees no reply."""

import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import PASSWORD, PIN, pending
from test_radius import Radius

NUMBER = re.compile(r"enter (\d+), then press Enter")
STATE = re.compile(r"State = (0x[0-9a-f]+)")


@pytest.fixture
def radius(tmp_path, phone):
    assert shutil.which("radclient"), "radclient missing: .ci/run installs Debian's freeradius-utils"
    r = Radius(tmp_path / "server", phone)
    yield r
    r.server.stop()


def radclient(radius, attributes, secret=None, timeout=3):
    """One Access-Request through radclient; returns (exit code, stdout + stderr). The secret goes in a file
    (`-S`): a base64url secret may start with `-`, which radclient's command line would read as an option."""
    lines = "\n".join(f"{name} = {value}" for name, value in attributes.items()) + "\n"
    with tempfile.NamedTemporaryFile("wb", suffix=".secret") as file:
        file.write((secret or radius.secret) + b"\n")
        file.flush()
        result = subprocess.run(["radclient", "-x", "-r", "1", "-t", str(timeout), "-S", file.name, f"127.0.0.1:{radius.port}", "auth"],
                                input=lines, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


def request(password=PASSWORD, state=None, message_authenticator=True):
    attributes = {"User-Name": '"alice@contoso.com"', "User-Password": f'"{password}"', "Calling-Station-Id": '"198.51.100.7"'}
    if state:
        attributes["State"] = state
    if message_authenticator:
        attributes["Message-Authenticator"] = "0x00"
    return attributes


def test_radclient_gets_the_number_then_an_accept_it_verifies(radius):
    code, out = radclient(radius, request())
    assert "Received Access-Challenge" in out, out
    assert code != 0   # radclient expected an Accept; a Challenge is "not the expected reply"
    number = NUMBER.search(out).group(1)
    state = STATE.search(out).group(1)
    assert "approved" in radius.phone.run("approve", "--number", number, "--pin", PIN).stdout
    code, out = radclient(radius, request(password="x", state=state))
    assert code == 0 and "Received Access-Accept" in out, out
    assert re.search(r"Message-Authenticator = 0x[0-9a-f]{32}", out.split("Received Access-Accept")[1]), out
    # The State is spent.
    code, out = radclient(radius, request(password="x", state=state))
    assert "Received Access-Reject" in out, out


def test_radclient_wrong_password_is_rejected(radius):
    code, out = radclient(radius, request(password="not the password"))
    assert code != 0 and "Received Access-Reject" in out, out
    assert "Your account or password is incorrect." in out
    assert pending(radius.phone) == []


def test_radclient_without_message_authenticator_or_with_a_wrong_secret_gets_no_reply(radius):
    for attributes, secret in [(request(message_authenticator=False), None),
                               (request(), b"not-the-shared-secret-0123456789")]:
        code, out = radclient(radius, attributes, secret=secret, timeout=2)
        assert code != 0 and "Received" not in out and "No reply" in out, out
    assert pending(radius.phone) == []
