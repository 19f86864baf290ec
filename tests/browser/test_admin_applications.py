"""The admin portal's Applications page in real headless Chromium against the real `tandem serve`,
at 390 px (a phone) and 1280 px: a Global Administrator registers a confidential application, sees
its client secret once (gone after a reload), the registration shows in `GET /v1.0/applications`,
and deleting it asks for a confirmation first. Screenshots go to artifacts/screenshots/admin_applications-*."""

import requests

from browser_harness import PIN, chrome, phone, server  # noqa: F401 (fixtures)
import e2e_harness as e2e
from test_admin_portal import check_admin_page


def test_admin_applications(chrome, phone, server):
    e2e.run([e2e.TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    e2e.register(server, phone)
    chrome.sign_in_with_push(phone)

    chrome.open("/admin/applications")
    chrome.wait_for_id("register-application")
    check_admin_page(chrome)
    name = f"Payroll {chrome.size}"
    chrome.type_into("app-name", name)
    chrome.type_into("app-redirects", "https://payroll.example/callback")
    chrome.click("register")
    secret = chrome.text("client-secret")
    assert len(secret) >= 32
    check_admin_page(chrome)
    chrome.screenshot("secret", show="secret-issued")

    chrome.open("/admin/applications")
    chrome.wait_for_id("applications")
    assert name in chrome.by_id("applications").text
    assert secret not in chrome.driver.page_source
    check_admin_page(chrome)

    token = e2e.run([e2e.TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()
    headers = {"Authorization": "Bearer " + token}
    apps = requests.get(f"{server.url}/v1.0/applications", headers=headers, timeout=10).json()["value"]
    app = next(a for a in apps if a["displayName"] == name)
    assert app["web"]["redirectUris"] == ["https://payroll.example/callback"] and app["isFallbackPublicClient"] is False
    assert secret not in str(apps)

    chrome.click("delete-" + app["id"])
    chrome.wait_for_id("confirm")
    check_admin_page(chrome)
    chrome.screenshot("delete-confirm", show="confirm")
    chrome.click("confirm")
    assert chrome.text("saved") == "The application was deleted."
    apps = requests.get(f"{server.url}/v1.0/applications", headers=headers, timeout=10).json()["value"]
    assert all(a["displayName"] != name for a in apps)
