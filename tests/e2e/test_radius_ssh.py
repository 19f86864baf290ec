"""Issue 14's SSH case (decision 0035): a real OpenSSH server (Debian's openssh-server) on a
loopback port whose PAM stack is `pam_radius_auth` pointed at Tandem's RADIUS server. A scripted
ssh client (pexpect) types the password, reads the number from the keyboard-interactive prompt
(pam_radius shows the Access-Challenge's Reply-Message), the real `tandem-authenticator` approves
it, Enter is pressed and the shell opens; after a denial on the phone the connection closes; with
Debian 12's own pam_radius 2.0.0 in its place nothing is answered and ssh is refused.

pam_radius is 3.0.0 (Debian 13's source, built by .ci/pam-radius.sh): Debian 12's 2.0.0 sends no
Message-Authenticator and Tandem drops its requests (Blast-RADIUS). sshd takes its PAM service
name from its program name, so it runs through a symlink named after a service file this test
writes to /etc/pam.d and removes; the local account sshd needs (`alice`) is made and removed
too. Needs root, as CI runs."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pexpect
import pytest
import requests

from conftest import PASSWORD, PIN, TANDEM, Server, free_port, pending, register, run
from test_radius import free_udp_port

PAM_RADIUS = os.environ.get("TANDEM_PAM_RADIUS", "/var/cache/tandem-ci/pam_radius/pam_radius_auth.so")
# Debian 12's own libpam-radius-auth 2.0.0, unpacked beside it by .ci/pam-radius.sh (not installed).
PAM_RADIUS_DEBIAN_12 = os.environ.get("TANDEM_PAM_RADIUS_OLD", "/var/cache/tandem-ci/pam_radius/2.0.0/pam_radius_auth.so")
METRICS_TOKEN = "radius-ssh-metrics-token"
NUMBER = re.compile(r"enter (\d+), then press Enter here\.")
UNIX_USER = "alice"


@pytest.fixture
def unix_user():
    """The local account sshd looks up (it fails every sign-in of an unknown user)."""
    created = subprocess.run(["id", UNIX_USER], capture_output=True).returncode != 0
    if created:
        run(["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", UNIX_USER])
    yield UNIX_USER
    if created:
        run(["userdel", UNIX_USER], check=False)


class Sshd:
    """sshd -D on 127.0.0.1 with keyboard-interactive through PAM only, its PAM stack pam_radius alone."""

    def __init__(self, folder, radius_port, secret, module=PAM_RADIUS, timeout=30):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.service = "tandem-e2e-sshd-" + secrets.token_hex(4)
        self.pam_file = Path("/etc/pam.d") / self.service
        conf = self.folder / "pam_radius_auth.conf"
        conf.write_text(f"127.0.0.1:{radius_port} {secret.decode()} {timeout}\n")
        conf.chmod(0o600)
        self.pam_file.write_text(
            # README's line (require_message_authenticator: pam_radius checks Tandem's replies too; 2.0.0 ignores it).
            f"auth required {module} conf={conf} require_message_authenticator\n"
            "account required pam_permit.so\n"
            "session required pam_permit.so\n"
            "password required pam_deny.so\n")
        key = self.folder / "ssh_host_ed25519_key"
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)])
        config = self.folder / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {key}", f"PidFile {self.folder / 'sshd.pid'}",
            "UsePAM yes", "KbdInteractiveAuthentication yes", "PasswordAuthentication no", "PubkeyAuthentication no",
            "AuthenticationMethods keyboard-interactive", "PermitRootLogin no", f"AllowUsers {UNIX_USER}",
            "StrictModes no", "PrintMotd no", "LoginGraceTime 120", "LogLevel VERBOSE", ""]))
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)   # privilege separation; Debian's service makes it at start
        self.binary = self.folder / self.service                # sshd's PAM service is its program name
        self.binary.symlink_to(shutil.which("sshd") or "/usr/sbin/sshd")
        self.log = open(self.folder / "sshd.log", "w")
        self.process = subprocess.Popen([str(self.binary), "-D", "-e", "-f", str(config)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            assert self.process.poll() is None, "sshd exited:\n" + self.log_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("sshd did not start:\n" + self.log_text())

    def log_text(self):
        self.log.flush()
        return (self.folder / "sshd.log").read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.pam_file.unlink(missing_ok=True)

    def ssh(self):
        return pexpect.spawn("ssh", ["-F", "/dev/null", "-p", str(self.port), "-o", "StrictHostKeyChecking=no",
                                     "-o", "UserKnownHostsFile=/dev/null", "-o", "PreferredAuthentications=keyboard-interactive",
                                     "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-o", "LogLevel=ERROR",
                                     f"{UNIX_USER}@127.0.0.1"], encoding="utf-8", timeout=60)


def start_jump_host(folder, phone, module=PAM_RADIUS, timeout=30):
    """The server with alice's phone, an "SSH jump host" RADIUS client for 127.0.0.1 (local names get
    @contoso.com) and sshd; returns (server, sshd) or stops what it started."""
    assert os.path.exists(module), f"{module} missing: .ci/pam-radius.sh builds pam_radius 3.0.0 (and unpacks 2.0.0)"
    assert shutil.which("sshd") or os.path.exists("/usr/sbin/sshd"), "sshd missing: .ci/pam-radius.sh installs openssh-server"
    radius_port = free_udp_port()
    server = Server(folder / "server", extra_args=["--radius-port", str(radius_port), "--metrics-token", METRICS_TOKEN])
    try:
        register(server, phone)
        out = run([TANDEM, "admin", "radius-clients", "add", "SSH jump host", "--address", "127.0.0.1",
                   "--user-name-suffix", "@contoso.com", "--database", server.db]).stdout
        secret = re.search(r"shared secret: (\S+)", out).group(1).encode()
        return server, Sshd(folder / "sshd", radius_port, secret, module=module, timeout=timeout)
    except BaseException:
        server.stop()
        raise


@pytest.fixture
def jump_host(tmp_path, phone, unix_user):
    server, sshd = start_jump_host(tmp_path, phone)
    yield server, sshd
    sshd.stop()
    server.stop()


def number_prompt(session, sshd):
    """The password at the first prompt, then the challenge with the number; returns the number."""
    try:
        session.expect(r"[Pp]assword: ")
        session.sendline(PASSWORD)
        session.expect(NUMBER)
    except (pexpect.TIMEOUT, pexpect.EOF):
        raise AssertionError(f"ssh said {session.before!r}\nsshd:\n{sshd.log_text()}")
    assert (session.before + session.after).endswith(f"Open your Authenticator app and enter {session.match.group(1)}, then press Enter here.")
    return session.match.group(1)


def test_ssh_through_pam_radius_opens_the_shell_after_the_phone_approves_the_number(jump_host, phone):
    server, sshd = jump_host
    session = sshd.ssh()
    try:
        number = number_prompt(session, sshd)
        [request] = pending(phone)
        assert request["context"]["application"] == "SSH jump host"
        assert "approved" in phone.run("approve", "--number", number, "--pin", PIN).stdout
        session.sendline("")   # Enter: the next Access-Request with the State gets Access-Accept
        marker = "tandem-ssh-" + secrets.token_hex(4)
        session.sendline(f"echo {marker}-$((40+2)); id -un")
        try:
            session.expect(f"{marker}-42")
            session.expect(UNIX_USER)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise AssertionError(f"no shell: {session.before!r}\nsshd:\n{sshd.log_text()}")
        session.sendline("exit")
        session.expect(pexpect.EOF)
    finally:
        session.close(force=True)
    assert "Accepted keyboard-interactive/pam for alice from 127.0.0.1" in sshd.log_text()
    # The sign-in log names the jump host as the application and the ssh client's address.
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()
    signins = requests.get(server.url + "/v1.0/auditLogs/signIns", headers={"Authorization": "Bearer " + token}).json()["value"]
    entry = next(s for s in signins if s["appDisplayName"] == "SSH jump host")
    assert entry["status"]["errorCode"] == 0 and entry["ipAddress"] == "127.0.0.1"


def test_ssh_through_pam_radius_closes_after_the_phone_denies(jump_host, phone):
    _, sshd = jump_host
    session = sshd.ssh()
    try:
        number_prompt(session, sshd)
        assert "denied" in phone.run("deny").stdout
        session.sendline("")
        try:
            session.expect("Permission denied")
            session.expect(pexpect.EOF)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise AssertionError(f"ssh said {session.before!r}\nsshd:\n{sshd.log_text()}")
    finally:
        session.close(force=True)
    assert session.exitstatus != 0
    assert "Accepted" not in sshd.log_text()
    assert pending(phone) == []


def test_debian_12s_pam_radius_sends_no_message_authenticator_and_gets_no_answer(tmp_path, phone, unix_user):
    """Why the SSH test builds pam_radius 3.0.0: Debian 12's libpam-radius-auth 2.0.0 sends its
    Access-Request without a Message-Authenticator, and Tandem drops it unanswered (Blast-RADIUS,
    CVE-2024-3596; no switch turns this off), so ssh is refused after pam_radius's timeout."""
    server, sshd = start_jump_host(tmp_path, phone, module=PAM_RADIUS_DEBIAN_12, timeout=2)
    try:
        session = sshd.ssh()
        try:
            session.expect(r"[Pp]assword: ")
            session.sendline(PASSWORD)
            session.expect("Permission denied")
            session.expect(pexpect.EOF)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise AssertionError(f"ssh said {session.before!r}\nsshd:\n{sshd.log_text()}")
        finally:
            session.close(force=True)
        metrics = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer " + METRICS_TOKEN}).text
        dropped = re.search(r'tandem_radius_dropped_total\{reason="message_authenticator"\} (\d+)', metrics)
        assert dropped and int(dropped.group(1)) >= 1, metrics
        assert pending(phone) == []
        assert "Accepted" not in sshd.log_text()
    finally:
        sshd.stop()
        server.stop()
