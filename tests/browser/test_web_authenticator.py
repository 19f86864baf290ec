"""The web authenticator (`/authenticator/`, decision 0024) in real Chromium against a real
`tandem serve`: a phone-sized window (390x844, mobile emulation) with the WebDriver virtual
authenticator (CTAP2, `internal` transport, resident keys, user verification) is the phone; a second,
desktop-sized browser is the computer that signs in. Registration from the QR code, the first
number-matched confirmation, MFA, deny, choose-from-three, a verification code, passwordless phone
sign-in, an approval refused without user verification, "No, it's not me", remove; the service
worker's push handler through CDP; the app's byte builders and TOTP against the golden vectors.
Screenshots of every app screen go to artifacts/screenshots/web_authenticator-*-phone.png."""

import json
import re
import shutil
import time
from pathlib import Path

import pytest
import requests

from browser_harness import ROOT, Window, e2e, require, zbarimg

UNAVAILABLE = "Notifications are not available in this browser; keep the app open or open it when you sign in."


@pytest.fixture
def server(tmp_path):
    """Public URL and browsers on http://localhost (a secure context; WebAuthn takes no IP address as RP ID)."""
    s = e2e.Server(tmp_path / "server")
    s.stop()
    s.public_url = s.url = f"http://localhost:{s.port}"
    s.start()
    yield s
    s.stop()


def open_browser(server, size, test_name):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    require(webdriver is not None, "selenium (pip install -r tests/browser/requirements.txt)")
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    require(binary is not None, "chromium")
    require(shutil.which("chromedriver") is not None, "chromedriver (Debian: chromium-driver)")
    width, height = {"phone": (390, 844), "desktop": (1280, 800)}[size]
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={max(width, 500)},{height}", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == "phone"})
    return Window(driver, server, size, test_name)


def add_virtual_authenticator(window):
    from selenium.webdriver.common.virtual_authenticator import Protocol, Transport, VirtualAuthenticatorOptions
    options = VirtualAuthenticatorOptions()
    options.protocol = Protocol.CTAP2
    options.transport = Transport.INTERNAL
    options.has_resident_key = True
    options.has_user_verification = True
    options.is_user_verified = True
    options.is_user_consenting = True
    window.driver.add_virtual_authenticator(options)


@pytest.fixture
def phone(server):
    window = open_browser(server, "phone", "test_web_authenticator")
    try:
        add_virtual_authenticator(window)
        yield window
    finally:
        window.driver.quit()


@pytest.fixture
def computer(server):
    window = open_browser(server, "desktop", "test_web_authenticator")
    try:
        yield window
    finally:
        window.driver.quit()


def shot(window, step):
    """A screenshot of an app screen, after checking it fits the 390 px width."""
    assert window.fits_width(), f"{window.path()} scrolls sideways at {window.size}"
    return window.screenshot(step)


def request_id(phone):
    match = re.search(r"#request=([A-Za-z0-9_-]+)", phone.driver.current_url)
    return match.group(1) if match else None


def wait_for_request(phone, kind_heading, timeout=30):
    """Waits until the app shows a request screen with this heading; returns the request id."""
    phone.wait(lambda: request_id(phone) and phone.by_id("heading").text == kind_heading
               and phone.by_id("time-left").text not in ("", "expired"), timeout, f"the app shows “{kind_heading}”")
    return request_id(phone)


def fresh_sign_in(computer):
    """A browser with no cookies (no session, no remembered method), then username and password."""
    computer.driver.delete_all_cookies()
    computer.sign_in_with_password()


