"""The pages: the form (good and bad input), submit, the approval detail with the work order,
stage recording with uploads (forward only, nothing after archive), and query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.approvals.selectors import request_for
from qiao.workorders.models import FLOW, StageAttachment, StageRecord, WorkOrder
from tests.approvals.conftest import page_values

from .factories import approve_all, make_approved_work_order, make_work_order, pdf

pytestmark = pytest.mark.django_db


def form_data(customer, **changes):
    return {"customer": customer.pk, "kind": "new_customer", "title": "首单合作推介",
            "content": "向客户采购部介绍公司产品", "departments": "市场部、创作部",
            "budget": "15000.00", "deadline": "2026-12-31", **changes}


def test_new_form_creates_a_draft_and_the_detail_shows_it(personas, chain):
    client = personas.client("am01")
    page = client.get(reverse("workorders:new"))
    assert page.status_code == 200
    assert "争取新客户" in page.content.decode() and "服务老客户" in page.content.decode()
    response = client.post(reverse("workorders:new"), form_data(personas.customers["am01"][0]))
    wo = WorkOrder.objects.get()
    assert response.status_code == 302 and response.url == reverse("workorders:detail", args=[wo.pk])
    assert (wo.author, wo.stage, wo.budget) == (personas["am01"], "draft", Decimal("15000.00"))
    body = client.get(response.url).content.decode()
    for text in ("首单合作推介", "草稿", "简报", "提案", "合同", "计划", "执行", "评估", "归档",
                 "提交审批", "市场部、创作部"):
        assert text in body, text


@pytest.mark.parametrize("changes, field, message", [
    ({"budget": "-1"}, "budget", "金额不能少于 0"),
    ({"budget": "1e5"}, "budget", "科学计数法"),
    ({"budget": "9999999999.99"}, "budget", "金额不能超过 ¥100,000,000.00"),
    ({"deadline": "9999-12-31"}, "deadline", "之间的日期"),
    ({"deadline": ""}, "deadline", "这个字段是必填项"),
    ({"title": ""}, "title", "这个字段是必填项"),
])
def test_bad_input_answers_400_with_field_messages_and_saves_nothing(personas, chain, changes,
                                                                      field, message):
    response = personas.client("am01").post(
        reverse("workorders:new"), form_data(personas.customers["am01"][0], **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_customer_out_of_scope_is_not_a_choice(personas, chain):
    response = personas.client("am01").post(
        reverse("workorders:new"), form_data(personas.customers["am05"][0]))
    assert response.status_code == 400 and "customer" in response.context["form"].errors
    assert not WorkOrder.objects.exists()


def test_edit_submit_approve_and_record_every_stage_through_the_pages(personas, chain):
    am01 = personas["am01"]
    client = personas.client("am01")
    wo = make_work_order(am01, personas.customers["am01"][0])
    edit = reverse("workorders:edit", args=[wo.pk])
    response = client.post(edit, form_data(personas.customers["am01"][0], title="改后的标题",
                                           version=wo.version))
    assert response.status_code == 302
    wo.refresh_from_db()
    assert wo.title == "改后的标题" and wo.version == 2
    # a stale version is refused (409), nothing written
    response = client.post(edit, form_data(personas.customers["am01"][0], title="旧页面",
                                           version=1))
    assert response.status_code == 409
    wo.refresh_from_db()
    assert wo.title == "改后的标题"
    assert client.post(reverse("workorders:submit", args=[wo.pk])).status_code == 302
    wo.refresh_from_db()
    assert wo.stage == "pending"
    assert client.get(edit).status_code == 302  # no longer editable: back to the page
    approval = request_for(wo)
    # the approval page shows the work order (detail template) to the director
    page = personas.client("director").get(reverse("approvals:detail", args=[approval.pk]))
    assert page.status_code == 200
    assert "改后的标题" in page.content.decode() and "项目内容" in page.content.decode()
    approve_all(wo)
    detail = client.get(reverse("workorders:detail", args=[wo.pk])).content.decode()
    assert reverse("approvals:detail", args=[approval.pk]) in detail
    assert "记录阶段：简报" in detail
    for i, stage in enumerate(FLOW[:-1]):
        wo.refresh_from_db()
        recorder = personas.client("sup1" if i % 2 else "am01")
        response = recorder.post(reverse("workorders:stage_record", args=[wo.pk]), {
            "stage": stage, "version": wo.version, "date": f"2026-12-{i + 1:02d}",
            "people": "市场部 张三", "note": f"{stage} 纪要", "files": [pdf(f"{stage}-1.pdf"),
                                                                    pdf(f"{stage}-2.pdf")]})
        assert response.status_code == 302, response.content.decode()[:500]
    wo.refresh_from_db()
    assert wo.stage == "archived"
    assert StageAttachment.objects.filter(record__work_order=wo).count() == 12
    body = client.get(reverse("workorders:detail", args=[wo.pk])).content.decode()
    assert "contract-1.pdf" in body and 'data-testid="stage-form"' not in body
    # after the archive: refused, with a clear message, nothing written
    response = client.post(reverse("workorders:stage_record", args=[wo.pk]), {
        "stage": "archived", "version": wo.version, "date": "2026-12-20", "people": "x"})
    assert response.status_code == 400
    assert "工作单已归档，不能再记录阶段。" in response.content.decode()
    assert StageRecord.objects.filter(work_order=wo).count() == 6


def test_skipping_a_stage_on_the_page_is_refused(personas, chain):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    response = personas.client("am01").post(reverse("workorders:stage_record", args=[wo.pk]), {
        "stage": "plan", "version": wo.version, "date": "2026-12-01", "people": "市场部",
        "files": [pdf()]})
    assert response.status_code == 400
    assert "不能跳过" in response.content.decode()
    assert 'name="stage" value="briefing"' in response.content.decode()  # the form to use now
    wo.refresh_from_db()
    assert wo.stage == "briefing"
    assert not StageRecord.objects.exists() and not StageAttachment.objects.exists()


def test_stage_form_missing_people_or_bad_file(personas, chain):
    from django.core.files.uploadedfile import SimpleUploadedFile

    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    client = personas.client("am01")
    url = reverse("workorders:stage_record", args=[wo.pk])
    response = client.post(url, {"stage": "briefing", "version": wo.version, "date": "2026-12-01"})
    assert response.status_code == 400 and 'data-testid="error-people"' in response.content.decode()
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(url, {"stage": "briefing", "version": wo.version, "date": "2026-12-01",
                                 "people": "市场部", "files": [bad]})
    assert response.status_code == 400 and 'data-testid="error-files"' in response.content.decode()
    wo.refresh_from_db()
    assert wo.stage == "briefing" and not StageRecord.objects.exists()


def test_return_for_changes_then_resubmit_through_the_pages(personas, chain):
    client = personas.client("am01")
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    client.post(reverse("workorders:submit", args=[wo.pk]))
    approval = request_for(wo)
    task = approval.tasks.get(approver=personas["sup1"])
    response = personas.client("sup1").post(reverse("approvals:decide", args=[approval.pk]), {
        "task": task.pk, "decision": "return", "comment": "请补充有关部门分工"})
    assert response.status_code == 302
    wo.refresh_from_db()
    assert wo.stage == "returned"
    assert "退回修改" in client.get(reverse("workorders:detail", args=[wo.pk])).content.decode()
    response = client.post(reverse("workorders:edit", args=[wo.pk]), form_data(
        personas.customers["am01"][0], departments="市场部、创作部、行政部", version=wo.version))
    assert response.status_code == 302
    assert client.post(reverse("workorders:submit", args=[wo.pk])).status_code == 302
    wo.refresh_from_db()
    approval.refresh_from_db()
    assert wo.stage == "pending" and approval.round == 2 and approval.state == "submitted"
    approve_all(wo)
    assert wo.stage == "briefing"


def test_list_filters_by_stage_and_kind(personas, chain):
    am01 = personas["am01"]
    make_work_order(am01, personas.customers["am01"][0], title="草稿甲", kind="new_customer")
    make_approved_work_order(am01, personas.customers["am01"][1], title="进行中乙",
                             with_attachment=False)
    client = personas.client("am01")
    body = client.get(reverse("workorders:list"), {"stage": "briefing"}).content.decode()
    assert "进行中乙" in body and "草稿甲" not in body
    body = client.get(reverse("workorders:list"), {"kind": "new_customer"}).content.decode()
    assert "草稿甲" in body and "进行中乙" not in body
    body = client.get(reverse("workorders:list"), {"stage": "nonsense"}).content.decode()
    assert "草稿甲" in body and "进行中乙" in body  # a bad filter is ignored
    mine = personas.client("sup1").get(reverse("workorders:list"), {"mine": "on"}).content.decode()
    assert "草稿甲" not in mine
    assert 'data-testid="nav-workorders-list"' in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ("am01", "sup1", "director"))
def test_list_query_count_is_constant(personas, chain, username):
    am01 = personas["am01"]
    customers = personas.customers["am01"]
    for i in range(5):
        make_work_order(am01, customers[i % 2], title=f"项目{i}")
    client = personas.client(username)
    url = reverse("workorders:list")
    client.get(url)  # session, user and the like warmed the same way for both counts
    few = _queries(client, url)
    for i in range(25):
        make_work_order(am01, customers[i % 2], title=f"更多项目{i}")
    assert WorkOrder.objects.count() == 30
    assert _queries(client, url) == few


def test_detail_query_count_is_constant(personas, chain):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0])
    client = personas.client("am01")
    url = reverse("workorders:detail", args=[wo.pk])
    client.get(url)
    one = _queries(client, url)
    from qiao.workorders import services
    for stage in ("proposal", "contract"):
        wo.refresh_from_db()
        services.stage_record(actor=personas["am01"], work_order=wo, stage=stage,
                              date="2026-12-02", people="市场部", files=[pdf(), pdf("b.pdf")])
    assert _queries(client, url) == one


def test_resubmitted_from_the_approval_page_waits_again_and_is_not_editable(personas, chain):
    client = personas.client("am01")
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    client.post(reverse("workorders:submit", args=[wo.pk]))
    approval = request_for(wo)
    task = approval.tasks.get(approver=personas["director"])
    personas.client("director").post(reverse("approvals:decide", args=[approval.pk]), {
        "task": task.pk, "decision": "return", "comment": "预算偏高"})
    # The approval page's form changes the work order (the budget asked about) and resends it
    posted = page_values(approval, personas["am01"], budget="9000.00", comment="预算已下调")
    assert client.post(reverse("approvals:resubmit", args=[approval.pk]), posted).status_code == 302
    wo.refresh_from_db()
    assert wo.stage == "pending"  # the engine tells the subject about the resubmission
    assert wo.budget == Decimal("9000.00")
    detail = client.get(reverse("workorders:detail", args=[wo.pk])).content.decode()
    assert 'data-testid="edit"' not in detail and 'data-testid="submit"' not in detail
    assert client.get(reverse("workorders:edit", args=[wo.pk])).status_code == 302
    response = client.post(reverse("workorders:submit", args=[wo.pk]))
    assert response.status_code == 409
    approve_all(wo)
    assert wo.stage == "briefing"
