"""Issue 15: the systemd unit in deploy/ as systemd itself reads it (no systemd runs in this
container, so the unit is not started): `systemd-analyze verify` finds no unknown key, no bad value
and an executable ExecStart, and `systemd-analyze security --offline` rates its hardening. A unit
with a mistake shows that the check can fail."""

import re
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT, TANDEM

UNIT = ROOT / "deploy" / "tandem.service"


def analyze(*args):
    assert shutil.which("systemd-analyze"), "systemd-analyze missing: .ci/run installs Debian's systemd"
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=120)


def installed(tmp_path, text):
    """The unit with ExecStart pointing at the freshly built binary, as an operator installs it."""
    path = tmp_path / "tandem.service"
    path.write_text(text.replace("/usr/local/bin/tandem", str(Path(TANDEM).resolve())))
    return path


def test_the_unit_verifies_cleanly(tmp_path):
    result = analyze("verify", str(installed(tmp_path, UNIT.read_text())))
    assert result.returncode == 0 and result.stdout.strip() == "" and result.stderr.strip() == "", result.stdout + result.stderr


def test_a_broken_unit_is_reported(tmp_path):
    broken = UNIT.read_text().replace("ProtectSystem=strict", "ProtectSystem=sideways") + "\nBogusKey=1\n"
    result = analyze("verify", str(installed(tmp_path, broken)))
    assert "sideways" in result.stderr and "BogusKey" in result.stderr, result.stderr


def test_the_unit_is_hardened(tmp_path):
    result = analyze("security", "--offline=true", str(installed(tmp_path, UNIT.read_text())))
    level = re.search(r"Overall exposure level for tandem\.service: ([0-9.]+)", result.stdout)
    assert level, result.stdout + result.stderr
    print(f"systemd-analyze security: exposure {level.group(1)} (0 best, 10 worst)")
    assert float(level.group(1)) <= 2.0
    for setting in ["DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=tandem", "NoNewPrivileges=yes"]:
        assert setting in UNIT.read_text()