UV_FALSE_ANSWER = """
    const [id, number, done] = arguments;
    const base = document.querySelector('script[type=module]').src.replace(/app\\.js$/, '');
    Promise.all(['store.js', 'signed-bytes.js', 'device-key.js', 'bytes.js', 'api.js'].map((m) => import(base + m)))
      .then(async ([store, signed, key, bytes, api]) => {
        const [account] = await store.accounts.all();
        const { offer } = { offer: (await api.pending(account)).find((o) => o.id === id) };
        const message = signed.answer({ challengeID: id, nonce: offer.nonce, deviceID: account.deviceId, decision: 'approve', number });
        const credential = await navigator.credentials.get({ publicKey: {
          challenge: await signed.sha256(message), rpId: account.rpId, userVerification: 'discouraged',
          allowCredentials: [{ type: 'public-key', id: bytes.fromBase64URL(account.passkeyId) }] } });
        const authenticatorData = new Uint8Array(credential.response.authenticatorData);
        const response = await fetch(new URL(`device/v1/challenges/${id}/answer`, api.serverBase), {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ deviceId: account.deviceId, decision: 'approve', number, signature: await key.sign(account.privateKey, message),
            assertion: { credentialId: bytes.toBase64URL(credential.rawId), clientDataJSON: bytes.toBase64URL(credential.response.clientDataJSON),
                         authenticatorData: bytes.toBase64URL(authenticatorData), signature: bytes.toBase64URL(credential.response.signature) } }) });
        done({ uv: (authenticatorData[32] & 0x04) !== 0, status: response.status, body: await response.text() });
      }, (e) => done({ error: String(e) }));"""


def challenge_of(phone):
    return request_id(phone)


def register_from_the_qr_code(phone, computer):
    """Computer: the first password sign-in leads to the registration interrupt and the QR code.
    Phone: the decoded link opens the app, which adds the account, creates the approval passkey and
    confirms with the number the computer shows."""
    computer.sign_in_with_password()
    computer.wait_for_path("/mysecurityinfo")
    computer.click("add-authenticator")
    computer.wait_for_id("qr")
    [url] = zbarimg(computer.screenshot("qr", show="qr"))
    assert url.startswith(computer.server.url + "/device/v1/activate?code="), url
    computer.click("cant-scan-toggle")
    assert computer.by_id("activation-link").get_attribute("href") == url, "the link under Can't scan is the QR code's URL"
    code = url.split("code=", 1)[1]

    phone.driver.get(url)
    phone.wait(lambda: phone.path().startswith("/authenticator/#activate="), 20, "the activation URL opens the app")
    phone.wait_for_id("add-account")
    assert phone.heading() == "Add your account"
    shot(phone, "add-account")
    phone.type_into("device-name", "Test phone")
    phone.click("add-account")
    phone.wait(lambda: phone.path().startswith("/authenticator/#setup="), 30, "the account is added")
    assert code not in phone.driver.current_url, "the activation code leaves the address bar"
    assert "alice@contoso.com" in phone.text("setup-account")
    shot(phone, "setup-passkey")
    phone.click("create-passkey")
    [credential] = phone.driver.get_credentials()
    assert credential.rp_id == "localhost"

    number = computer.number()
    assert wait_for_request(phone, "Confirm your new account")
    shot(phone, "confirm-registration")
    assert "report" not in phone.driver.page_source.split('id="request-actions"')[1][:400], "no report button on a registration"
    phone.type_into("number", number)
    phone.click("approve")
    phone.wait(lambda: phone.heading() == "You’re all set", 30, "the registration is confirmed")
    shot(phone, "registered")
    computer.wait(lambda: "set up" in computer.by_id("status").text, 30, "the computer sees the confirmation")
    return code


