"""Browser tests: pytest-django's live_server driven by Playwright in Debian's Chromium.

Each module here marks itself `pytestmark = pytest.mark.e2e`. The browser is Debian's
/usr/bin/chromium (`make browser-deps` installs it with fonts-noto-cjk); Playwright's own
browser download is never used. Only 127.0.0.1 is contacted: the live server listens there,
any other request from a page is refused (and fails the test), and Chromium runs with its
background networking switched off.

Data: `live_server` makes pytest-django use a transactional database (the server thread has
its own connection to the SQLite test file), so the `personas` fixture works unchanged; the
tables are flushed after each test.

Screenshots of every main page go to test-artifacts/screenshots/ (git-ignored); a failing
test leaves a FAILED-<test>.png there too.
"""

import contextlib
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

# pytest-django's live server listens on "localhost" unless told otherwise; say 127.0.0.1 so
# that no name lookup (or IPv6 ::1) is involved. An explicit --liveserver still wins.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

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
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "screenshots"
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# An ordinary phone (iPhone 12-15 size) at its real pixel density.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
TIMEOUT_MS = 10_000
# Pages that do much (several people's pages on one live server thread, the API docs' whole
# schema) beside the rest of the suite on a busy machine: a longer wait per step.
SLOW_MS = 30_000
# Expectations (expect(...).to_…) wait as long as actions do, not Playwright's 5 s.
expect.set_options(timeout=TIMEOUT_MS)


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

    def __init__(self, browser, base_url, request, *, device, name):
        self.base_url = base_url.rstrip("/")
        self.context = browser.new_context(
            **device, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=self.base_url,
            service_workers="block")
        self.context.set_default_timeout(TIMEOUT_MS)
        # Nothing but the live server: a request elsewhere is a bug (vendored assets only).
        self.errors = []
        self.context.route(re.compile(r"^(?!" + re.escape(self.base_url) + r"/)"),
                           self._refuse_outside)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"JavaScript: {exc}"))
        self.page.on("response", self._check_asset)
        self.name = name
        self.request = request

    def _refuse_outside(self, route):
        self.errors.append(f"request outside the server: {route.request.url}")
        route.abort()

    def _check_asset(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def login(self, username, password):
        self.goto("/login/")
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(password)
        self.page.locator("form:has(#id_password) button[type=submit]").click()
        expect(self.page).not_to_have_url(re.compile(r"/login/"))
        # Attached, not visible: on a phone the user's name sits in the collapsed menu.
        expect(self.page.get_by_test_id("current-user")).to_be_attached()

    def user_menu(self):
        """Open the header's menu of the person's own things (language, tokens, log out); on a
        narrow screen the folded header first."""
        # The page's stylesheets first: before qiao.css applies, Bootstrap shows the toggler
        # even on a wide screen, and it would vanish under the click.
        self.page.wait_for_load_state("load")
        toggler = self.page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            self.unfold_header()
        self.page.get_by_test_id("user-menu").click()

    def unfold_header(self):
        """Open the header folded behind the toggler, and wait for it to stand still."""
        self.page.locator(".navbar-toggler").click()
        self.page.wait_for_function("() => !document.querySelector('.collapsing')")

    def switch_language(self, code):
        self.user_menu()
        self.page.get_by_test_id(f"language-{code}").click()

    def logout(self):
        self.user_menu()
        self.page.get_by_test_id("logout").click()
        expect(self.page).to_have_url(re.compile(r"/login/"))

    def shot(self, name, *, full_page=True):
        """Keep a screenshot as a test artefact; returns its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        # Icon and CJK fonts load after the page; Bootstrap's fades take .15-.35 s.
        self.page.evaluate("document.fonts.ready.then(() => true)")
        # A function, not an expression string: Playwright evals strings in the page, and
        # the CSP (script-src 'self', no 'unsafe-eval') refuses that.
        self.page.wait_for_function(
            "() => !document.querySelector('.collapsing, .fade:not(.show).active')")
        self.page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    def page_width(self) -> int:
        """The document's scroll width in CSS pixels (wider than the viewport: it overflows),
        once the page's stylesheets are in: unstyled, a table is as wide as its text (a page
        just opened by a click, on a busy machine)."""
        self.page.wait_for_load_state("load")
        return self.page.evaluate("document.documentElement.scrollWidth")

    def widest_elements(self, width, limit=5):
        """What sticks out past `width` CSS pixels: for the failure message."""
        return self.page.evaluate("""([width, limit]) => {
            const out = [];
            for (const el of document.querySelectorAll("body *")) {
                const r = el.getBoundingClientRect();
                if (r.right > width + 1 && r.width > 0) {
                    out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} `
                             + `right=${Math.round(r.right)}`);
                }
            }
            return out.slice(0, limit);
        }""", [width, limit])

    def close(self):
        if self.request.node.stash.get(_FAILED, False):
            # A broken page may not even screenshot; the test's own failure is what matters.
            with contextlib.suppress(Exception):
                self.shot(f"FAILED-{self.request.node.name}-{self.name}")
        self.context.close()


@pytest.fixture
def open_session(browser, live_server, request):
    """open_session(name, device=DESKTOP) → a fresh browser context on the live server."""
    sessions = []

    def open_(name="main", *, device=DESKTOP):
        session = Session(browser, live_server.url, request, device=device, name=name)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()
    for session in sessions:
        assert not session.errors, f"browser problems in {session.name}: {session.errors}"
