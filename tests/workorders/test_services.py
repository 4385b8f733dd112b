from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from qiao.approvals import services as approvals
from qiao.approvals.models import ApprovalRequest, Chain
from qiao.approvals.selectors import request_for
from qiao.core.exceptions import ConflictError
from qiao.workorders import services
from qiao.workorders.models import FLOW, StageAttachment, StageRecord, WorkOrder

from .factories import approve_all, make_approved_work_order, make_work_order, pdf

pytestmark = pytest.mark.django_db


def test_full_workflow_draft_to_archived(personas, chain):
    am01 = personas["am01"]
    wo = make_work_order(am01, personas.customers["am01"][0])
    assert wo.stage == "draft" and wo.is_editable
    request = services.work_order_submit(actor=am01, work_order=wo)
    wo.refresh_from_db()
    assert wo.stage == "pending"
    assert request.type_code == "work_order" and request.amount == Decimal("12000.00")
    # Two signatures of the same order: the customer director and am01's supervisor, in parallel.
    tasks = list(request.tasks.order_by("id"))
    assert {t.approver.username for t in tasks} == {"director", "sup1"}
    assert {t.order for t in tasks} == {1} and all(t.state == "waiting" for t in tasks)
    sup_task = next(t for t in tasks if t.approver.username == "sup1")
    approvals.task_approve(actor=personas["sup1"], task=sup_task)
    wo.refresh_from_db()
    assert wo.stage == "pending"  # the director has not signed yet
    approve_all(wo)
    assert wo.stage == "briefing"
    assert request_for(wo).state == ApprovalRequest.State.APPROVED
    for i, stage in enumerate(FLOW[:-1]):
        recorder = personas["sup1"] if i % 2 else am01  # the supervisor may record too
        files = [pdf(f"{stage}.pdf")] if stage in ("contract", "evaluation") else []
        services.stage_record(actor=recorder, work_order=wo, stage=stage, date=date(2026, 12, i + 1),
                              people="市场部、客户采购部", note=f"{stage} 完成", files=files)
        wo.refresh_from_db()
        assert wo.stage == FLOW[i + 1]
    assert wo.stage == "archived"
    assert list(StageRecord.objects.filter(work_order=wo).values_list("stage", flat=True)) == \
        list(FLOW[:-1])
    assert StageAttachment.objects.filter(record__work_order=wo).count() == 2


def test_skipping_a_stage_is_refused_and_nothing_written(personas, chain):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    before = (wo.version, StageRecord.objects.count(), StageAttachment.objects.count(),
              wo.history.count())
    with pytest.raises(ValidationError) as caught:
        services.stage_record(actor=personas["am01"], work_order=wo, stage="contract",
                              date=date(2026, 12, 1), people="市场部", files=[pdf()])
    assert "一次只能前进一个阶段" in " ".join(caught.value.messages)
    assert "简报" in " ".join(caught.value.messages)
    wo.refresh_from_db()
    assert wo.stage == "briefing"
    assert (wo.version, StageRecord.objects.count(), StageAttachment.objects.count(),
            wo.history.count()) == before


def test_recording_after_archive_is_refused(personas, chain):
    am01 = personas["am01"]
    wo = make_approved_work_order(am01, personas.customers["am01"][0], with_attachment=False)
    for stage in FLOW[:-1]:
        services.stage_record(actor=am01, work_order=wo, stage=stage, date=date(2026, 12, 1),
                              people="市场部")
        wo.refresh_from_db()
    count = StageRecord.objects.count()
    for stage in ("archived", "evaluation"):
        with pytest.raises(ValidationError) as caught:
            services.stage_record(actor=am01, work_order=wo, stage=stage, date=date(2026, 12, 2),
                                  people="市场部")
        assert "已归档" in " ".join(caught.value.messages)
    assert StageRecord.objects.count() == count


def test_no_stage_before_approval(personas, chain):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    with pytest.raises(ValidationError) as caught:
        services.stage_record(actor=personas["am01"], work_order=wo, stage="briefing",
                              date=date(2026, 12, 1), people="市场部")
    assert "批准" in " ".join(caught.value.messages)
    assert not StageRecord.objects.exists()


def test_bad_upload_refused_nothing_written(personas, chain):
    from django.core.files.uploadedfile import SimpleUploadedFile

    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    fake = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.stage_record(actor=personas["am01"], work_order=wo, stage="briefing",
                              date=date(2026, 12, 1), people="市场部", files=[fake])
    wo.refresh_from_db()
    assert wo.stage == "briefing" and not StageRecord.objects.exists()


