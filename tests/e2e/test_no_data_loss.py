"""No edit loses data, in a real browser: every edit page of the application (found by
tests/edit_pages.py from the URL resolver), opened on a record with every field filled and saved
without touching anything — in Chinese, and in English — changes no column, no many-to-many and
writes no history row or timeline event. Chromium itself decides what the form sends: what it
cannot read in a date input it shows, and sends, as empty (issue 9's lost dates)."""


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
    written_since,
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
        filler = FILLERS[page.model]
        username = filler.editors[0]
        user = personas[username]
        for index, language in enumerate(LANGUAGES):
            if index and filler.reopen:
                filler.reopen(world, page.pk)
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
            # Saved when the answer is a page without the form's errors (a resubmitted request
            # comes back to its own page).
            with session.page.expect_navigation():
                form.locator("[type=submit]").first.click()
            expect(session.page.locator(".is-invalid, [data-testid=form-errors]")).to_have_count(0)
            changed = differences(before, row(page.model, page.pk))
            written = written_since(elsewhere, page.model)
            if changed or written:
                failures.append(f"{page} in {language}: changed {changed}; wrote {written}")
    assert not failures, "\n".join(failures)
