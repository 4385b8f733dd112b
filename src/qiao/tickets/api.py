"""REST API of the service desk (TKT-11): a second interface to the pages' selectors, forms and
services (DESIGN rule 9). Every operation needs ticket.handle (assigning: ticket.assign;
refused → 404), reads through `selectors` (`Ticket.objects.visible_to`: outside scope → 404),
validates with the page's forms and writes through `services`: a step the ticket's status does
not allow or bad input is 400 with the service's message, a stale version 409. A telephony or
ERP system registers tickets with channel "api"."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

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
from qiao.core.masking import masked
from qiao.org.api_access import check

from . import selectors, services
from .actions import TICKET_ASSIGN, TICKET_HANDLE
from .forms import AssignForm, CallFilterForm, CallForm, TicketForm
from .models import (
    MAX_CALL_SECONDS,
    CallDirection,
    CallPurpose,
    CallResult,
    Category,
    Cause,
    Channel,
    Kind,
    Severity,
)
from .models import Status as TicketStatus

router = Router(tags=["service desk"])

Version = Field(..., ge=1, le=MAX_ID, description="The version you read; a newer one is 409.")


# --- output ----------------------------------------------------------------------------------

class TicketItem(Schema):
    id: int
    number: str = Field(description="KF and the id in eight digits: what the customer quotes.")
    kind: str
    kind_label: str
    channel: str
    subject: str
    customer: Ref
    severity: str
    category: str
    status: str
    status_label: str
    queue: Ref | None
    assignee: UserRef | None
    first_response_due: datetime
    first_response_at: datetime | None
    resolution_due: datetime = Field(description="Moves while the ticket waits on the "
                                                 "customer (the clock stops).")
    resolved_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    is_repeat: bool
    created_at: datetime
    version: int

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class TicketMessageOut(Schema):
    id: int
    kind: Literal["reply", "note"] = Field(description="A reply reaches the customer; a note "
                                                       "is for colleagues only.")
    body: str
    author: UserRef | None
    created_at: datetime


class TicketStepOut(Schema):
    code: str
    text: str = Field(description="The step as the ticket's page shows it, in your language.")
    actor: UserRef | None
    at: datetime


class TicketClockOut(Schema):
    code: Literal["first_response", "resolution"]
    due: datetime
    done: datetime | None
    state: Literal["met", "late", "paused", "breached", "due_soon", "running"]


class TicketOut(TicketItem):
    description: str
    product: str
    batch: str
    reporter_name: str
    resolution: str
    cause: str
    rating_comment: str
    clocks: list[TicketClockOut]
    messages: list[TicketMessageOut]
    steps: list[TicketStepOut]

    # `_detail` reads the rest once and leaves it on the ticket as `detail`.
    @staticmethod
    def resolve_clocks(obj):
        return obj.detail["clocks"]

    @staticmethod
    def resolve_messages(obj):
        return obj.detail["messages"]

    @staticmethod
    def resolve_steps(obj):
        return obj.detail["steps"]


# --- input -----------------------------------------------------------------------------------

class TicketIn(Input):
    customer: RecordId = Field(..., description="Id of one of the customers you see.")
    kind: Literal[tuple(Kind.values)]
    channel: Literal[tuple(Channel.values)] = Channel.API.value
    severity: Literal[tuple(Severity.values)] = Severity.GENERAL.value
    category: Literal[tuple(Category.values)] = Category.OTHER.value
    subject: str = Field(..., max_length=120)
    description: str = Field(..., max_length=10000)
    contact: int | None = Field(None, ge=1, le=MAX_ID,
                                description="Id of one of the customer's contacts.")
    reporter_name: str = Field("", max_length=40)
    reporter_phone: str = Field("", max_length=30)
    reporter_email: str = Field("", max_length=254)
    product: str = Field("", max_length=100)
    batch: str = Field("", max_length=60)


class TicketNoteIn(Input):
    body: str = Field(..., max_length=10000)


class TicketReplyIn(TicketNoteIn):
    version: int = Version


class TicketAssignIn(Input):
    queue: int | None = Field(None, ge=1, le=MAX_ID, description="Id of an active queue.")
    assignee: int | None = Field(None, ge=1, le=MAX_ID,
                                 description="Id of a person who handles tickets.")
    reason: str = Field("", max_length=200, description="Needed when it had someone already.")
    version: int = Version


class TicketTransitionIn(Input):
    action: Literal["take", "wait", "resume", "resolve", "close", "reopen"]
    version: int = Version
    resolution: str = Field("", max_length=5000, description="resolve: what was done.")
    cause: Literal[("", *Cause.values)] = Field("", description="resolve: a complaint's cause.")
    rating: int | None = Field(None, ge=1, le=5, description="close: the customer's 1–5.")
    comment: str = Field("", max_length=500, description="close: the customer's comment.")
    reason: str = Field("", max_length=200, description="reopen: why.")


class TicketQuery(PageQuery):
    q: str = Field("", max_length=100, description="A ticket number, or words of the subject "
                                                   "or the customer's name.")
    status: Literal[("all", "open", *TicketStatus.values)] = Field(
        "open", description="open (the default, as the list page opens): new, in progress or "
                            "waiting; all: every status.")
    kind: Literal[("", *Kind.values)] = ""
    severity: Literal[("", *Severity.values)] = ""
    mine: bool = Field(False, description="Only the tickets assigned to you.")
    sort: Literal["due", "new"] = Field("due", description="due: the nearest resolution due "
                                                           "first; new: newest first.")


# --- helpers ---------------------------------------------------------------------------------

def _detail(user, pk):
    ticket = selectors.ticket_get(user, pk)
    ticket.detail = {
        "clocks": services.clocks(ticket),
        "messages": selectors.ticket_messages(ticket),
        "steps": [{"code": e.code, "text": services.event_text(e), "actor": e.actor, "at": e.at}
                  for e in selectors.ticket_events(ticket)],
    }
    return ticket


# --- reads -----------------------------------------------------------------------------------

@router.get("/tickets", response={200: paged(TicketItem), **error_responses()})
def ticket_list(request, query: Query[TicketQuery]):
    """The tickets you see (assigned to you, in your queues, or of the customers in your
    scope), with the list page's filters."""
    check(request, TICKET_HANDLE)
    filters = {"q": query.q.strip(), "status": "" if query.status == "all" else query.status,
               "kind": query.kind,
               "severity": query.severity, "mine": query.mine, "sort": query.sort}
    return page_of(selectors.ticket_list(request.auth, **filters), query,
                   searched=bool(filters["q"]))


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **error_responses()})
def ticket_detail(request, ticket_id: int = record_id()):
    """One ticket with its clocks, replies and notes and its steps; 404 outside your scope."""
    check(request, TICKET_HANDLE)
    return _detail(request.auth, ticket_id)


