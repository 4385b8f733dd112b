"""Every page needs its vendored CSS and scripts (Bootstrap, Bootstrap Icons, htmx, qiao.css).

They live in src/qiao/static, which only STATICFILES_DIRS makes visible: without it
`collectstatic` (make demo) skips them and every page is unstyled and without htmx.
"""

import pytest

from .conftest import DESKTOP

pytestmark = pytest.mark.e2e


def test_pages_get_their_css_and_scripts(browser, live_server):
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        failures = []
        page.on("response", lambda r: "/static/" in r.url and r.status >= 400
                and failures.append(f"{r.status} {r.url}"))
        page.goto(live_server.url + "/login/")
        page.wait_for_load_state("load")
        assert failures == []
        loaded = page.evaluate("""() => ({
            htmx: typeof window.htmx !== "undefined",
            bootstrap: typeof window.bootstrap !== "undefined",
            buttonColour: getComputedStyle(document.querySelector(".btn-primary")).backgroundColor,
            background: getComputedStyle(document.body).backgroundColor,
        })""")
        assert loaded == {
            "htmx": True, "bootstrap": True,
            "buttonColour": "rgb(13, 110, 253)",  # Bootstrap's primary blue
            "background": "rgb(245, 247, 250)",  # qiao.css
        }
    finally:
        context.close()
