"""Browser harness: real headless Chromium driven by selenium against the real `tandem serve`,
with the real `tandem-authenticator` as the phone. The server and phone helpers are the
end-to-end harness's (`tests/e2e/conftest.py`), loaded here under the name `e2e_harness`.

Not a `conftest.py` on purpose: the e2e tests import their helpers with `from conftest import …`,
which a second `conftest` module would shadow when both folders run in one pytest session. Test
modules import the fixtures from here instead (`from browser_harness import chrome, phone, server`).

Each test runs in a phone-sized (390x844) and a desktop-sized (1280x800) window and saves its
screenshots under `artifacts/screenshots/`. Without Chromium, chromedriver, selenium or zbarimg
the tests skip on a developer's machine and fail in CI (`CI=true`); `.ci/browser.sh` installs them.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

_spec = importlib.util.spec_from_file_location("e2e_harness", ROOT / "tests" / "e2e" / "conftest.py")
e2e = importlib.util.module_from_spec(_spec)
sys.modules["e2e_harness"] = e2e
_spec.loader.exec_module(e2e)

PIN = e2e.PIN
PASSWORD = e2e.PASSWORD
USERNAME = "alice@contoso.com"

WINDOWS = {"phone": (390, 844), "desktop": (1280, 800)}


def in_ci():
    return os.environ.get("CI", "").lower() in ("true", "1")


def require(condition, what):
    """Skips (or, in CI, fails) when a tool the browser tests need is missing."""
    if condition:
        return
    message = f"{what} is missing: run .ci/browser.sh"
    if in_ci():
        pytest.fail("CI=true but " + message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def server(tmp_path):
    s = e2e.Server(tmp_path / "server")
    yield s
    s.stop()


@pytest.fixture
def phone(tmp_path):
    return e2e.Authenticator(tmp_path / "phone")


@pytest.fixture
def second_phone(tmp_path):
    return e2e.Authenticator(tmp_path / "phone2")


@pytest.fixture(params=list(WINDOWS), ids=list(WINDOWS))
def chrome(request):
    """A headless Chromium window of the parametrised size, pointed at the `server` fixture's
    server (started once the tools are known to be there)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    require(webdriver is not None, "selenium (pip install -r tests/browser/requirements.txt)")
    binary = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver")
    require(binary is not None, "chromium")
    require(driver_path is not None, "chromedriver (Debian: chromium-driver)")

    server = request.getfixturevalue("server")
    width, height = WINDOWS[request.param]
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    # A window is at least 500 px wide, so the viewport is set exactly through the DevTools
    # protocol; `mobile` makes the phone honour the page's viewport meta tag like a phone does.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": request.param == "phone"})
    driver.get(server.url + "/login")
    assert driver.execute_script("return window.innerWidth") == width, "the page's viewport is the window's"
    window = Window(driver, server, request.param, request.node.originalname)
    try:
        yield window
    finally:
        driver.quit()


class Window:
    """One browser window: pages by element id, waits, screenshots."""

    def __init__(self, driver, server, size, test_name):
        self.driver = driver
        self.server = server
        self.size = size
        self.test_name = test_name.removeprefix("test_")

    def open(self, path):
        self.driver.get(self.server.url + path)

    def by_id(self, element_id):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.ID, element_id)

    def wait(self, condition, timeout=20, message=""):
        """Waits for `condition` to return something truthy. A page that reloads itself (the
        number page does when the request is answered) can drop an element between finding it
        and reading it; such a moment counts as "not yet", not as a failure."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def settled(_):
            try:
                return condition()
            except (NoSuchElementException, StaleElementReferenceException):
                return None
            except WebDriverException as error:
                if "does not belong to the document" in str(error) or "stale element" in str(error):
                    return None
                raise
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(settled, message)

    def wait_for_id(self, element_id, timeout=20):
        from selenium.common.exceptions import NoSuchElementException

        def find():
            try:
                element = self.by_id(element_id)
                return element if element.is_displayed() else None
            except NoSuchElementException:
                return None
        return self.wait(find, timeout, f"#{element_id} on {self.driver.current_url}")

    def wait_for_path(self, path, timeout=20):
        self.wait(lambda: self.path() == path, timeout, f"waiting for {path}, at {self.driver.current_url}")

    def path(self):
        url = self.driver.current_url
        return url[len(self.server.url):] if url.startswith(self.server.url) else url

    def type_into(self, element_id, text):
        field = self.wait_for_id(element_id)
        field.clear()
        field.send_keys(text)

    def click(self, element_id):
        self.wait_for_id(element_id).click()

    def text(self, element_id):
        return self.wait_for_id(element_id).text.strip()

    def number(self, timeout=30):
        """The number the page shows, once it is there."""
        def shown():
            text = self.by_id("number").text.strip()
            return text if re.fullmatch(r"\d+", text) else None
        return self.wait(shown, timeout, "a number on the page")

    def screenshot(self, step, show=None):
        """Saves `artifacts/screenshots/<test>-<step>-<size>.png` and returns its path; `show`
        names an element to scroll into the middle of the window first."""
        if show:
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", self.by_id(show))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{step}-{self.size}.png"
        assert self.driver.save_screenshot(str(path)), f"screenshot {path} failed"
        return path

    def fits_width(self):
        """Whether the page needs no sideways scrolling in this window."""
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1")

    def sign_in_with_password(self, username=USERNAME, password=PASSWORD):
        self.open("/login")
        self.type_into("username", username)
        self.click("next")
        self.wait_for_path("/login/password")
        self.type_into("password", password)
        self.click("signin")

    def sign_in_with_push(self, phone, username=USERNAME, password=PASSWORD):
        """Password, then the number approved on `phone`; ends on the home page."""
        self.sign_in_with_password(username, password)
        self.wait_for_path("/login/approve")
        assert "approved" in phone.run("approve", "--number", self.number(), "--pin", PIN).stdout
        self.wait_for_path("/")

    def press_enter(self, element_id):
        """Operates a control with the keyboard (focus, then Enter) instead of a click."""
        from selenium.webdriver.common.keys import Keys
        self.wait_for_id(element_id).send_keys(Keys.ENTER)

    def heading(self):
        return self.text("heading")

    def unlabelled_fields(self):
        """Ids of visible inputs and selects without a <label for=…> (should be none)."""
        return self.driver.execute_script("""
            return Array.from(document.querySelectorAll('input:not([type=hidden]), select'))
              .filter(f => !document.querySelector('label[for="' + f.id + '"]')).map(f => f.id || f.name);""")

    def forms_without_csrf(self):
        """Actions of forms without a CSRF token (should be none)."""
        return self.driver.execute_script("""
            return Array.from(document.forms).filter(f => !f.querySelector('input[name=csrf]')).map(f => f.action);""")

    def check_page(self):
        """What every page must be: no sideways scrolling, labels, CSRF tokens."""
        assert self.fits_width(), f"{self.path()} scrolls sideways at {self.size}"
        assert self.unlabelled_fields() == [], self.path()
        assert self.forms_without_csrf() == [], self.path()


def zbarimg(picture):
    """The texts zbarimg reads from a picture (one per symbol)."""
    require(shutil.which("zbarimg") is not None, "zbarimg (Debian: zbar-tools)")
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(picture)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"zbarimg found no QR code in {picture} (exit {result.returncode})"
    return result.stdout.splitlines()
