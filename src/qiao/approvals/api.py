"""REST API of approvals: a second interface to the pages' selectors and services (DESIGN
rule 9). Reads go through `approvals.selectors` (a request outside `visible_to` is 404); every
decision goes through `approvals.services`, which settle races: of two people acting on one
task at once exactly one wins, the other gets 409 with the reason. A refused action
(PermissionDenied: not the requester) is 404 like a request outside the user's scope; a
missing comment on a reject or return is 400. A returned request is resubmitted with its
changes, checked by its type's edit form as on the page (400 by field, nothing written)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from qiao.core.api import (
    Input,
    PageQuery,
    RecordId,
    Text,
    UserRef,
    error_responses,
    page_of,
    paged,
    record_id,
)

from . import selectors, services
from .models import ApprovalRequest, ApprovalTask

router = Router(tags=["approvals"])


# --- output ----------------------------------------------------------------------------------

def _type_label(request) -> str:
    try:
        return str(request.type.label)
    except LookupError:  # a type no longer registered: its code still says what it was
        return request.type_code


class RequestItem(Schema):
    id: int
    type_code: str
    type_label: str
    title: str
    amount: Decimal | None
    state: str
    state_label: str
    current_order: int | None
    round: int
    requester: UserRef
    created_at: datetime
    decided_at: datetime | None
    version: int
    waiting_for: list[UserRef] = Field(description="Who has to decide now (open requests).")

    @staticmethod
    def resolve_type_label(obj):
        return _type_label(obj)

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_waiting_for(obj):
        # Prefetched by the list (`_with_waiting`), read from the tasks on the detail.
        tasks = getattr(obj, "waiting_tasks", None)
        if tasks is None:
            tasks = [t for t in selectors.request_tasks(obj) if t.state == ApprovalTask.State.WAITING]
        return [t.approver for t in tasks]


class TaskOut(Schema):
    id: int
    order: int
    step_label: str
    approver: UserRef
    delegated_from: UserRef | None
    state: str
    state_label: str
    decided_at: datetime | None
    comment: str

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())


class StepOut(Schema):
    order: int
    tasks: list[TaskOut]


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    actor: UserRef | None
    step_label: str
    comment: str
    note: str = Field(description="What the engine says about the event, in your language: the "
                                  "fields a resubmission changed, whom an overdue step was "
                                  "reported to.")
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())


class RequestOut(RequestItem):
    subject_type: str = Field(description="app_label.model of the subject.")
    subject_id: int
    steps: list[StepOut] = Field(description="The steps of the current round, in order.")
    events: list[EventOut] = Field(description="The request's history, oldest first.")
    my_task_id: int | None = Field(description="Your task waiting for a decision, if any.")
    can_withdraw: bool
    can_resubmit: bool
    edit_values: dict[str, str | list[str]] | None = Field(
        description="When you may change and resubmit this request (yours, returned for "
                    "changes): every field of its type's edit form with its value now, as "
                    "`changes` of resubmit takes them (a list for several choices). Else null.")

    # `_detail` reads the rest once and leaves it on the request as `detail`.
    @staticmethod
    def resolve_subject_type(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_subject_id(obj):
        return obj.object_id

    @staticmethod
    def resolve_steps(obj):
        return obj.detail["steps"]

    @staticmethod
    def resolve_events(obj):
        return obj.detail["events"]

    @staticmethod
    def resolve_my_task_id(obj):
        return obj.detail["my_task_id"]

    @staticmethod
    def resolve_can_withdraw(obj):
        return obj.detail["can_withdraw"]

    @staticmethod
    def resolve_can_resubmit(obj):
        return obj.detail["can_resubmit"]

    @staticmethod
    def resolve_edit_values(obj):
        return obj.detail["edit_values"]


class WaitingItem(Schema):
    """A task waiting for the caller's decision, with its request."""

    id: int = Field(description="The task's id: send it as `task` to approve/reject/return.")
    order: int
    step_label: str
    delegated_from: UserRef | None
    request: RequestItem


# --- input -----------------------------------------------------------------------------------

class DecisionIn(Input):
    task: RecordId = Field(..., description="The id of your waiting task on this request.")
    comment: str = Field("", max_length=2000,
                         description="Required to reject or return: the requester needs to "
                                     "know why.")


class WithdrawIn(Input):
    comment: str = Field("", max_length=2000)


FieldName = Annotated[Text, Field(min_length=1, max_length=60)]
FieldValue = Text | int | float | bool | None | list[Text | int]


class ResubmitIn(Input):
    comment: str = Field("", max_length=2000,
                         description="Your reply to the return: what you changed, for the "
                                     "approvers.")
    changes: dict[FieldName, FieldValue] | None = Field(
        None, description="The fields of the request's edit form to change (their names and "
                          "values now: `edit_values` of the request), as the page's form "
                          "takes them; the fields not sent keep their values. Absent or null: "
                          "resubmit the request as it is. Checked as the page checks them: "
                          "400 with the messages by field, nothing written.")


# --- helpers ---------------------------------------------------------------------------------

def _with_waiting(requests):
    """Requests with their requester and who they wait for: two queries for a page, whatever
    its size (the page's own and one prefetch)."""
    waiting = (ApprovalTask.objects.filter(state=ApprovalTask.State.WAITING)
               .select_related("approver").order_by("order", "id"))
    return requests.select_related("requester").prefetch_related(
        Prefetch("tasks", queryset=waiting, to_attr="waiting_tasks"))


