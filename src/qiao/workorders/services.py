"""Every change to a work order: create, edit, submit for approval, the approval's outcome, and
the stage records. Each runs in one transaction, names its author in the history and writes a
line on the customer's timeline."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.approvals import services as approvals
from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.approvals.models import ApprovalRequest
from qiao.approvals.selectors import request_for
from qiao.core.concurrency import field_values, save_versioned
from qiao.core.exceptions import ConflictError
from qiao.core.files import check_upload, store
from qiao.core.history import authored_by
from qiao.core.registry import TimelineKind
from qiao.customers.models import Customer
from qiao.customers.services import customer_event_record
from qiao.org.permissions import can

from .models import EDITABLE, RECORDED, Stage, StageAttachment, StageRecord, WorkOrder

TYPE_CODE = "work_order"
FIELDS = ("customer", "kind", "title", "content", "departments", "budget", "deadline")
Approval = ApprovalRequest.State


# The kinds of its lines on the customer's timeline (registered in apps.ready, composed when
# read in the reader's language). A stage done is work with the customer (its people take part):
# a follow-up of the customer; the rest of a work order's events are paperwork.
STAGE_DONE = "work_order_stage"


def _stage_label(code) -> str:
    return str(Stage(code).label) if code in Stage.values else str(code)


def _stage_text(template):
    def text(params) -> str:
        return template % {"title": params["title"], "stage": _stage_label(params["stage"])}
    return text


TIMELINE_KINDS = (
    TimelineKind("work_order_created", gettext_lazy("Work order created: %(title)s"),
                 "bi-clipboard-plus", params=("title",)),
    TimelineKind("work_order_submitted",
                 gettext_lazy("Work order submitted for approval: %(title)s"), "bi-send",
                 params=("title",)),
    TimelineKind("work_order_decided", _stage_text(gettext_lazy("Work order %(title)s: %(stage)s")),
                 "bi-clipboard-check", params=("title", "stage")),
    TimelineKind(STAGE_DONE, _stage_text(gettext_lazy("Work order %(title)s: %(stage)s done")),
                 "bi-clipboard-check", follow_up=True, params=("title", "stage")),
)


def _timeline(work_order, actor, kind, **params):
    customer_event_record(work_order.customer, kind, actor=actor, link=work_order,
                          params={"title": work_order.title, **params},
                          data={"work_order": work_order.pk})


def _clean(work_order):
    for name in ("title", "content", "departments"):
        setattr(work_order, name, (getattr(work_order, name) or "").strip())
    work_order.full_clean()


@transaction.atomic
def work_order_create(*, actor, data) -> WorkOrder:
    """A draft work order by `actor` (its account manager) for a customer they see."""
    if not can(actor, APPROVAL_REQUEST):
        raise PermissionDenied
    customer = data.get("customer")
    if customer is None or not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("Choose one of your customers.")})
    work_order = WorkOrder(author=actor, stage=Stage.DRAFT, **{k: data.get(k) for k in FIELDS})
    _clean(work_order)
    authored_by(work_order, actor).save()
    _timeline(work_order, actor, "work_order_created")
    return work_order


def open_for_changes(work_order, request=None) -> bool:
    """A draft or a returned work order whose approval is not under way (checked on the request
    too, so that a work order is never changed while someone is signing it)."""
    request = request or request_for(work_order)
    return work_order.stage in EDITABLE and not (request is not None and request.is_open)


def _own_editable(actor, work_order):
    if work_order.author_id != actor.pk:
        raise PermissionDenied
    request = request_for(work_order)
    if not open_for_changes(work_order, request):
        raise ConflictError(_("The work order is %s; only a draft or one returned for changes "
                              "can be changed.") % work_order.get_stage_display())
    return request


@transaction.atomic
def work_order_update(*, actor, work_order, data, expected_version) -> WorkOrder:
    """The author changes a draft or a returned work order (optimistic concurrency); an edit
    that changes nothing writes nothing."""
    _own_editable(actor, work_order)
    before = field_values(work_order, FIELDS)
    customer = data.get("customer", work_order.customer)
    if customer.pk != work_order.customer_id and not (
            Customer.objects.visible_to(actor).filter(pk=customer.pk).exists()):
        raise ValidationError({"customer": _("Choose one of your customers.")})
    for name in FIELDS:
        if name in data:
            setattr(work_order, name, data[name])
    _clean(work_order)
    if field_values(work_order, FIELDS) == before:
        return work_order
    save_versioned(authored_by(work_order, actor), expected_version=expected_version,
                   change_reason="edited")
    return work_order


@transaction.atomic
def work_order_submit(*, actor, work_order) -> ApprovalRequest:
    """Ask the customer director and the supervisor to sign: a new approval request, or the
    returned one again (a new round). Refused, with nothing written, when no chain is set up."""
    request = _own_editable(actor, work_order)
    if request is not None and request.state == Approval.RETURNED:
        # a new round; the engine's on_decided (work_order_decided) marks the work order pending
        return approvals.request_resubmit(actor=actor, request=request)
    version = work_order.version
    request = approvals.request_submit(actor=actor, type_code=TYPE_CODE, subject=work_order)
    work_order.stage = Stage.PENDING
    save_versioned(authored_by(work_order, actor), expected_version=version,
                   change_reason="submitted")
    _timeline(work_order, actor, "work_order_submitted")
    return request


def work_order_edit_returned(work_order, data, actor):
    """The approval engine's on_edit: the author's changes to a work order returned for
    changes, made while resubmitting it from the approval page (inside the engine's
    transaction; `data` is the valid WorkOrderForm's, its `version` the one the page read)."""
    work_order_update(actor=actor, work_order=work_order,
                      data={k: v for k, v in data.items() if k != "version"},
                      expected_version=data.get("version") or work_order.version)


def approval_title(params) -> str:
    """The approval request's title, in the reader's language."""
    return _("Work order: %(title)s (%(customer)s)") % params


def approval_title_params(work_order) -> dict:
    return {"title": work_order.title, "customer": work_order.customer.name}


# approved → briefing; rejected → closed as rejected; returned → editable again; withdrawn →
# back to draft (the author may change it and submit again, which raises a new request).
OUTCOMES = {
    Approval.SUBMITTED: Stage.PENDING,  # resubmitted after a return
    Approval.APPROVED: Stage.BRIEFING,
    Approval.REJECTED: Stage.REJECTED,
    Approval.RETURNED: Stage.RETURNED,
    Approval.WITHDRAWN: Stage.DRAFT,
}


def work_order_decided(request, actor):
    """The approval engine's on_decided: runs inside its transaction (raising undoes the
    approver's action)."""
    stage = OUTCOMES.get(request.state)
    if stage is None:
        return
    work_order = WorkOrder.objects.select_related("customer").get(pk=request.object_id)
    work_order.stage = stage
    save_versioned(authored_by(work_order, actor), expected_version=work_order.version,
                   change_reason=f"approval {request.state}")
    _timeline(work_order, actor, "work_order_decided", stage=work_order.stage)


def may_record(user, work_order) -> bool:
    """The author and anyone whose scope covers the customer (supervisor and up); the caller
    has fetched the work order through visible_to."""
    return can(user, APPROVAL_REQUEST)


@transaction.atomic
def stage_record(*, actor, work_order, stage, date, people, note="", files=(),
                 expected_version=None) -> StageRecord:
    """The current stage is done: its record and files, and the work order moves on to the next
    stage. Refused with nothing written when `stage` is not the current one (no skipping, no
    going back) or the work order is archived."""
    if not may_record(actor, work_order):
        raise PermissionDenied
    if work_order.stage == Stage.ARCHIVED:
        raise ValidationError(_("This work order is archived; no more stages can be recorded."))
    if work_order.stage not in RECORDED:
        raise ValidationError(_("Stages are recorded only after the work order is approved "
                                "(it is %s).") % work_order.get_stage_display())
    current = Stage(work_order.stage)
    if stage != current:
        raise ValidationError(_("Stages go forward one at a time: record “%(current)s” now, not "
                                "“%(stage)s”.") % {"current": current.label,
                                                  "stage": Stage(stage).label
                                                  if stage in Stage.values else stage})
    people = (people or "").strip()
    if not people:
        raise ValidationError({"people": _("Say who took part.")})
    for upload in files:
        check_upload(upload)
    version = work_order.version if expected_version is None else expected_version
    record = StageRecord(work_order=work_order, stage=current, date=date, people=people,
                         note=(note or "").strip(), recorded_by=actor)
    record.full_clean(exclude=["work_order"])
    work_order.stage = work_order.next_stage
    # The version claim first: of two people recording at once exactly one goes on.
    save_versioned(authored_by(work_order, actor), expected_version=version,
                   change_reason=f"stage {current}")
    authored_by(record, actor).save()
    for upload in files:
        attachment = store(StageAttachment(record=record), upload, uploaded_by=actor)
        authored_by(attachment, actor).save()
    _timeline(work_order, actor, STAGE_DONE, stage=current.value)
    return record