def test_the_web_authenticator_end_to_end(server, phone, computer):
    e2e.run([e2e.TANDEM, "admin", "policy", "patch", "--body", json.dumps({"isSoftwareOathEnabled": True}),
             "--database", server.db])
    code = register_from_the_qr_code(phone, computer)
    assert code not in server.log(), "the activation code is never logged"

    # The accounts screen: the account, its verification code, the channel, no Web Push in CI.
    phone.click("done")
    phone.wait_for_id("account-1")
    phone.wait(lambda: phone.text("connection").startswith("Connected"), 30, "the live channel is open")
    assert "Alice Example" in phone.text("account-1")
    phone.click("enable-push")
    phone.wait(lambda: phone.text("push-status") == UNAVAILABLE or "turned off" in phone.text("push-status"), 30,
               "the app says in plain words that Web Push is not available here")
    shot(phone, "accounts")

    # MFA: password on the computer, the number typed in the app, approved with "biometrics".
    fresh_sign_in(computer)
    computer.wait_for_path("/login/approve")
    number = computer.number()
    challenge = wait_for_request(phone, "Approve sign-in?")
    assert phone.text("request-account") == "Alice Example (alice@contoso.com)"
    assert phone.text("request-application")
    assert re.fullmatch(r"[0-2]:\d\d", phone.text("time-left")), phone.text("time-left")
    shot(phone, "request")
    phone.type_into("number", number)
    phone.click("approve")
    phone.wait(lambda: phone.heading() == "Approved", 30, "approved")
    shot(phone, "approved")
    computer.wait_for_path("/")
    assert "Alice Example" in computer.text("welcome")
    phone.click("done")

    # Deny.
    fresh_sign_in(computer)
    computer.wait_for_path("/login/approve")
    computer.number()
    wait_for_request(phone, "Approve sign-in?")
    phone.click("deny")
    phone.wait(lambda: phone.heading() == "Denied", 30, "denied")
    assert phone.text("result-message") == "You denied the sign-in."
    shot(phone, "denied")
    computer.wait(lambda: computer.by_id("heading").text == "Request denied", 30, "the computer shows the denial")
    phone.click("done")

    # Without user verification the approval is refused, and the app says so; the request stays
    # answerable once the phone verifies again.
    fresh_sign_in(computer)
    computer.wait_for_path("/login/approve")
    number = computer.number()
    wait_for_request(phone, "Approve sign-in?")
    phone.driver.set_user_verified(False)
    # Chromium itself refuses a get() that requires user verification the authenticator cannot
    # give; so that the server's own check is seen too, the page asks with "discouraged" (an
    # assertion with UV = 0 over the right bytes) and sends it as the app would: refused, 401.
    refused = phone.driver.execute_async_script(UV_FALSE_ANSWER, challenge_of(phone), number)
    assert refused["uv"] is False and refused["status"] == 401, refused
    phone.type_into("number", number)
    phone.click("approve")
    phone.wait(lambda: "nothing was approved" in phone.text("request-status").lower(), 30, "the app says the approval was refused")
    shot(phone, "not-verified")
    assert computer.path() == "/login/approve", "no session without user verification"
    phone.driver.set_user_verified(True)
    phone.click("approve")
    phone.wait(lambda: phone.heading() == "Approved", 30, "approved once verified")
    computer.wait_for_path("/")
    phone.click("done")

    # Choose from three, when the policy says so.
    e2e.run([e2e.TANDEM, "admin", "policy", "patch", "--body", json.dumps({"tandemNumberPresentation": "chooseFromThree"}),
             "--database", server.db])
    fresh_sign_in(computer)
    computer.wait_for_path("/login/approve")
    number = computer.number()
    wait_for_request(phone, "Approve sign-in?")
    choices = {phone.text(f"choice-{i}"): f"choice-{i}" for i in (1, 2, 3)}
    assert len(choices) == 3 and number in choices, (number, choices)
    shot(phone, "choose-from-three")
    phone.click(choices[number])
    phone.wait(lambda: phone.heading() == "Approved", 30, "approved by picking the number")
    computer.wait_for_path("/")
    phone.click("done")
    e2e.run([e2e.TANDEM, "admin", "policy", "patch", "--body", json.dumps({"tandemNumberPresentation": "typed"}),
             "--database", server.db])

    # A verification code from the app (TOTP computed with WebCrypto) signs in instead of the push.
    phone.click("account-1")
    phone.wait_for_id("account-code")
    phone.wait(lambda: re.fullmatch(r"\d{3} \d{3}", phone.text("account-code")), 10, "a code")
    shot(phone, "account")
    fresh_sign_in(computer)
    computer.wait_for_path("/login/approve")
    computer.number()
    computer.click("cant-use-app")
    computer.wait_for_path("/login/code")
    computer.type_into("code", phone.by_id("account-code").get_attribute("data-code"))
    computer.click("verify")
    computer.wait_for_path("/")
    assert "otp" in computer.text("methods")
    phone.open("/authenticator/")
    phone.wait_for_id("account-1")
    phone.click("account-1")

    # Phone sign-in: turned on with the passkey, then a sign-in with no password at all.
    phone.click("enable-phone-sign-in")
    phone.click("confirm-phone-sign-in")
    phone.wait(lambda: phone.text("phone-sign-in-status") == "Phone sign-in is on.", 30, "phone sign-in turned on")
    shot(phone, "phone-sign-in-on")
    browser = e2e.Browser(server)   # the computer again, through requests this time, with no password
    assert browser.start_passwordless() == "/login/approve"
    number = browser.number()
    phone.click("back")
    wait_for_request(phone, "Are you trying to sign in?")
    shot(phone, "passwordless-request")
    phone.type_into("number", number)
    phone.click("approve")
    phone.wait(lambda: phone.heading() == "Approved", 30, "passwordless approved")
    assert browser.status(wait=10)["state"] == "approved"
    assert browser.complete().headers["Location"] == "/"
    phone.click("done")

    # "No, it's not me": reported, and the user's pushes stop for a while. (Alice's last sign-in
    # was by phone, so the username alone now starts a phone sign-in: decision 0010.)
    computer.driver.delete_all_cookies()
    computer.open("/login")
    computer.type_into("username", "alice@contoso.com")
    computer.click("next")
    computer.wait(lambda: computer.path() in ("/login/approve", "/login/password"), 20, "the next page")
    expected = "Are you trying to sign in?"
    if computer.path() == "/login/password":
        computer.type_into("password", e2e.PASSWORD)
        computer.click("signin")
        expected = "Approve sign-in?"
    computer.wait_for_path("/login/approve")
    computer.number()
    wait_for_request(phone, expected)
    phone.click("report")
    phone.wait(lambda: phone.heading() == "Reported", 30, "reported")
    shot(phone, "reported")
    phone.click("done")

    # Remove: local only, and the app says to delete the device in Security info too.
    phone.click("account-1")
    phone.click("remove-account")
    assert "Security info" in phone.text("remove-warning")
    shot(phone, "remove")
    phone.click("confirm-remove")
    phone.wait_for_id("flash")
    assert "Security info" in phone.text("flash")
    assert phone.by_id("security-info-link").get_attribute("href") == server.url + "/mysecurityinfo"
    phone.wait_for_id("no-accounts")
    shot(phone, "removed")
    assert phone.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const open = indexedDB.open('tandem-authenticator');
        open.onsuccess = () => { const r = open.result.transaction('accounts').objectStore('accounts').count();
                                 r.onsuccess = () => done(r.result); };""") == 0


def test_the_service_worker_shows_a_content_free_notification_for_a_push(server, phone, computer):
    register_from_the_qr_code(phone, computer)
    phone.open("/authenticator/")
    phone.wait_for_id("account-1")
    controlled = phone.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready.then(r => done(r.active.scriptURL + ' ' + r.scope));""")
    assert controlled == f"{server.url}/authenticator/sw.js {server.url}/authenticator/", controlled
    phone.driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": server.url, "permissions": ["notifications"]})
    # With notifications allowed, subscribing still fails here (headless Chromium reaches no push
    # service): the app says so in plain words and keeps the live channel.
    phone.wait_for_id("enable-push")
    phone.click("enable-push")
    phone.wait(lambda: phone.text("push-status") == UNAVAILABLE, 30, "the plain words for no Web Push")
    shot(phone, "push-unavailable")

    fresh_sign_in(computer)
    computer.wait_for_path("/login/approve")
    challenge = wait_for_request(phone, "Approve sign-in?")
    phone.open("/authenticator/#")
    phone.driver.execute_cdp_cmd("ServiceWorker.enable", {})
    payload = json.dumps({"type": "request", "challengeId": challenge})
    read = """
        const done = arguments[arguments.length - 1];
        navigator.serviceWorker.ready.then(r => r.getNotifications()).then(
          list => done(list.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data}))), e => done(String(e)));"""
    # A fresh profile numbers its service-worker registrations from 0 and CDP ignores unknown ids;
    # a delivery that meets the worker while it starts can be lost, so it is repeated (the
    # notification's tag is the request's, so repeats replace it rather than add one).
    notifications = []
    deadline = time.time() + 60
    while not notifications and time.time() < deadline:
        for registration in range(10):
            phone.driver.execute_cdp_cmd("ServiceWorker.deliverPushMessage",
                                         {"origin": server.url, "registrationId": str(registration), "data": payload})
        time.sleep(2)
        notifications = phone.driver.execute_async_script(read)
    assert notifications == [{"title": "Sign-in request — open to respond", "body": "", "tag": f"request-{challenge}",
                              "data": {"challengeId": challenge}}], notifications
    phone.screenshot("push-delivered")
    # What a tap on it opens (notificationclick → /authenticator/#request=<id>; CDP cannot click a
    # notification, so the test opens that address): the request, fetched over the app's own channel.
    phone.open(f"/authenticator/#request={challenge}")
    wait_for_request(phone, "Approve sign-in?")
    assert request_id(phone) == challenge


