"""REST API of work orders (工作单): a second interface to the pages' selectors, form and
services (DESIGN rule 9). Every operation needs the page's action (approval.request; refused →
404), reads through `selectors` (`WorkOrder.objects.visible_to`: outside scope → 404), validates
with the page's form and writes through `services`: a change by anyone but the author
(PermissionDenied) is 404, a work order that is not open for changes or a stale version is 409,
a broken business rule (a stage skipped, no approval chain) is 400 with the service's message.
Work orders carry no masked fields; the customer appears by id and name only."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.core.api import (
    MAX_ID,
    FormInvalid,
    Input,
    PageQuery,
    RecordId,
    Ref,
    UserRef,
    error_responses,
    page_of,
    paged,
    record_id,
)
from qiao.org.api_access import check

from . import selectors, services
from .forms import WorkOrderForm
from .models import Stage, WorkOrder

router = Router(tags=["work orders"])

Kind = Literal[tuple(WorkOrder.Kind.values)]
StageCode = Literal[tuple(Stage.values)]


# --- output ----------------------------------------------------------------------------------

class WorkOrderItem(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    customer: Ref
    author: UserRef = Field(description="The account manager who wrote it.")
    departments: str
    budget: Decimal
    deadline: date
    stage: str
    stage_label: str
    created_at: datetime
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_stage_label(obj):
        return str(obj.get_stage_display())


class StageAttachmentOut(Schema):
    id: int
    name: str = Field(description="The file's name as uploaded (on the page).")
    content_type: str
    size: int

    @staticmethod
    def resolve_name(obj):
        return obj.original_name


class StageRecordOut(Schema):
    id: int
    date: date
    people: str
    note: str
    recorded_by: UserRef
    created_at: datetime
    attachments: list[StageAttachmentOut]

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())  # prefetched by selectors.work_order_steps


class WorkOrderStepOut(Schema):
    stage: str
    stage_label: str
    hint: str
    state: Literal["done", "current", "todo"]
    record: StageRecordOut | None = Field(description="What was recorded when it was done.")


class WorkOrderApprovalRef(Schema):
    id: int
    state: str
    state_label: str

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class WorkOrderOut(WorkOrderItem):
    content: str
    next_stage: str | None = Field(description="The stage a recording of the current one "
                                               "leads to; null when none can be recorded.")
    steps: list[WorkOrderStepOut] = Field(description="The flow after approval, in order: 简报 → 提案 → "
                                             "合同 → 计划 → 执行 → 评估 → 归档.")
    approval: WorkOrderApprovalRef | None = Field(description="The latest approval request (see "
                                                     "/approvals/{id}); null before submitting.")
    may_change: bool = Field(description="You wrote it and it is open for changes (a draft, "
                                         "or returned): PATCH and submit are allowed.")

    # `_detail` reads the rest once and leaves it on the work order as `detail`.
    @staticmethod
    def resolve_steps(obj):
        return obj.detail["steps"]

    @staticmethod
    def resolve_approval(obj):
        return obj.detail["approval"]

    @staticmethod
    def resolve_may_change(obj):
        return obj.detail["may_change"]


# --- input -----------------------------------------------------------------------------------

class WorkOrderFields(Input):
    """What the work order form lets the author set; every field optional here."""

    customer: int = Field(None, ge=1, le=MAX_ID,
                          description="Id of one of the customers you see.")
    kind: Kind = None
    title: str = Field(None, max_length=120)
    content: str = Field(None, max_length=20000,
                         description="The project content as finally confirmed with the "
                                     "customer.")
    departments: str = Field(None, max_length=200, description="For example: 市场部、创作部")
    budget: Decimal = Field(None, ge=0, max_digits=12, decimal_places=2,
                            description="CNY.")
    deadline: date = None


class WorkOrderIn(WorkOrderFields):
    customer: RecordId = Field(..., description="Id of one of the customers you see.")
    kind: Kind = WorkOrder.Kind.EXISTING_CUSTOMER.value
    title: str = Field(..., max_length=120)
    content: str = Field(..., max_length=20000,
                         description="The project content as finally confirmed with the "
                                     "customer.")
    departments: str = Field(..., max_length=200, description="For example: 市场部、创作部")
    budget: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2, description="CNY.")
    deadline: date


class WorkOrderPatch(WorkOrderFields):
    version: int = Field(..., ge=1, le=MAX_ID,
                         description="The version you read; a newer one in the database is 409.")


class StageIn(Input):
    stage: StageCode = Field(..., description="The current stage (the one being done); any "
                                              "other is refused (400): no skipping, no going "
                                              "back.")
    date: date
    people: str = Field(..., max_length=200,
                        description="Who took part, e.g. the departments' people and the "
                                    "customer's.")
    note: str = Field("", max_length=4000)
    version: int | None = Field(None, ge=1, le=MAX_ID,
                                description="The version you read; when sent, a newer one in "
                                            "the database is 409.")


class WorkOrderQuery(PageQuery):
    stage: Literal[("", *Stage.values)] = ""
    kind: Literal[("", *WorkOrder.Kind.values)] = ""
    mine: bool = Field(False, description="Only the work orders you wrote.")


# --- helpers ---------------------------------------------------------------------------------

def _detail(user, work_order: WorkOrder) -> WorkOrder:
    """The work order with what WorkOrderOut shows of it: three queries besides the work
    order's own (the stage records, their files, the latest approval request)."""
    approval = selectors.work_order_approval(work_order)
    work_order.detail = {
        "steps": [{"stage": stage.value, "stage_label": str(stage.label), "hint": str(hint),
                   "state": state, "record": record}
                  for stage, hint, record, state in selectors.work_order_steps(work_order)],
        "approval": approval,
        "may_change": work_order.author_id == user.pk
        and services.open_for_changes(work_order, approval),
    }
    return work_order


