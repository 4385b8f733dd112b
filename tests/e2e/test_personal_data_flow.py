"""A person's erasure request in a real browser (C22), in the users' language.

am01 records, on her customer's page, that a contact asked for his data to be erased (个人信息请求:
the person, 删除个人信息, how it was received); it waits for sup1 in 个人信息请求. sup1 reads the
request and the warning on its approval page and approves. The contact is gone from the
customer's contacts, the timeline says the data was erased, the customer keeps its name, and
the contact's name and mobile are nowhere in the database. Screenshots go to
test-artifacts/screenshots/ (personal-data-*.png).
"""

import pytest
from playwright.sync_api import expect

from qiao.customers.models import Contact, PersonalDataRequest
from tests.conftest import PASSWORD
from tests.factories import make_contact

from .conftest import SLOW_MS

pytestmark = pytest.mark.e2e

NAME, MOBILE = "慕容振华", "13655556666"


def test_am01_records_an_erasure_sup1_approves_the_contact_is_gone(personas, open_session):
    customer = personas.customers["am01"][0]
    contact = make_contact(customer, personas["am01"], name=NAME, mobile=MOBILE, title="采购经理")
    s = open_session("desktop")
    s.context.set_default_timeout(SLOW_MS)
    page = s.page

    # 1. am01 records the request on the customer's page.
    s.login("am01", PASSWORD)
    s.goto(f"/customers/{customer.pk}/")
    page.get_by_test_id("personal-data").click()
    expect(page.locator("h1")).to_have_text("个人信息请求")
    form = page.get_by_test_id("personal-data-form")
    form.locator("select[name=person]").select_option(str(contact.pk))
    form.get_by_label("删除个人信息").check()
    form.locator("textarea[name=reason]").fill("本人到营业厅书面申请，已核对身份证原件")
    s.shot("personal-data-01-am01-request")
    page.get_by_test_id("personal-data-submit").click()
    expect(page.get_by_role("alert").filter(has_text="请求已登记，已提交上级审批。")).to_be_visible()
    row = page.get_by_test_id("personal-data-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("personal-data-state")).to_have_text("待审批")
    s.logout()

    # 2. sup1 reads it, with the warning, and approves.
    s.login("sup1", PASSWORD)
    s.goto("/approvals/waiting/")
    page.get_by_test_id("waiting-row").filter(has_text="个人信息请求").click()
    expect(page.get_by_test_id("subject-person")).to_contain_text(NAME)
    expect(page.get_by_test_id("erasure-warning")).to_be_visible()
    s.shot("personal-data-02-sup1-decide")
    decision = page.get_by_test_id("decision-form")
    decision.locator("textarea[name=comment]").fill("身份已核实，同意删除")
    decision.get_by_test_id("approve").click()
    expect(page.get_by_role("alert").filter(has_text="审批意见已记录。")).to_be_visible()
    s.logout()

    # 3. The contact is gone, the customer keeps its name, the timeline says what happened.
    found = PersonalDataRequest.objects.get()
    assert found.state == "approved" and found.done_at is not None
    erased = Contact._base_manager.get(pk=contact.pk)
    assert (erased.name, erased.mobile, erased.is_deleted) == ("（已删除）", "", True)
    s.login("am01", PASSWORD)
    s.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-name")).to_contain_text(customer.name)
    expect(page.locator("body")).not_to_contain_text(NAME)
    s.goto(f"/customers/{customer.pk}/tab/timeline/")
    expect(page.locator("body")).to_contain_text("已按本人请求删除个人信息")
    s.shot("personal-data-03-am01-timeline")