def test_the_app_works_offline_from_its_cache(server, phone, computer):
    register_from_the_qr_code(phone, computer)
    phone.open("/authenticator/")
    phone.wait_for_id("account-1")
    phone.driver.execute_async_script("""
        const done = arguments[arguments.length - 1]; navigator.serviceWorker.ready.then(() => done(true));""")
    phone.open("/authenticator/")   # now controlled by the worker
    phone.wait_for_id("account-1")
    phone.driver.execute_cdp_cmd("Network.enable", {})
    phone.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                 {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    try:
        phone.open("/authenticator/")
        phone.wait_for_id("account-1")
        assert "Alice Example" in phone.text("account-1")
        phone.wait(lambda: phone.text("connection").startswith("Offline"), 30, "the app says it is offline")
        shot(phone, "offline")
    finally:
        phone.driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                                     {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def test_the_app_builds_the_golden_vectors_bytes_and_rfc_6238_codes(server, phone):
    phone.open("/authenticator/")
    phone.wait_for_id("heading")
    vectors = json.loads((ROOT / "Tests" / "Vectors" / "signed-bytes-v2.json").read_text())
    v1 = json.loads((ROOT / "Tests" / "Vectors" / "signed-bytes-v1.json").read_text())
    results = phone.driver.execute_async_script("""
        const [v2, v1, done] = arguments;
        const base = document.querySelector('script[type=module]').src.replace(/app\\.js$/, '');
        Promise.all([import(base + 'signed-bytes.js'), import(base + 'totp.js')]).then(async ([signed, totp]) => {
          const text = (bytes) => bytes === null ? null : new TextDecoder().decode(bytes);
          const out = [];
          for (const vector of [...v2.valid, ...v2.invalid, ...v1.valid, ...(v1.invalid || [])]) {
            const i = vector.inputs;
            let bytes;
            switch (vector.builder) {
              case 'requestV2': bytes = await signed.requestV2({...i, body: new TextEncoder().encode(i.body)}); break;
              case 'keyChange': bytes = signed.keyChange(i); break;
              case 'answer': bytes = signed.answer(i); break;
              case 'connect': bytes = signed.connect(i); break;
              default: continue;
            }
            out.push([vector.name, text(bytes), vector.bytes ?? null]);
          }
          // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", last 6 digits.
          const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
          for (const [t, code] of [[59, '287082'], [1111111109, '081804'], [1234567890, '005924'], [20000000000, '353130']]) {
            out.push(['totp-' + t, await totp.totp(secret, t), code]);
          }
          done(out);
        }, (e) => done(String(e)));""", vectors, v1)
    assert isinstance(results, list), results
    assert len(results) >= 10, results
    names = [name for name, _, _ in results]
    assert "request-v2-put-push-subscription" in names and "request-v2-patch" in names
    for name, got, expected in results:
        assert got == expected, name


def test_serving_cache_headers_csp_and_the_activation_redirect(server):
    page = requests.get(server.url + "/authenticator/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-cache"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp and "worker-src 'self'" in csp
    assert "<script>" not in page.text and " style=" not in page.text, "no inline script or style"
    version = re.search(r'src="v/([0-9a-f]{16})/app\.js"', page.text).group(1)
    asset = requests.get(f"{server.url}/authenticator/v/{version}/app.js")
    assert asset.status_code == 200 and asset.headers["Content-Type"].startswith("text/javascript")
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert requests.get(f"{server.url}/authenticator/v/0123456789abcdef/app.js").status_code == 404, "only this version"
    worker = requests.get(server.url + "/authenticator/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache" and f"'{version}'" in worker.text
    manifest = requests.get(server.url + "/authenticator/manifest.webmanifest")
    assert manifest.headers["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert body["scope"] == "./" and body["start_url"] == "./" and body["display"] == "standalone"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    for icon in body["icons"]:
        r = requests.get(f"{server.url}/authenticator/{icon['src']}")
        assert r.status_code == 200 and r.headers["Content-Type"] == icon["type"], icon
    # Every file the worker caches for offline use is served.
    cached = [n.strip() for n in re.search(r"const ASSETS = \[(.*?)\];", worker.text, re.S).group(1).replace("'", "").split(",") if n.strip()]
    assert {"app.js", "app.css", "icon-192.png"} <= set(cached), cached
    for name in cached:
        assert requests.get(f"{server.url}/authenticator/v/{version}/{name}").status_code == 200, name
    assert requests.get(server.url + "/authenticator", allow_redirects=False).headers["Location"] == "authenticator/"

    secret = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    r = requests.get(f"{server.url}/device/v1/activate?code={secret}", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == f"../../authenticator/#activate={secret}"
    assert requests.get(f"{server.url}/device/v1/activate?code=a%0d%0aX-Evil:1", allow_redirects=False).status_code == 400
    assert requests.get(f"{server.url}/device/v1/activate", allow_redirects=False).status_code == 400
    assert secret not in server.log(), "the query of the activation GET is not logged"


@pytest.mark.parametrize("skew_seconds", [600, -600])
def test_the_app_signs_again_with_the_servers_time_when_its_clock_is_off(server, phone, skew_seconds):
    """Decision 0028: the page's clock moved 10 minutes; a signed request's first answer is 401
    clockSkew with serverTime, and api.js signs it again once with the server's time. The device
    here is unknown to the server, so the corrected request gets the next check's refusal
    (unauthorized, not clockSkew) — proof that it was signed again with a time inside the window."""
    phone.open("/authenticator/")
    phone.wait_for_id("heading")
    result = phone.driver.execute_async_script("""
        const [skew, done] = arguments;
        const base = document.querySelector('script[type=module]').src.replace(/app\\.js$/, '');
        const realNow = Date.now.bind(Date);
        Date.now = () => realNow() + skew * 1000;
        Promise.all([import(base + 'api.js'), crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, false, ['sign'])])
          .then(async ([api, pair]) => {
            const account = {deviceId: 'AAAAAAAAAAAAAAAAAAAAAA', privateKey: pair.privateKey};
            let outcome;
            try { await api.pending(account); outcome = {ok: true}; }
            catch (e) { outcome = {status: e.status, code: e.code, message: e.message}; }
            outcome.serverNow = api.serverNow();
            outcome.realNow = realNow() / 1000;
            Date.now = realNow;
            done(outcome);
          }, (e) => { Date.now = realNow; done(String(e)); });""", skew_seconds)
    assert isinstance(result, dict), result
    assert result.get("status") == 401 and result.get("code") == "unauthorized", result
    assert result["message"] == "Unknown device or bad signature.", result
    assert abs(result["serverNow"] - result["realNow"]) < 30, result