def _fresh(user, pk) -> WorkOrder:
    return _detail(user, selectors.work_order_get(user, pk))


def _valid(form):
    if not form.is_valid():
        raise FormInvalid(form)
    return form


def _service_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


# --- reads -----------------------------------------------------------------------------------

@router.get("/workorders", response={200: paged(WorkOrderItem), **error_responses()})
def work_order_list(request, query: Query[WorkOrderQuery]):
    """The work orders you see (those of the customers in your scope), newest first, with the
    list page's filters: stage, kind, only mine."""
    check(request, APPROVAL_REQUEST)
    filters = {"stage": query.stage, "kind": query.kind, "mine": query.mine}
    return page_of(selectors.work_order_list(request.auth, **filters), query)


@router.get("/workorders/{work_order_id}", response={200: WorkOrderOut, **error_responses()})
def work_order_detail(request, work_order_id: int = record_id()):
    """One work order with its stages (each with its record: date, people, note, the names and
    ids of its files) and its latest approval request; 404 outside your scope."""
    check(request, APPROVAL_REQUEST)
    return _fresh(request.auth, work_order_id)


# --- writes ----------------------------------------------------------------------------------

@router.post("/workorders", response={201: WorkOrderOut, **error_responses(413)})
def work_order_create(request, payload: WorkOrderIn):
    """A draft work order, yours, for one of the customers you see (another customer: 400 on
    `customer`). Submit it for approval with POST /workorders/{id}/submit."""
    check(request, APPROVAL_REQUEST)
    user = request.auth
    form = _valid(WorkOrderForm(payload.model_dump(), user=user))
    work_order = services.work_order_create(actor=user, data=_service_data(form))
    return Status(201, _fresh(user, work_order.pk))


@router.patch("/workorders/{work_order_id}", response={200: WorkOrderOut,
                                                        **error_responses(409, 413)})
def work_order_update(request, payload: WorkOrderPatch, work_order_id: int = record_id()):
    """Change the fields sent, as the page's form does: only the author (others: 404), only a
    draft or a work order returned for changes whose approval is not under way (else 409).
    `version` is the one read; a newer one in the database is 409."""
    check(request, APPROVAL_REQUEST)
    user = request.auth
    work_order = selectors.work_order_get(user, work_order_id)
    if work_order.author_id != user.pk:
        raise Http404  # the author's own action, hidden from everyone else (as on the page)
    sent = payload.model_dump(exclude_unset=True, exclude={"version"})
    current = {name: getattr(work_order, name) for name in services.FIELDS}
    current["customer"] = work_order.customer_id
    # The form writes onto its instance; the service changes the one read above.
    form = _valid(WorkOrderForm({**current, **sent}, user=user,
                                instance=selectors.work_order_get(user, work_order_id)))
    services.work_order_update(actor=user, work_order=work_order, data=_service_data(form),
                               expected_version=payload.version)
    return _fresh(user, work_order_id)


@router.post("/workorders/{work_order_id}/submit",
             response={200: WorkOrderOut, **error_responses(409)})
def work_order_submit(request, work_order_id: int = record_id()):
    """The author asks the customer director and the supervisor to sign (a work order returned
    for changes: a new round of its request). Others: 404; not a draft or returned: 409; no
    approval chain set up, or nobody to sign a step: 400, nothing written."""
    check(request, APPROVAL_REQUEST)
    user = request.auth
    services.work_order_submit(actor=user, work_order=selectors.work_order_get(user,
                                                                                work_order_id))
    return _fresh(user, work_order_id)


@router.post("/workorders/{work_order_id}/stages",
             response={201: WorkOrderOut, **error_responses(409, 413)})
def stage_record(request, payload: StageIn, work_order_id: int = record_id()):
    """Record the current stage as done (date, people, note): the work order moves on to the
    next stage and the answer is the work order as it is then. `stage` must be the current
    one — skipping or going back, recording before approval or after archiving is 400 with
    nothing written. Files cannot be uploaded through the API: attach them to the stage on
    the work order's page."""
    check(request, APPROVAL_REQUEST)
    user = request.auth
    work_order = selectors.work_order_get(user, work_order_id)
    services.stage_record(actor=user, work_order=work_order, stage=payload.stage,
                          date=payload.date, people=payload.people, note=payload.note,
                          expected_version=payload.version)
    return Status(201, _fresh(user, work_order_id))