def _detail(user, approval: ApprovalRequest) -> ApprovalRequest:
    """The request with what RequestOut shows of it: three queries (the request, the tasks
    of its round, its events)."""
    steps = selectors.request_steps(approval)
    tasks = [t for _order, step in steps for t in step]
    mine = next((t for t in tasks if t.approver_id == user.pk
                 and t.state == ApprovalTask.State.WAITING), None) if approval.is_open else None
    approval.waiting_tasks = [t for t in tasks if t.state == ApprovalTask.State.WAITING]
    is_requester = approval.requester_id == user.pk
    may_edit = selectors.may_edit(approval, user)
    approval.detail = {
        "steps": [{"order": order, "tasks": step} for order, step in steps],
        "events": selectors.request_events(approval),
        "my_task_id": mine.pk if mine else None,
        "can_withdraw": is_requester and approval.state in (
            *ApprovalRequest.OPEN_STATES, ApprovalRequest.State.RETURNED),
        "can_resubmit": is_requester and approval.state == ApprovalRequest.State.RETURNED,
        "edit_values": selectors.edit_values(approval, user) if may_edit else None,
    }
    return approval


def _fresh(user, pk) -> ApprovalRequest:
    return _detail(user, selectors.request_get(user, pk))


# --- reads -----------------------------------------------------------------------------------

@router.get("/approvals/waiting", response={200: paged(WaitingItem), **error_responses()})
def approval_waiting(request, page: Query[PageQuery]):
    """The tasks waiting for your decision, newest first (the page 待我审批)."""
    user = request.auth
    tasks = selectors.waiting_for(user).prefetch_related(
        Prefetch("request__tasks", to_attr="waiting_tasks",
                 queryset=ApprovalTask.objects.filter(state=ApprovalTask.State.WAITING)
                 .select_related("approver").order_by("order", "id")))
    return page_of(tasks, page)


@router.get("/approvals/mine", response={200: paged(RequestItem), **error_responses()})
def approval_mine(request, page: Query[PageQuery]):
    """Your own requests, newest first (the page 我的申请)."""
    return page_of(_with_waiting(selectors.my_requests(request.auth)), page)


@router.get("/approvals/{approval_id}", response={200: RequestOut, **error_responses()})
def approval_detail(request, approval_id: int = record_id()):
    """One request with the steps of its current round and its history; 404 unless it is
    yours, waits or waited for you, or its requester is in your data scope."""
    return _fresh(request.auth, approval_id)


# --- decisions -------------------------------------------------------------------------------

def _decide(request, approval_id, payload, service):
    user = request.auth
    approval = selectors.request_get(user, approval_id)
    task = selectors.task_on_request(approval, payload.task)
    service(actor=user, task=task, comment=payload.comment)
    return _fresh(user, approval_id)


DECISION_RESPONSES = {200: RequestOut, **error_responses(409, 413)}


@router.post("/approvals/{approval_id}/approve", response=DECISION_RESPONSES)
def approval_approve(request, payload: DecisionIn, approval_id: int = record_id()):
    """Approve your waiting task: the next step starts, or the request is approved. 409 when
    the task is no longer waiting for you (decided already, by you or in a race; the request
    withdrawn or closed; not your step), with the reason."""
    return _decide(request, approval_id, payload, services.task_approve)


@router.post("/approvals/{approval_id}/reject", response=DECISION_RESPONSES)
def approval_reject(request, payload: DecisionIn, approval_id: int = record_id()):
    """Reject: the request ends. A comment is required (400 without); 409 as for approve."""
    return _decide(request, approval_id, payload, services.task_reject)


@router.post("/approvals/{approval_id}/return", response=DECISION_RESPONSES)
def approval_return(request, payload: DecisionIn, approval_id: int = record_id()):
    """Return to the requester for changes. A comment is required (400 without); 409 as for
    approve."""
    return _decide(request, approval_id, payload, services.task_return)


@router.post("/approvals/{approval_id}/withdraw", response=DECISION_RESPONSES)
def approval_withdraw(request, payload: WithdrawIn, approval_id: int = record_id()):
    """The requester withdraws an open or returned request (others: 404); 409 when it is
    already decided."""
    user = request.auth
    services.request_withdraw(actor=user, request=selectors.request_get(user, approval_id),
                              comment=payload.comment)
    return _fresh(user, approval_id)


def _posted(value):
    """A JSON value as the page's form would receive it: text, or a list of texts."""
    if isinstance(value, list):
        return [_posted(v) for v in value]
    return "" if value is None else str(value)


def _edit_data(user, approval, changes) -> dict:
    """The edit form's data: its values now (`edit_values`) with `changes` over them. A name
    that is not one of the form's fields is refused (400), not ignored."""
    if not selectors.may_edit(approval, user):
        return {}  # the service refuses: not the requester's (404) or not returned (409)
    values = selectors.edit_values(approval, user)
    unknown = sorted(set(changes) - set(values))
    if unknown:
        raise ValidationError({name: [_("No such field; the fields are: %s.")
                                      % ", ".join(values)] for name in unknown})
    return {**values, **{name: _posted(value) for name, value in changes.items()}}


@router.post("/approvals/{approval_id}/resubmit", response={200: RequestOut,
                                                             **error_responses(409, 413)})
def approval_resubmit(request, payload: ResubmitIn, approval_id: int = record_id()):
    """The requester sends a returned request again, changed by `changes` (the fields of the
    type's edit form, as on the request's page) and with a reply `comment`: a new round from
    the first step, planned for the amount as it is then (others: 404); 409 unless it is
    returned (or, for a work order, a newer `version` exists); 400 with the messages by field
    when a change is not valid, or when the chain now finds nobody to approve."""
    user = request.auth
    approval = selectors.request_get(user, approval_id)
    data = None if payload.changes is None else _edit_data(user, approval, payload.changes)
    services.request_resubmit(actor=user, request=approval, data=data, comment=payload.comment)
    return _fresh(user, approval_id)