# --- writes ----------------------------------------------------------------------------------

@router.post("/tickets", response={201: TicketOut, **error_responses(413)})
def ticket_create(request, payload: TicketIn):
    """Register a ticket for one of the customers you see (another: 400 on `customer`); it is
    routed by the assignment rules and its clocks start."""
    check(request, TICKET_HANDLE)
    user = request.auth
    form = TicketForm(payload.model_dump(), user=user)
    if not form.is_valid():
        raise FormInvalid(form)
    ticket = services.ticket_create(actor=user, data=form.cleaned_data)
    return Status(201, _detail(user, ticket.pk))


@router.post("/tickets/{ticket_id}/reply", response={200: TicketOut, **error_responses(409)})
def ticket_reply(request, payload: TicketReplyIn, ticket_id: int = record_id()):
    """A reply to the customer; the first one stops the first-response clock."""
    check(request, TICKET_HANDLE)
    user = request.auth
    services.ticket_reply(actor=user, ticket=selectors.ticket_get(user, ticket_id),
                          body=payload.body, expected_version=payload.version)
    return _detail(user, ticket_id)


@router.post("/tickets/{ticket_id}/notes", response={201: TicketOut, **error_responses()})
def ticket_note(request, payload: TicketNoteIn, ticket_id: int = record_id()):
    """An internal note, never shown to the customer."""
    check(request, TICKET_HANDLE)
    user = request.auth
    services.ticket_note(actor=user, ticket=selectors.ticket_get(user, ticket_id),
                         body=payload.body)
    return Status(201, _detail(user, ticket_id))


@router.post("/tickets/{ticket_id}/assign", response={200: TicketOut, **error_responses(409)})
def ticket_assign(request, payload: TicketAssignIn, ticket_id: int = record_id()):
    """Send the ticket to a queue and/or a person (ticket.assign), with the reason when it had
    someone already."""
    check(request, TICKET_ASSIGN)
    user = request.auth
    ticket = selectors.ticket_get(user, ticket_id)
    form = AssignForm(payload.model_dump())  # the page's: active queues, people who handle
    if not form.is_valid():
        raise FormInvalid(form)
    data = form.cleaned_data
    services.ticket_assign(actor=user, ticket=ticket, queue=data["queue"],
                           assignee=data["assignee"], reason=data["reason"],
                           expected_version=data["version"])
    return _detail(user, ticket_id)


@router.post("/tickets/{ticket_id}/transition",
             response={200: TicketOut, **error_responses(409)})
