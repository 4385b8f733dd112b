"""Reads of work orders, each starting from `WorkOrder.objects.visible_to(user)`."""

from django.db.models import Prefetch
from django.http import Http404

from qiao.approvals.models import ApprovalRequest
from qiao.approvals.selectors import request_for

from .models import FLOW, STAGE_HINTS, StageAttachment, StageRecord, WorkOrder


def work_order_list(user, *, stage="", kind="", mine=False):
    """The work orders `user` sees, newest first; two queries per page whatever the size."""
    rows = WorkOrder.objects.visible_to(user).select_related("customer", "author")
    if mine:
        rows = rows.filter(author=user)
    if stage:
        rows = rows.filter(stage=stage)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-id")


def work_order_get(user, pk) -> WorkOrder:
    try:
        return (WorkOrder.objects.visible_to(user)
                .select_related("customer", "author").get(pk=pk))
    except (WorkOrder.DoesNotExist, ValueError):
        raise Http404 from None


def attachment_get(user, pk) -> StageAttachment:
    try:
        return StageAttachment.objects.visible_to(user).get(pk=pk)
    except (StageAttachment.DoesNotExist, ValueError):
        raise Http404 from None



def work_order_steps(work_order):
    """[(stage, hint, record or None, state)] for the flow, state one of done / current /
    todo; one query for the records and one for their files."""
    records = {r.stage: r for r in StageRecord.objects.filter(work_order=work_order)
               .select_related("recorded_by")
               .prefetch_related(Prefetch("attachments",
                                          queryset=StageAttachment.objects.order_by("id")))}
    current = work_order.stage
    index = FLOW.index(current) if current in FLOW else -1
    steps = []
    for i, stage in enumerate(FLOW):
        if index < 0 or i > index:
            state = "todo"
        elif i < index or stage == FLOW[-1]:
            state = "done"
        else:
            state = "current"
        steps.append((stage, STAGE_HINTS[stage], records.get(stage), state))
    return steps


def work_order_approval(work_order) -> ApprovalRequest | None:
    """Where its approval stands: the latest request (the caller has checked the work order)."""
    return request_for(work_order)
