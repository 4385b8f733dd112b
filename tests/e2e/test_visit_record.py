"""A visit recorded on a phone (390×844) in zh-Hans: the account manager opens the customer's
visits tab, starts a visit record, signs in, ticks the checklist and the person met, writes a
commitment, the customer signs on the screen, and the signed record shows; a resend of the same
page stores nothing twice."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qiao.visits.demo import ensure_visit_rules
from qiao.visits.models import Commitment, Visit
from tests.conftest import PASSWORD
from tests.factories import make_contact

from .conftest import PHONE
from .test_promotions_signature import _draw

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]


def test_a_visit_is_recorded_with_a_signature_on_a_phone(personas, open_session, settings,
                                                         tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_visit_rules()
    customer = personas.customers["am01"][0]
    grade = next(g for g in personas.grades if g.rank == 1)
    type(customer).objects.filter(pk=customer.pk).update(grade=grade)
    make_contact(customer, personas["am01"], name="钱经理", title="采购经理",
                 has_decision_power=True)

    s = open_session("phone", device=PHONE)
    page = s.page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 31.2304, "longitude": 121.4737, "accuracy": 15})
    s.login("am01", PASSWORD)
    s.goto(f"/customers/{customer.pk}/tab/visits/")
    page.get_by_test_id("customer-new-visit").click()
    expect(page.locator("h1")).to_have_text("拜访报告")
    expect(page.get_by_test_id("visit-customer")).to_contain_text("每 7 天拜访一次")
    assert s.page_width() <= WIDTH + 1, s.widest_elements(WIDTH)

    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("sign-in-status")).to_contain_text("已记录位置")
    page.get_by_label("钱经理 · 采购经理 · 有决策权").check()
    page.get_by_label("向客户传递公司的信息").check()
    page.get_by_label("指导、培训客户").check()
    page.locator("#id_findings").fill("柜台陈列整齐，畅销品库存偏低。")
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    page.locator("#id_commitment_1").fill("下周一前补送畅销品 20 件")
    page.locator("#id_commitment_1_due").fill(due)
    page.locator("#id_signer_name").fill("钱经理")
    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] > 300 and box["x"] + box["width"] <= WIDTH
    _draw(page, canvas, [[(0.1, 0.6), (0.2, 0.3), (0.3, 0.7), (0.4, 0.35), (0.5, 0.65)],
                         [(0.55, 0.5), (0.7, 0.3), (0.8, 0.6), (0.9, 0.4)]])
    expect(page.locator("[data-signature-input]")).to_have_value(
        re.compile(r"^data:image/png;base64,"))
    assert s.page_width() <= WIDTH + 1, s.widest_elements(WIDTH)
    s.shot("60-phone-visit-form", full_page=True)
    # The same form sent twice more before the tap (a resend on a flaky network, a double
    # tap): the server stores it once.
    statuses = page.evaluate("""async () => {
        const form = document.querySelector('[data-testid=visit-form]');
        const send = () => fetch(location.href, {method: 'POST', body: new FormData(form)});
        return [(await send()).status, (await send()).status];
    }""")
    assert statuses == [200, 200], statuses  # each answered with the stored record's page
    page.get_by_test_id("visit-submit").click()

    expect(page).to_have_url(re.compile(r"/visits/\d+/$"))
    expect(page.get_by_test_id("visit-signer")).to_contain_text("钱经理")
    expect(page.get_by_test_id("visit-people")).to_contain_text("有决策权")
    expect(page.get_by_test_id("visit-sign-in")).to_contain_text("31.23")
    image = page.get_by_test_id("visit-signature")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
    expect(page.get_by_test_id("commitment")).to_contain_text("下周一前补送畅销品 20 件")
    assert s.page_width() <= WIDTH + 1, s.widest_elements(WIDTH)
    s.shot("61-phone-visit-record")

    # Printed: the record alone, with its signature; no menu, buttons or commitment forms.
    page.emulate_media(media="print")
    expect(page.locator(".qiao-nav")).to_be_hidden()
    expect(page.get_by_test_id("print")).to_be_hidden()
    expect(page.get_by_test_id("fulfil-form")).to_be_hidden()
    expect(image).to_be_visible()
    assert page.pdf(format="A4", prefer_css_page_size=True).startswith(b"%PDF")
    page.emulate_media(media="screen")

    # The manager's list and start page, on the phone too.
    s.goto("/visits/")
    expect(page.get_by_test_id("visit-row")).to_have_count(1)
    assert s.page_width() <= WIDTH + 1, s.widest_elements(WIDTH)
    s.shot("62-phone-visit-list")
    s.goto("/")
    expect(page.get_by_test_id("desk-commitments")).to_be_visible()

    visit = Visit.objects.get()
    assert visit.tasks == ["inform", "training"] and visit.latitude == pytest.approx(31.2304)
    assert visit.file.read().startswith(b"\x89PNG")
    assert Commitment.objects.get().due_on.isoformat() == due

    assert Visit.objects.count() == 1