def ticket_transition(request, payload: TicketTransitionIn, ticket_id: int = record_id()):
    """One step of the workflow: take (from your queue), wait (on the customer: the resolution
    clock stops), resume, resolve (with `resolution`, and `cause` for a complaint), close (the
    customer confirmed: `rating` 1–5), reopen (with `reason`, within the reopening window)."""
    check(request, TICKET_HANDLE)
    user = request.auth
    ticket = selectors.ticket_get(user, ticket_id)
    version = payload.version
    steps = {
        "take": lambda: services.ticket_take(actor=user, ticket=ticket),
        "wait": lambda: services.ticket_wait(actor=user, ticket=ticket, expected_version=version),
        "resume": lambda: services.ticket_resume(actor=user, ticket=ticket,
                                                 expected_version=version),
        "resolve": lambda: services.ticket_resolve(
            actor=user, ticket=ticket, resolution=payload.resolution, cause=payload.cause,
            expected_version=version),
        "close": lambda: services.ticket_close(actor=user, ticket=ticket, rating=payload.rating,
                                               comment=payload.comment,
                                               expected_version=version),
        "reopen": lambda: services.ticket_reopen(actor=user, ticket=ticket,
                                                 reason=payload.reason, expected_version=version),
    }
    steps[payload.action]()
    return _detail(user, ticket_id)


# --- the call centre (CC-1) --------------------------------------------------------------------

class TicketRef(Schema):
    id: int
    number: str
    status: str


class CallOut(Schema):
    id: int
    direction: Literal[tuple(CallDirection.values)]
    phone: str
    started_at: datetime
    duration: int = Field(description="Seconds.")
    agent: UserRef
    customer: Ref | None = Field(description="The customer the number matched or the agent "
                                             "chose; null until then.")
    contact: Ref | None
    purpose: Literal[tuple(CallPurpose.values)]
    result: Literal[tuple(CallResult.values)]
    summary: str
    ticket: TicketRef | None
    external_id: str
    created_at: datetime

    @staticmethod
    def resolve_phone(obj):
        return masked(obj, "phone")


class CallIn(Input):
    direction: Literal[tuple(CallDirection.values)]
    phone: str = Field(..., max_length=40)
    started_at: datetime
    duration: int = Field(..., ge=0, le=MAX_CALL_SECONDS, description="Seconds.")
    agent: int | None = Field(None, ge=1, le=MAX_ID, description="Id of the agent who took "
                              "it; you by default (another's needs ticket.assign).")
    customer: int | None = Field(None, ge=1, le=MAX_ID, description="Id of one of the "
                                 "customers you see; empty: matched by the number (one match "
                                 "only: several are left for the agent to choose).")
    purpose: Literal[tuple(CallPurpose.values)] = CallPurpose.INQUIRY.value
    result: Literal[tuple(CallResult.values)] = CallResult.ANSWERED.value
    summary: str = Field("", max_length=2000)
    external_id: str = Field("", max_length=64, description="The telephony system's id of the "
                             "call: posting it again answers the call already recorded (200).")


class CallQuery(PageQuery):
    q: str = Field("", max_length=100, description="Digits of the number or words of the "
                                                   "customer's name.")
    direction: Literal[("", *CallDirection.values)] = ""
    purpose: Literal[("", *CallPurpose.values)] = ""
    result: Literal[("", *CallResult.values)] = ""
    mine: bool = Field(False, description="Only the calls you took.")


@router.get("/calls", response={200: paged(CallOut), **error_responses()})
def call_list(request, query: Query[CallQuery]):
    """The calls you see (yours, your team's, those of your customers), newest first."""
    check(request, TICKET_HANDLE)
    form = CallFilterForm({k: v for k, v in query.model_dump().items()
                           if k not in ("page", "page_size") and v not in (None, "", False)})
    return page_of(selectors.call_list(request.auth, **form.values()), query,
                   searched=bool(query.q.strip()))


@router.get("/calls/{call_id}", response={200: CallOut, **error_responses()})
def call_detail(request, call_id: int = record_id()):
    """One call; 404 outside your scope."""
    check(request, TICKET_HANDLE)
    return selectors.call_get(request.auth, call_id)


@router.post("/calls", response={200: CallOut, 201: CallOut, **error_responses()})
def call_create(request, payload: CallIn):
    """Record a call (a telephony system posts each call as it ends): 201 with the new call;
    200 with the call recorded before when its `external_id` was posted already."""
    check(request, TICKET_HANDLE)
    user = request.auth
    agent = user
    if payload.agent is not None and payload.agent != user.pk:
        agent = selectors.handlers().filter(pk=payload.agent).first()
        if agent is None:
            raise ValidationError({"agent": _("Choose a person who takes calls.")})
    form = CallForm(payload.model_dump(exclude={"agent", "external_id"}), user=user)
    if not form.is_valid():
        raise FormInvalid(form)
    call, created = services.call_record(actor=user, data={
        **form.cleaned_data, "agent": agent, "external_id": payload.external_id})
    return Status(201 if created else 200, selectors.call_get(user, call.pk))
