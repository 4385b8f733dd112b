"""The approval screens of the demo as people use them: the supervisor's queue and a request
with its chain, delegation, the inbox, work orders with their stages, a promotion campaign and
a signed receipt — on a desktop and at phone width, where nothing may stick out sideways.

Screenshots go to test-artifacts/screenshots/ (`QIAO_UPDATE_SCREENSHOTS=1` also copies the
README's to docs/screenshots/)."""

import pytest
from playwright.sync_api import expect

from qiao.approvals.models import ApprovalTask
from qiao.demo.generator import SCALES, generate
from qiao.promotions.demo import load_demo_promotions
from qiao.promotions.models import Campaign, Handout
from qiao.visits.demo import load_demo_visits
from qiao.workorders.demo import load_demo_workorders
from qiao.workorders.models import WorkOrder
from tests.conftest import PASSWORD

from .conftest import PHONE
from .test_demo_pages import publish

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setitem(SCALES, "demo", 300)
    generate(scale="demo", password=PASSWORD)
    load_demo_visits()
    load_demo_workorders()
    load_demo_promotions()


def fits(session, label):
    width = session.page.viewport_size["width"]
    assert session.page_width() <= width, (label, session.widest_elements(width))


def visit(session, device, path, shot):
    """Open `path`; at phone width nothing may stick out. Returns the screenshot's path."""
    session.goto(path)
    expect(session.page.locator("main")).to_be_visible()
    if device == "phone":
        fits(session, shot)
    return session.shot(f"{shot}-{device}", full_page=device != "phone")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_approval_screens_with_demo_content(demo, open_session, device):
    def login(username):
        session = open_session(f"{username}-{device}", **({"device": PHONE} if device == "phone" else {}))
        session.login(username, PASSWORD)
        return session

    sup = login("sup1")
    visit(sup, device, "/approvals/waiting/", "approvals-waiting")
    expect(sup.page.get_by_test_id("waiting-row").first).to_be_visible()
    task = (ApprovalTask.objects.filter(approver__username="sup1", state="waiting")
            .order_by("id").first())
    shot = visit(sup, device, f"/approvals/{task.request_id}/", "approval-detail")
    expect(sup.page.get_by_test_id("decision-form")).to_be_visible()
    if device == "desktop":
        publish(shot, "approval-detail.png")
    visit(sup, device, "/approvals/delegations/", "approval-delegations")
    expect(sup.page.get_by_test_id("delegation-form")).to_be_visible()
    visit(sup, device, "/inbox/", "inbox")

    am = login("am01")
    visit(am, device, "/workorders/", "workorders-list")
    archived = WorkOrder.objects.filter(stage="archived").order_by("pk").first()
    shot = visit(am if archived.author.username == "am01" else sup, device,
                 f"/workorders/{archived.pk}/", "workorder-detail")
    if device == "desktop":
        publish(shot, "workorder-detail.png")
    visit(am, device, "/approvals/mine/", "approvals-mine")

    brand = login("brandmgr")
    visit(brand, device, "/promotions/", "promotions-list")
    confirmed = Campaign.objects.get(state="confirmed")
    visit(brand, device, f"/promotions/{confirmed.pk}/", "promotion-campaign")
    receipt = Handout.objects.order_by("pk").first()
    shot = visit(brand, device, f"/promotions/receipts/{receipt.pk}/", "promotion-receipt")
    expect(brand.page.locator("img[src$='signature.png']")).to_be_visible()
    if device == "desktop":
        publish(shot, "promotion-receipt.png")
