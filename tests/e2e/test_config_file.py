"""`tandem serve --config FILE` / `TANDEM_CONFIG` (decision 0029): the server runs from a YAML file
alone; an environment variable wins over the file and a flag over both; a bad file stops it with
one line on standard error and exit status 1, never echoing a value."""

import os
import subprocess
import time

import requests

from conftest import TANDEM, free_port, run

SECRET = "hunter2-metrics-token-from-the-file"


def start(args, env, folder):
    log = open(folder / "server.log", "a")
    return subprocess.Popen([TANDEM, "serve", *args], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(process, url, folder, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert process.poll() is None, (folder / "server.log").read_text()
        try:
            if requests.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError("not ready:\n" + (folder / "server.log").read_text())


def stop(process):
    process.terminate()
    process.wait(timeout=15)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "OTEL_"))}
    env.update(extra)
    return env


def test_the_server_runs_from_a_config_file_with_flags_and_environment_on_top(tmp_path):
    port, env_port, flag_port = free_port(), free_port(), free_port()
    data = tmp_path / "data"
    config = tmp_path / "tandem.yaml"
    config.write_text(f"""# Tandem's settings
data-directory: {data}
host: 127.0.0.1
port: {port}
bcrypt-cost: 4
challenge-lifetime: 30
metrics-token: {SECRET}
trusted-proxy:
  - 10.0.0.0/8
  - 192.168.0.0/16
""")
    config.chmod(0o600)

    # The file alone: its port, its data folder, its metrics token.
    process = start(["--config", str(config)], clean_env(), tmp_path)
    try:
        wait_ready(process, f"http://127.0.0.1:{port}", tmp_path)
        assert (data / "tandem.sqlite").exists() and (data / "tandem.secret-key").exists()
        metrics = requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {SECRET}"})
        assert metrics.status_code == 200 and "tandem_" in metrics.text
    finally:
        stop(process)
    assert SECRET not in (tmp_path / "server.log").read_text()

    # TANDEM_CONFIG names the file; TANDEM_PORT wins over the file's port.
    process = start([], clean_env(TANDEM_CONFIG=str(config), TANDEM_PORT=str(env_port)), tmp_path)
    try:
        wait_ready(process, f"http://127.0.0.1:{env_port}", tmp_path)
    finally:
        stop(process)

    # A flag wins over both.
    process = start(["--config", str(config), "--port", str(flag_port)], clean_env(TANDEM_PORT=str(env_port)), tmp_path)
    try:
        wait_ready(process, f"http://127.0.0.1:{flag_port}", tmp_path)
    finally:
        stop(process)

    # The other commands that open the store read the data folder from the same file.
    out = run([TANDEM, "users", "list", "--config", str(config)], env=clean_env())
    assert "admin@tandem.local" in out.stdout


def test_a_bad_config_file_stops_the_server_with_one_line(tmp_path):
    cases = [
        (f"port: 8080\nmetrics-tokn: {SECRET}\n", "unknown key 'metrics-tokn'"),
        (f"database: postgres://tandem:{SECRET}@db/tandem\n  port: [\n", "not valid YAML"),
        (f"metrics-token:\n  value: {SECRET}\n", "key 'metrics-token': a value, not a mapping"),
        ("port:\n", "key 'port' has no value"),
    ]
    for text, expected in cases:
        config = tmp_path / "bad.yaml"
        config.write_text(text)
        result = subprocess.run([TANDEM, "serve", "--config", str(config)], cwd=tmp_path, env=clean_env(),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, (text, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert lines == [f"error: config file {config}: " + lines[0].split(": ", 2)[2]], result.stderr
        assert expected in lines[0], result.stderr
        assert SECRET not in result.stderr + result.stdout
    missing = subprocess.run([TANDEM, "serve"], cwd=tmp_path, env=clean_env(TANDEM_CONFIG=str(tmp_path / "none.yaml")),
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and missing.stderr.strip() == f"error: config file {tmp_path / 'none.yaml'}: cannot be read"
