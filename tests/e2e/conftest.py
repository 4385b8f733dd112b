"""Browser tests: pytest-django's live_server driven by Playwright in Debian's Chromium.

Test modules here mark themselves `pytestmark = pytest.mark.e2e`. The browser is Debian's /usr/bin/chromium
(`make browser-deps` installs it with fonts-noto-cjk); Playwright's own browser download is
never used. Only 127.0.0.1 is contacted: the live server runs there, and Chromium is started
with its background networking switched off.

Data: `live_server` makes pytest-django use a transactional database (the server thread has
its own connection to the SQLite test file), so the `personas` fixture works unchanged; the
tables are flushed after each test.

Screenshots of every main page go to test-artifacts/screenshots/ (git-ignored); a failing
test leaves a FAILED-<test>.png there too.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("QIAO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PROJECT_DIR = Path(__file__).resolve().parents[2]
SRC_STATIC = PROJECT_DIR / "src" / "qiao" / "static"
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module.

    Playwright's sync API runs an asyncio loop in this thread, so Django's async-safety
    check would refuse ORM calls made by fixtures and by the database flush after each
    test. The check is switched off only while the browser lives (module scope), so the
    rest of the suite, which may run later in the same xdist worker, keeps it."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Session:
    """One person at one browser: a context (own cookies) and its page."""

    def __init__(self, browser, base_url, request, *, viewport, name):
        self.base_url = base_url.rstrip("/")
        self.context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
            base_url=self.base_url, service_workers="block")
        self.context.set_default_timeout(TIMEOUT_MS)
        # Nothing but the live server: a request elsewhere is a bug (vendored assets only).
        self.context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"),
                           lambda route: route.abort())
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.name = name
        self.request = request

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def login(self, username, password):
        from playwright.sync_api import expect

        self.goto("/login/")
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(password)
        self.page.locator("form:has(#id_password) button[type=submit]").click()
        expect(self.page.get_by_test_id("current-user")).to_be_visible()

    def shot(self, name, *, full_page=True):
        """Keep a screenshot as a test artefact; returns its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
        return self.page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth")

    def close(self):
        if self.request.node.stash.get(_FAILED, False):
            try:
                self.shot(f"FAILED-{self.request.node.name}-{self.name}")
            except Exception:  # noqa: BLE001,S110 - the failure itself is what matters
                pass
        self.context.close()


def project_static_is_found() -> bool:
    from django.contrib.staticfiles import finders

    return finders.find("qiao/qiao.css") is not None


@pytest.fixture
def served_static(settings):
    """The pages need their vendored CSS and JS (Bootstrap, htmx). If the settings do not let
    the static finders see src/qiao/static, add it here so the flow tests test the flow;
    test_static_assets.py fails on its own to report the settings bug."""
    if not project_static_is_found():
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, SRC_STATIC]


@pytest.fixture
def open_session(browser, live_server, request, served_static):
    """open_session(name, viewport=DESKTOP) → a fresh browser context on the live server."""
    sessions = []

    def open_(name="main", *, viewport=DESKTOP):
        session = Session(browser, live_server.url, request, viewport=viewport, name=name)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()
    for session in sessions:
        assert not session.errors, f"JavaScript errors in {session.name}: {session.errors}"
