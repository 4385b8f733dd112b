"""The public pool and a reveal, in the browser: am01 claims a customer of the region's pool,
opens it, reveals its phone number with one click, and sup1 (am01's supervisor) finds that
reveal in the operation log. Also on a phone: the pool fits the screen."""

import re

import pytest
from playwright.sync_api import expect

from qiao.customers.models import Customer
from tests.conftest import PASSWORD
from tests.factories import make_contact

from .conftest import PHONE

pytestmark = pytest.mark.e2e

POOL_PHONE = "021-68881234"  # as PhoneField stores it


@pytest.fixture
def pool_customer(personas):
    customer = personas.customers["pool:华东区"][0]
    Customer.objects.filter(pk=customer.pk).update(name="浦江公海五金店", phone=POOL_PHONE)
    make_contact(customer, personas["director"], name="赵老板", mobile="13977776666")
    return Customer.objects.get(pk=customer.pk)


def test_claim_reveal_and_the_supervisor_sees_it(personas, pool_customer, open_session):
    am = open_session("am01")
    page = am.page
    page.on("dialog", lambda dialog: dialog.accept())  # the claim asks for confirmation
    am.login("am01", PASSWORD)
    am.goto("/customers/pool/")
    row = page.get_by_test_id("pool-row").filter(has_text="浦江公海五金店")
    expect(row).to_contain_text("021****1234")
    expect(row).to_contain_text("139****6666")
    assert "13977776666" not in page.content() and "68881234" not in page.content()
    am.shot("30-pool")
    row.get_by_test_id("claim").click()

    # Now am01's own customer: masked on its page until revealed, one click, in place.
    am.goto(f"/customers/{pool_customer.pk}/")
    expect(page.get_by_test_id("customer-name")).to_contain_text("浦江公海五金店")
    phone = page.get_by_test_id("sensitive-phone")
    expect(phone).to_contain_text("021****1234")
    page.get_by_test_id("reveal-phone").click()
    expect(page.get_by_test_id("revealed-phone")).to_have_text(POOL_PHONE)
    am.shot("31-revealed-phone")

    sup = open_session("sup1")
    sup.login("sup1", PASSWORD)
    sup.goto("/audit/?action=reveal")
    reveal = sup.page.locator("tr[data-action=reveal]")
    expect(reveal).to_have_count(1)
    expect(reveal).to_contain_text("am01")
    expect(reveal).to_contain_text("浦江公海五金店")
    assert "68881234" not in sup.page.content()
    sup.shot("32-log-with-reveal")


def test_pool_fits_a_phone(personas, pool_customer, open_session):
    s = open_session("phone", device=PHONE)
    s.login("am01", PASSWORD)
    s.goto("/customers/pool/")
    expect(s.page.get_by_test_id("pool-row").filter(has_text="浦江公海五金店")).to_be_visible()
    width = s.page_width()
    assert width <= PHONE["viewport"]["width"] + 1, s.widest_elements(PHONE["viewport"]["width"])
    expect(s.page.get_by_test_id("claim").first).to_be_visible()
    s.shot("33-phone-pool")
    assert re.search(r"/customers/pool/", s.page.url)
