"""Out of scope → 404 on every work-order route; lists show only visible work orders."""

import pytest
from django.urls import reverse

from qiao.workorders.models import StageAttachment, StageRecord, WorkOrder

from .factories import make_approved_work_order, make_work_order

pytestmark = pytest.mark.django_db

SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}
ALL = ("director", "deptmgr", "region1", "region2", "sup1", "sup2", "am01", "am02", "am03", "am05",
       "agent01", "qa01", "admin", "brandmgr")


@pytest.fixture
def am01_order(personas, chain):
    return make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                    title="甲客户陈列项目")


@pytest.mark.parametrize("username", ALL)
def test_detail_and_attachment_404_outside_scope(personas, am01_order, username):
    client = personas.client(username)
    attachment = StageAttachment.objects.get(record__work_order=am01_order)
    detail = client.get(reverse("workorders:detail", args=[am01_order.pk]))
    download = client.get(reverse("workorders:attachment", args=[attachment.pk]))
    if username in SEES_AM01:
        assert detail.status_code == 200
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    else:
        assert detail.status_code == 404
        assert download.status_code == 404


@pytest.mark.parametrize("username", ("am02", "am03", "am05"))
def test_other_managers_cannot_touch_am01s_work_order(personas, chain, username):
    am01 = personas["am01"]
    draft = make_work_order(am01, personas.customers["am01"][0], title="甲草稿")
    running = make_approved_work_order(am01, personas.customers["am01"][1], title="甲进行中")
    attachment = StageAttachment.objects.get(record__work_order=running)
    client = personas.client(username)
    for url, data in [
        (reverse("workorders:detail", args=[draft.pk]), None),
        (reverse("workorders:edit", args=[draft.pk]), None),
        (reverse("workorders:edit", args=[draft.pk]), {"title": "改"}),
        (reverse("workorders:submit", args=[draft.pk]), {}),
        (reverse("workorders:stage_record", args=[running.pk]),
         {"stage": "proposal", "version": running.version, "date": "2026-12-01",
          "people": "x"}),
        (reverse("workorders:attachment", args=[attachment.pk]), None),
    ]:
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code == 404, url
    draft.refresh_from_db()
    running.refresh_from_db()
    assert (draft.stage, draft.version, draft.title) == ("draft", 1, "甲草稿")
    assert running.stage == "proposal" and StageRecord.objects.filter(work_order=running).count() == 1
    page = client.get(reverse("workorders:list")).content.decode()
    assert "甲草稿" not in page and "甲进行中" not in page


def test_supervisor_sees_but_may_not_edit_or_submit(personas, chain):
    draft = make_work_order(personas["am01"], personas.customers["am01"][0])
    client = personas.client("sup1")
    assert client.get(reverse("workorders:edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("workorders:submit", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.stage == "draft"


@pytest.mark.parametrize("username", ALL)
def test_list_shows_exactly_the_visible(personas, chain, username):
    for manager in ("am01", "am02", "am03", "am05"):
        make_work_order(personas[manager], personas.customers[manager][0], title=f"项目-{manager}")
    response = personas.client(username).get(reverse("workorders:list"))
    if username in ("agent01", "qa01", "admin", "brandmgr"):
        assert response.status_code == 404  # no approval.request action
        return
    assert response.status_code == 200
    page = response.content.decode()
    visible = set(WorkOrder.objects.visible_to(personas[username]).values_list("title", flat=True))
    for manager in ("am01", "am02", "am03", "am05"):
        assert (f"项目-{manager}" in page) is (f"项目-{manager}" in visible)
    expected = {"am01": {"项目-am01"}, "sup1": {"项目-am01", "项目-am02"},
                "region1": {"项目-am01", "项目-am02", "项目-am03"},
                "region2": {"项目-am05"}, "am05": {"项目-am05"},
                "director": {"项目-am01", "项目-am02", "项目-am03", "项目-am05"}}
    if username in expected:
        assert visible == expected[username]


def test_anonymous_is_sent_to_login(personas, am01_order):
    from django.test import Client

    response = Client().get(reverse("workorders:detail", args=[am01_order.pk]))
    assert response.status_code == 302
