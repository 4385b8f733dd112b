"""No edit loses data, in a real browser: every edit page of the application (found by
tests/edit_pages.py from the URL resolver), opened on a record with every field filled and saved
without touching anything — in Chinese, and in English — changes no column, no many-to-many and
writes no history row or timeline event. Chromium itself decides what the form sends: what it
cannot read in a date input it shows, and sends, as empty (issue 9's lost dates)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.edit_pages import (
    FILLERS,
    LANGUAGES,
    build_world,
    differences,
    discover,
    row,
    written_elsewhere,
)

pytestmark = pytest.mark.e2e


def test_every_edit_page_saved_unchanged_in_the_browser_changes_nothing(personas, open_session,
                                                                        settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(personas)
    found = discover(world)
    found.check()
    assert {page.route for page in found.pages} >= {"customers:edit", "customers:contact_edit",
                                                    "workorders:edit", "promotions:edit"}
    failures = []
    for page in found.pages:
        username = FILLERS[page.model].editors[0]
        user = personas[username]
        for language in LANGUAGES:
            user.language = language
            user.save(update_fields=["language"])
            session = open_session(f"{page.route}-{language}")
            session.login(username, PASSWORD)
            session.goto(page.url)
            expect(session.page.locator("html")).to_have_attribute("lang", language)
            if language == "zh-hans":
                session.shot(f"edit-unchanged-{page.route.replace(':', '-')}")
            before, elsewhere = row(page.model, page.pk), written_elsewhere()
            field = next(name for name in page.fields
                         if session.page.locator(f'[name="{name}"]:visible').count())
            form = session.page.locator("form[method=post]").filter(
                has=session.page.locator(f'[name="{field}"]'))
            form.locator("[type=submit]").first.click()
            expect(session.page).not_to_have_url(re.compile(re.escape(page.url) + "$"))
            changed = differences(before, row(page.model, page.pk))
            written = differences(elsewhere, written_elsewhere())
            if changed or written:
                failures.append(f"{page} in {language}: changed {changed}; wrote {written}")
    assert not failures, "\n".join(failures)
