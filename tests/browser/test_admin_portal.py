"""The admin portal in real headless Chromium against the real `tandem serve`, at 390 px (a phone)
and 1280 px: every page of the navigation fits the window (tables scroll inside their box), has
labelled fields and CSRF tokens on its POST forms; a user created on the page shows in the Graph
API and the audit log; "Select groups" with no group is refused; once the role is removed the
same browser is refused. Screenshots go to artifacts/screenshots/admin_portal-*."""

import requests

from browser_harness import PIN, chrome, phone, server  # noqa: F401 (fixtures)
import e2e_harness as e2e

PAGES = [
    ("/admin", "overview"), ("/admin/users", "users"), ("/admin/groups", "groups"), ("/admin/authenticator", "methods"),
    ("/admin/mfa-settings", "mfa-settings"), ("/admin/sign-ins", "sign-ins"), ("/admin/audit-logs", "audit-logs"),
    ("/admin/risky-users", "risky-users"), ("/admin/applications", "applications"), ("/admin/named-locations", "named-locations"),
    ("/admin/protection", "protection"),
]


def check_admin_page(chrome):
    """No sideways scrolling, a label for every field, a CSRF token in every POST form."""
    assert chrome.fits_width(), f"{chrome.path()} scrolls sideways at {chrome.size}"
    assert chrome.unlabelled_fields() == [], chrome.path()
    posts_without_csrf = chrome.driver.execute_script("""
        return Array.from(document.forms).filter(f => f.method === 'post' && !f.querySelector('input[name=csrf]')).map(f => f.action);""")
    assert posts_without_csrf == [], chrome.path()
    # Readable without JavaScript: the one script only shows the dates in local time (decision 0032).
    assert chrome.driver.execute_script(
        "return document.querySelectorAll('script:not([src=\"/static/local-time.js\"])').length") == 0, "readable without JavaScript"


def test_admin_portal(chrome, phone, server):
    e2e.run([e2e.TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    e2e.register(server, phone)
    chrome.sign_in_with_push(phone)

    for path, name in PAGES:
        chrome.open(path)
        chrome.wait_for_id("content")
        assert chrome.driver.title.endswith("Tandem admin center"), path
        check_admin_page(chrome)
        chrome.screenshot(name)
    # The navigation: every entry, the current one marked.
    chrome.open("/admin")
    labels = [a.text.strip() for a in chrome.driver.find_elements("css selector", "nav.side a")]
    assert labels == ["Overview", "Users", "Groups", "Authentication methods", "Sign-in logs", "Audit logs", "Risky users",
                      "Applications", "Named locations", "Protection settings"]
    assert chrome.by_id("nav-overview").get_attribute("aria-current") == "page"
    assert chrome.by_id("chart-24h").tag_name == "svg"

    # A user created on the page is in Graph and in the audit log.
    chrome.open("/admin/users")
    chrome.type_into("new-upn", f"carol-{chrome.size}@contoso.com")
    chrome.type_into("new-name", "Carol")
    chrome.click("create")
    assert chrome.text("saved") == "The user was created."
    chrome.click("issue-tap")
    assert len(chrome.text("tap-code")) == 8
    check_admin_page(chrome)
    chrome.screenshot("user-tap", show="tap-issued")
    token = e2e.run([e2e.TANDEM, "admin", "token", "--user", "alice@contoso.com", "--database", server.db]).stdout.strip()
    headers = {"Authorization": "Bearer " + token}
    carol = requests.get(f"{server.url}/v1.0/users/carol-{chrome.size}@contoso.com", headers=headers, timeout=10)
    assert carol.status_code == 200 and carol.json()["displayName"] == "Carol"
    chrome.open("/admin/audit-logs")
    assert "Add user" in chrome.by_id("audits").text and f"carol-{chrome.size}@contoso.com" in chrome.by_id("audits").text

    # "Select groups" with no group ticked is refused, and nothing is saved.
    chrome.open("/admin/authenticator")
    chrome.click("target-groups")
    chrome.click("save")
    assert "select at least one group" in chrome.text("error")
    chrome.screenshot("methods-refused", show="error")
    policy = requests.get(f"{server.url}/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/MicrosoftAuthenticator",
                          headers=headers, timeout=10).json()
    assert [t["id"] for t in policy["includeTargets"]] == ["all_users"]

    # The sign-in log on a phone: the table scrolls inside its box, the page does not.
    chrome.open("/admin/sign-ins")
    assert "alice@contoso.com" in chrome.by_id("sign-ins").text
    check_admin_page(chrome)

    # Without the role the same browser is refused at once.
    e2e.run([e2e.TANDEM, "admin", "roles", "remove", "Global Administrator", "alice@contoso.com", "--database", server.db])
    for path, _ in PAGES[:3]:
        chrome.open(path)
        assert "Tandem admin center" not in chrome.driver.title, path
        assert requests.get(server.url + path, timeout=10).status_code == 401
    chrome.screenshot("refused")
