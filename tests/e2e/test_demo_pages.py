"""The demo as `make demo` shows it: the generated company and customers, seen in a browser.

Proves the pages render the generated data (grades, statuses, contacts, pagination) without
a browser error, and keeps the screenshots the README shows. `QIAO_UPDATE_SCREENSHOTS=1`
copies them to docs/screenshots/ (a normal run never touches docs/).
"""

import os
import shutil

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from qiao.customers.models import Customer
from qiao.demo.generator import SCALES, generate
from tests.conftest import PASSWORD

from .conftest import PROJECT_DIR

pytestmark = pytest.mark.e2e

DOCS = PROJECT_DIR / "docs" / "screenshots"


def publish(path, name):
    if os.environ.get("QIAO_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / name)


def a_rich_customer(username):
    """One of the user's customers with a grade, contacts and most of the profile filled."""
    return (Customer.objects.alive().filter(owner__username=username, grade__isnull=False)
            .exclude(address="").exclude(industry="").exclude(phone="")
            .annotate(n=Count("contacts")).filter(n__gte=2).order_by("-n", "pk").first())


def test_demo_data_list_and_customer_page(transactional_db, open_session, monkeypatch):
    # The demo's generator at a tenth of its size: the same kinds of customers, loaded fast.
    monkeypatch.setitem(SCALES, "demo", 300)
    generate(scale="demo", password=PASSWORD)
    s = open_session()
    page = s.page
    s.login("sup1", PASSWORD)
    page.get_by_test_id("nav-customers-list").click()  # from the desk to the customer list

    table = page.get_by_test_id("customer-table")
    expect(table.locator("tbody tr")).to_have_count(25)  # one page
    expect(page.locator(".pagination")).to_contain_text("1 /")
    expect(table.locator(".badge").first).to_be_visible()
    publish(s.shot("readme-customer-list", full_page=False), "customer-list.png")

    page.get_by_role("link", name="下一页").click()
    expect(page.locator(".pagination")).to_contain_text("2 /")

    customer = a_rich_customer("am01")
    assert customer is not None, "the demo data has no customer with contacts and a grade"
    s.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-name")).to_contain_text(customer.name)
    expect(page.get_by_test_id("tab-contacts")).to_contain_text(str(customer.n))
    publish(s.shot("readme-customer-page", full_page=False), "customer-page.png")

    page.get_by_test_id("tab-contacts").click()
    expect(page.locator("#contacts.active.show")).to_be_visible()
    s.shot("readme-customer-contacts", full_page=False)
