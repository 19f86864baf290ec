"""Tandem behind a real nginx (Debian's package) that terminates TLS, with the server block of
deploy/nginx-tandem.conf: the browser's pages, cookies and the push channel's WebSocket go through
the proxy, and the sign-in log records the browser's own address, not the proxy's."""

import base64
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from conftest import ROOT, TANDEM, Browser, free_port, run
from test_tls_and_proxies import make_certificate

BROWSER_ADDRESS = "127.0.0.2"   # the browser's own loopback address; nginx is 127.0.0.1 to Tandem


class FromAddress(HTTPAdapter):
    """requests from a chosen source address."""

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (BROWSER_ADDRESS, 0)
        super().init_poolmanager(*args, **kwargs)


def server_block(tandem_port, nginx_port, cert, key):
    """deploy/nginx-tandem.conf with the test's ports and certificate."""
    text = (ROOT / "deploy" / "nginx-tandem.conf").read_text()
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{nginx_port} ssl;")
    text = text.replace("proxy_pass http://127.0.0.1:8080;", f"proxy_pass http://127.0.0.1:{tandem_port};")
    text = text.replace("/etc/ssl/certs/id.example.com.pem", str(cert))
    text = text.replace("/etc/ssl/private/id.example.com.key", str(key))
    text = text.replace("proxy_set_header Host $host;", "proxy_set_header Host $host:$server_port;")
    return text


@pytest.fixture
def nginx(tmp_path):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (.ci/run installs Debian's nginx)")
        pytest.skip("nginx is not installed")
    folder = tmp_path / "nginx"
    folder.mkdir()
    cert, key = make_certificate(folder, "proxy")
    port = free_port()
    started = []

    class Proxy:
        url = f"https://127.0.0.1:{port}"
        certificate = cert

    def start(tandem_port):
        conf = folder / "nginx.conf"
        temp = "".join(f"{kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        conf.write_text(f"""user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
access_log off;
{temp}
{server_block(tandem_port, port, cert, key)}
}}
""")
        process = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        started.append(process)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                assert process.poll() is None, (folder / "error.log").read_text()
                time.sleep(0.1)
        raise RuntimeError("nginx did not start: " + (folder / "error.log").read_text())

    Proxy.start = staticmethod(start)
    yield Proxy
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_behind_nginx_the_sign_in_log_has_the_browsers_address(make_server, nginx):
    public_url, cert = nginx.url, nginx.certificate
    server = make_server(public_url=public_url, extra_args=["--trusted-proxy", "127.0.0.1/32"])
    nginx.start(server.port)
    run([TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    token = run([TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()

    class Proxied:
        url = public_url

    browser = Browser(Proxied)
    browser.http.mount("https://", FromAddress())
    browser.http.verify = str(cert)
    browser.http.trust_env = False   # REQUESTS_CA_BUNDLE in the environment would win over session.verify
    login = browser.http.get(public_url + "/login")
    assert login.status_code == 200
    assert login.headers["Set-Cookie"].startswith("__Host-tandem_csrf=")
    assert login.headers["Strict-Transport-Security"].startswith("max-age=")
    browser.start()
    assert browser.password("not the password").status_code in (401, 200)

    logs = requests.get(server.url + "/v1.0/auditLogs/signIns", headers={"Authorization": "Bearer " + token}).json()["value"]
    assert logs[0]["userPrincipalName"] == "alice@contoso.com"
    assert logs[0]["ipAddress"] == BROWSER_ADDRESS

    # The push channel's WebSocket goes through the proxy too.
    context = ssl.create_default_context(cafile=str(cert))
    port = int(public_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as raw, context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        key = base64.b64encode(os.urandom(16)).decode()
        tls.sendall((f"GET /device/v1/connect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                     f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        tls.settimeout(5)
        data = b""
        while b'"hello"' not in data:
            chunk = tls.recv(4096)
            assert chunk, data
            data += chunk
        assert data.startswith(b"HTTP/1.1 101")