def test_return_for_changes_then_resubmit(personas, chain):
    am01 = personas["am01"]
    wo = make_work_order(am01, personas.customers["am01"][0])
    request = services.work_order_submit(actor=am01, work_order=wo)
    task = request.tasks.get(approver=personas["director"])
    approvals.task_return(actor=personas["director"], task=task, comment="请补充预算明细")
    wo.refresh_from_db()
    assert wo.stage == "returned" and wo.is_editable
    services.work_order_update(actor=am01, work_order=wo, expected_version=wo.version,
                               data={"budget": Decimal("15000.00"), "content": "补充了预算明细"})
    wo.refresh_from_db()
    again = services.work_order_submit(actor=am01, work_order=wo)
    assert again.pk == request.pk and again.round == 2 and again.amount == Decimal("15000.00")
    wo.refresh_from_db()
    assert wo.stage == "pending"
    with pytest.raises(ConflictError):  # not editable while waiting
        services.work_order_update(actor=am01, work_order=wo, expected_version=wo.version,
                                   data={"title": "改"})
    approve_all(wo)
    assert wo.stage == "briefing"


def test_rejected_is_closed_and_withdrawn_goes_back_to_draft(personas, chain):
    am01 = personas["am01"]
    wo = make_work_order(am01, personas.customers["am01"][0])
    request = services.work_order_submit(actor=am01, work_order=wo)
    approvals.task_reject(actor=personas["sup1"], task=request.tasks.get(approver=personas["sup1"]),
                          comment="不批")
    wo.refresh_from_db()
    assert wo.stage == "rejected" and not wo.is_editable
    with pytest.raises(ConflictError):
        services.work_order_submit(actor=am01, work_order=wo)
    other = make_work_order(am01, personas.customers["am01"][1])
    request = services.work_order_submit(actor=am01, work_order=other)
    approvals.request_withdraw(actor=am01, request=request)
    other.refresh_from_db()
    assert other.stage == "draft"
    fresh = services.work_order_submit(actor=am01, work_order=other)  # a new request
    assert fresh.pk != request.pk


def test_submit_without_chain_refused_nothing_written(personas):
    Chain.objects.filter(type_code="work_order").delete()
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    with pytest.raises(ValidationError):
        services.work_order_submit(actor=personas["am01"], work_order=wo)
    wo.refresh_from_db()
    assert wo.stage == "draft" and not ApprovalRequest.objects.exists()


def test_only_visible_customers(personas, chain):
    with pytest.raises(ValidationError) as caught:
        make_work_order(personas["am01"], personas.customers["am05"][0])
    assert "customer" in caught.value.message_dict
    assert not WorkOrder.objects.exists()


def test_history_records_author(personas, chain):
    am01 = personas["am01"]
    wo = make_approved_work_order(am01, personas.customers["am01"][0])
    users = list(wo.history.order_by("history_date").values_list("history_user__username",
                                                                   flat=True))
    assert users[0] == "am01"  # created
    assert "director" in users or "sup1" in users  # the approval moved it to briefing
    assert users[-1] == "am01"  # the briefing recorded
    record = StageRecord.objects.get(work_order=wo)
    assert record.history.get().history_user == am01
    attachment = StageAttachment.objects.get(record=record)
    assert attachment.history.get().history_user == am01


def test_visible_to_follows_customer(personas, chain):
    wo = make_work_order(personas["am01"], personas.customers["am01"][0])
    for username, sees in [("am01", True), ("sup1", True), ("region1", True), ("director", True),
                           ("deptmgr", True), ("am02", False), ("am03", False), ("am05", False),
                           ("agent01", False)]:
        assert WorkOrder.objects.visible_to(personas[username]).filter(pk=wo.pk).exists() is sees, \
            username


def test_two_recorders_of_one_stage_only_one_goes_on(personas, chain):
    wo = make_approved_work_order(personas["am01"], personas.customers["am01"][0],
                                  with_attachment=False)
    stale = WorkOrder.objects.get(pk=wo.pk)  # the second person opened the page meanwhile
    services.stage_record(actor=personas["am01"], work_order=wo, stage="briefing",
                          date=date(2026, 12, 1), people="市场部", expected_version=wo.version)
    with pytest.raises(ConflictError):
        services.stage_record(actor=personas["sup1"], work_order=stale, stage="briefing",
                              date=date(2026, 12, 1), people="创作部",
                              expected_version=stale.version, files=[pdf()])
    wo.refresh_from_db()
    assert wo.stage == "proposal"
    assert StageRecord.objects.get(work_order=wo).people == "市场部"
    assert not StageAttachment.objects.exists()
