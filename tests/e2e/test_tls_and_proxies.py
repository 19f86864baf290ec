"""Issue 15 (TLS and proxies) against the real `tandem serve`: https with a certificate reloaded on
SIGHUP, and the client address taken from `X-Forwarded-For` / `Forwarded` only when the peer is a
trusted proxy (a spoofed header from anyone else is ignored)."""

import signal
import ssl
import subprocess
import time

import requests

from conftest import PASSWORD, TANDEM, Server, run


def make_certificate(folder, name):
    cert, key = folder / f"{name}.pem", folder / f"{name}-key.pem"
    run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
         "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)])
    return cert, key


class TLSServer(Server):
    """`tandem serve` on https: started the same way, polled over TLS with the test's CA."""

    def __init__(self, folder, ca, **kwargs):
        self.ca = str(ca)
        super().__init__(folder, **kwargs)
        self.url = f"https://127.0.0.1:{self.port}"

    def start(self):
        self.url = f"https://127.0.0.1:{self.port}"
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [TANDEM, "serve", "--port", str(self.port), "--database", self.db, "--bcrypt-cost", "4"] + self.extra_args,
            cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("tandem serve exited:\n" + self.log_path.read_text())
            try:
                if requests.get(self.url + "/health", timeout=1, verify=self.ca).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("tandem serve did not start:\n" + self.log_path.read_text())


def served_certificate(port):
    return ssl.get_server_certificate(("127.0.0.1", port))


def test_https_with_a_certificate_reloaded_on_sighup(tmp_path):
    first, first_key = make_certificate(tmp_path, "first")
    second, second_key = make_certificate(tmp_path, "second")
    live, live_key = tmp_path / "live.pem", tmp_path / "live-key.pem"
    live.write_bytes(first.read_bytes())
    live_key.write_bytes(first_key.read_bytes())
    server = TLSServer(tmp_path / "server", first, extra_args=["--tls-certificate", str(live), "--tls-key", str(live_key)])
    try:
        r = requests.get(server.url + "/login", verify=str(first))
        assert r.status_code == 200
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
        cookie = r.headers["Set-Cookie"]
        assert cookie.startswith("__Host-tandem_csrf=") and "Secure" in cookie
        # Plain http on the TLS port gets no page.
        try:
            plain = requests.get(f"http://127.0.0.1:{server.port}/health", timeout=3)
            assert plain.status_code != 200
        except requests.RequestException:
            pass

        # Renewed certificate: the next connection gets it after SIGHUP, without a restart.
        live.write_bytes(second.read_bytes())
        live_key.write_bytes(second_key.read_bytes())
        server.process.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while time.time() < deadline and served_certificate(server.port).strip() != second.read_text().strip():
            time.sleep(0.1)
        assert served_certificate(server.port).strip() == second.read_text().strip()
        assert requests.get(server.url + "/health", verify=str(second)).status_code == 200

        # A broken file on reload keeps the certificate in use.
        live.write_text("not a certificate")
        server.process.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert requests.get(server.url + "/health", verify=str(second)).status_code == 200
        assert "TLS certificate not reloaded" in server.log()
        assert server.process.poll() is None
    finally:
        server.stop()


def test_bad_tls_options_are_refused_in_one_line(tmp_path):
    cert, key = make_certificate(tmp_path, "only")
    for args, message in [(["--tls-certificate", str(cert)], "--tls-certificate and --tls-key go together"),
                          (["--tls-certificate", str(tmp_path / "missing.pem"), "--tls-key", str(key)], "cannot read the TLS certificate"),
                          (["--trusted-proxy", "10.0.0.0/33"], "--trusted-proxy"),
                          (["--log-level", "loud"], "--log-level")]:
        result = run([TANDEM, "serve", "--port", "0", "--database", str(tmp_path / "t.sqlite")] + args, check=False)
        assert result.returncode != 0
        assert message in result.stderr + result.stdout
        assert "Fatal error" not in result.stderr


def sign_in_ip(server, token, forwarded_headers):
    """A wrong password sent with `forwarded_headers`; returns the IP the sign-in log recorded."""
    http = requests.Session()
    login = http.get(server.url + "/login", headers=forwarded_headers).text
    csrf = login.split('name="csrf" value="')[1].split('"')[0]
    r = http.post(server.url + "/login", data={"username": "alice@contoso.com", "csrf": csrf},
                  headers=forwarded_headers, allow_redirects=False)
    page = http.get(server.url + r.headers["Location"], headers=forwarded_headers).text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    http.post(server.url + "/login/password", data={"password": "wrong " + PASSWORD, "csrf": csrf},
              headers=forwarded_headers, allow_redirects=False)
    logs = requests.get(server.url + "/v1.0/auditLogs/signIns", headers={"Authorization": "Bearer " + token}).json()["value"]
    return logs[0]["ipAddress"]


def admin_token(server):
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    return run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()


def test_forwarded_headers_are_believed_only_from_a_trusted_proxy(make_server):
    direct = make_server()
    token = admin_token(direct)
    # Nobody trusted: a spoofed header changes nothing.
    assert sign_in_ip(direct, token, {"X-Forwarded-For": "198.51.100.7"}) == "127.0.0.1"
    assert sign_in_ip(direct, token, {"Forwarded": "for=198.51.100.7"}) == "127.0.0.1"

    proxied = make_server(extra_args=["--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "10.0.0.0/8"])
    token = admin_token(proxied)
    # The proxy (127.0.0.1) appends the client; a hop the client wrote itself further left is not believed.
    assert sign_in_ip(proxied, token, {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}) == "198.51.100.7"
    # A chain of trusted proxies is walked right to left.
    assert sign_in_ip(proxied, token, {"X-Forwarded-For": "198.51.100.8, 10.1.2.3"}) == "198.51.100.8"
    # RFC 7239, with a quoted IPv6 address and port.
    assert sign_in_ip(proxied, token, {"Forwarded": 'for="[2001:db8:cafe::17]:4711";proto=https'}) == "2001:db8:cafe::17"
    # Garbage stops the walk at the proxy that reported it.
    assert sign_in_ip(proxied, token, {"X-Forwarded-For": "not-an-address"}) == "127.0.0.1"
