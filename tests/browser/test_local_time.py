"""The admin portal's dates in the viewer's local time (issue 16, decision 0032), in real headless
Chromium against the real `tandem serve`: the server writes `<time datetime="…Z">… UTC</time>`
(readable without JavaScript), and /static/local-time.js rewrites the text in the browser's time
zone, set here through the DevTools protocol (Emulation.setTimezoneOverride)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

from browser_harness import PIN, chrome, phone, server  # noqa: F401 (fixtures)
import e2e_harness as e2e

# Half-hour offsets, no daylight saving: the local minutes differ from UTC's whatever the hour.
ZONES = {"phone": ("Asia/Kolkata", "GMT+5:30"), "desktop": ("America/St_Johns", "GMT-3:30")}
ALIASES = {"Asia/Kolkata": "Asia/Calcutta"}
SERVER_TIME = re.compile(r'<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)">(\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC)</time>')


def local_times(chrome, container):
    """(datetime attribute, title, text, zone) of every rewritten <time> in `container`."""
    return chrome.driver.execute_script("""
        return Array.from(document.querySelectorAll(arguments[0] + ' time[datetime]'))
          .map(t => [t.getAttribute('datetime'), t.title, t.textContent, t.dataset.local || '']);""", container)


def check(chrome, zone, zone_text, container):
    times = chrome.wait(lambda: (lambda ts: ts if ts and all(t[3] for t in ts) else None)(local_times(chrome, container)),
                        message=f"the dates of {container} rewritten")
    # The zone the module used is the one set (ICU may name it by its older alias).
    assert {t[3] for t in times} <= {zone, ALIASES.get(zone)}, times
    for iso, title, text, _ in times:
        utc = datetime.fromisoformat(iso.replace("Z", "+00:00"))
        local = utc.astimezone(ZoneInfo(zone))
        assert title == f"{utc.day} {utc:%b %Y, %H:%M} UTC", (title, iso)
        assert f"{local:%H:%M}" in text and str(local.day) in text and f"{local:%b}" in text and str(local.year) in text, (text, iso, zone)
        assert zone_text in text, (text, zone)
        assert f"{utc:%H:%M}" not in text, "the local time, not UTC's"
    return times


def test_local_time(chrome, phone, server):
    e2e.run([e2e.TANDEM, "admin", "roles", "assign", "Global Administrator", "alice@contoso.com", "--database", server.db])
    e2e.register(server, phone)
    chrome.sign_in_with_push(phone)
    zone, zone_text = ZONES[chrome.size]
    chrome.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": zone})

    # Without JavaScript the page says UTC, in a <time> that carries the instant.
    session = requests.Session()
    for cookie in chrome.driver.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    html = session.get(f"{server.url}/admin/sign-ins", timeout=10).text
    served = SERVER_TIME.findall(html)
    assert len(served) >= 2, html[:2000]
    assert '<script type="module" src="/static/local-time.js"></script>' in html
    script = session.get(f"{server.url}/static/local-time.js", timeout=10)
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert "Intl.DateTimeFormat" in script.text

    chrome.open("/admin/sign-ins")
    times = check(chrome, zone, zone_text, "#sign-ins")
    assert [t[0] for t in times] == [iso for iso, _ in served]
    assert chrome.driver.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone") in (zone, ALIASES.get(zone))
    chrome.screenshot("sign-ins")

    # The detail pane, the audit log and a user's recent sign-ins too.
    detail = chrome.driver.find_element("css selector", "#sign-ins a").get_attribute("href")
    chrome.open(detail.removeprefix(server.url))
    assert len(check(chrome, zone, zone_text, "#content")) > len(times), "the detail pane's dates too"
    chrome.open("/admin/audit-logs")
    check(chrome, zone, zone_text, "#audits")
    chrome.screenshot("audit-logs")

    # The user page's methods and security info (decision 0032's second part): local time as well.
    users = session.get(f"{server.url}/admin/users?q=alice", timeout=10).text
    user_path = re.search(r'href="(/admin/users/[^"]+)"', users).group(1)
    assert len(SERVER_TIME.findall(session.get(server.url + user_path, timeout=10).text)) >= 3, "created, registered, last used"
    chrome.open(user_path)
    check(chrome, zone, zone_text, "#methods")
    chrome.screenshot("user-methods")
    info = session.get(f"{server.url}/mysecurityinfo", timeout=10).text
    assert len(SERVER_TIME.findall(info)) >= 2 and '<script type="module" src="/static/local-time.js"></script>' in info
    chrome.open("/mysecurityinfo")
    check(chrome, zone, zone_text, "#methods")
    chrome.screenshot("security-info")
