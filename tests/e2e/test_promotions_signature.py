"""The promotional goods receipt on a phone (390×844): the customer signs on the screen at the
counter, the account manager saves the receipt, and the receipt shows the signature."""

import re

import pytest
from playwright.sync_api import expect

from qiao.promotions.models import Handout
from tests.conftest import PASSWORD
from tests.promotions.factories import confirm_list, make_recommendation

from .conftest import PHONE

pytestmark = pytest.mark.e2e

WIDTH = PHONE["viewport"]["width"]


def _draw(page, canvas, strokes):
    box = canvas.bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
        page.mouse.up()


def _touch_draw(session, canvas, points):
    """A finger on the screen (CDP touch events: pointer events of type "touch" in the page)."""
    cdp = session.context.new_cdp_session(session.page)
    box = canvas.bounding_box()
    at = [{"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]} for x, y in points]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at[0]]})
    for point in at[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_customer_signs_on_a_phone_and_the_receipt_shows_it(personas, open_session, settings,
                                                              tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    confirm_list(rec)
    item = rec.campaign.items.first()

    s = open_session("phone", device=PHONE)
    page = s.page
    s.login("am01", PASSWORD)
    s.goto(f"/promotions/recommendations/{rec.pk}/handout/")
    expect(page.locator("h1")).to_have_text("宣传促销品签收单")
    assert s.page_width() <= WIDTH + 1, s.widest_elements(WIDTH)

    canvas = page.get_by_test_id("signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["width"] > 300 and box["x"] + box["width"] <= WIDTH  # fills the phone's width
    signature = page.locator("[data-signature-input]")

    # A finger's line, and one page scroll would have eaten without touch-action: none; cleared.
    scroll = page.evaluate("window.scrollY")
    _touch_draw(s, canvas, [(0.1, 0.2), (0.2, 0.5), (0.3, 0.8), (0.4, 0.5)])
    expect(signature).to_have_value(re.compile(r"^data:image/png;base64,"))
    assert page.evaluate("window.scrollY") == scroll
    page.get_by_test_id("signature-clear").click()
    expect(signature).to_have_value("")
    # Then the real signature, with the mouse.

    page.locator(f"#id_qty_{item.pk}").fill("3")
    page.locator("#id_signer_name").fill("王采购")
    _draw(page, canvas, [
        [(0.1, 0.6), (0.2, 0.3), (0.3, 0.7), (0.4, 0.35), (0.5, 0.65)],
        [(0.55, 0.5), (0.7, 0.3), (0.8, 0.6), (0.9, 0.4)],
    ])
    expect(signature).to_have_value(re.compile(r"^data:image/png;base64,"))
    s.shot("40-phone-signature", full_page=False)
    page.get_by_test_id("handout-submit").click()

    expect(page).to_have_url(re.compile(r"/promotions/receipts/\d+/$"))
    expect(page.get_by_test_id("receipt-signer")).to_have_text("王采购")
    image = page.get_by_test_id("receipt-signature")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
    assert s.page_width() <= WIDTH + 1, s.widest_elements(WIDTH)
    s.shot("41-phone-receipt")

    # Printed, it is the paper form alone: no menu, no buttons; the signature on the page.
    page.emulate_media(media="print")
    expect(page.locator(".qiao-nav")).to_be_hidden()
    expect(page.get_by_test_id("print")).to_be_hidden()
    expect(image).to_be_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1

    handout = Handout.objects.get()
    assert handout.lines.get().quantity == 3
    assert handout.file.read().startswith(b"\x89PNG")


def test_a_blank_pad_is_refused_in_the_browser(personas, open_session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    confirm_list(rec)
    item = rec.campaign.items.first()
    s = open_session("desktop")
    page = s.page
    s.login("am01", PASSWORD)
    s.goto(f"/promotions/recommendations/{rec.pk}/handout/")
    page.locator(f"#id_qty_{item.pk}").fill("1")
    page.locator("#id_signer_name").fill("王采购")
    page.get_by_test_id("handout-submit").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("客户尚未签名")
    assert not Handout.objects.exists()


def test_the_brand_manager_confirms_the_list_and_managers_recommend_on_a_phone(
        personas, open_session):
    from qiao.promotions.models import Campaign, Recommendation
    from tests.promotions.factories import make_campaign, make_eligible

    campaign = make_campaign(quota=1)
    keep = make_recommendation(personas["am01"], personas.customers["am01"][0], campaign=campaign)
    make_recommendation(personas["am02"], personas.customers["am02"][0], campaign=campaign)
    candidate = make_eligible(personas.customers["am01"][1])

    # am01 recommends another customer, on a phone.
    phone = open_session("phone", device=PHONE)
    phone.login("am01", PASSWORD)
    phone.goto(f"/promotions/{campaign.pk}/recommend/")
    row = phone.page.get_by_test_id("eligible-row").filter(has_text=candidate.name)
    row.click()
    phone.page.locator("#id_reason").fill("新店开业，陈列需求大")
    assert phone.page_width() <= WIDTH + 1, phone.widest_elements(WIDTH)
    phone.page.get_by_test_id("recommend-submit").click()
    expect(phone.page.get_by_test_id("recommendation-row").filter(has_text=candidate.name)
           ).to_contain_text("待确认")

    # The brand manager decides each one and confirms the list.
    desk = open_session("desktop")
    page = desk.page
    page.on("dialog", lambda dialog: dialog.accept())
    desk.login("brandmgr", PASSWORD)
    page.get_by_test_id("nav-promotions-list").click()
    page.get_by_test_id("campaign-row").filter(has_text=campaign.name).click()
    rows = page.get_by_test_id("recommendation-row")
    expect(rows).to_have_count(3)
    desk.shot("42-campaign-detail-brand-manager")
    rows.filter(has_text=keep.customer.name).get_by_test_id("confirm").click()
    expect(page.get_by_test_id("quota")).to_contain_text("已确认 1 / 名额 1")
    for name in (personas.customers["am02"][0].name, candidate.name):
        page.get_by_test_id("recommendation-row").filter(has_text=name) \
            .get_by_test_id("decline").click()
        expect(page.locator(".alert-success")).to_contain_text("已拒绝")
    page.get_by_test_id("confirm-list").click()
    expect(page.locator("[data-state]").first).to_have_text("名单已确认")
    assert Campaign.objects.get(pk=campaign.pk).state == "confirmed"
    assert Recommendation.objects.filter(state="declined").count() == 2
