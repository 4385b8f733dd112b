"""REST API of visit records and commitments (拜访记录、承诺): a second interface to the pages'
selectors and services (DESIGN rule 9), for the phone that records a visit on the road.

Every operation needs the pages' action (visit.record; refused → 404) and reads through
`selectors` (`visible_to`: a visit or commitment outside one's scope → 404). A record is
created with a client-generated idempotency key: sent again with the same key (a resend after
a lost answer, an offline queue flushed twice), the first record is answered with 200 and
nothing is stored twice; 201 answers a new record. A customer one does not see is 400 on
`customer`; a broken rule (a future date, a blank or non-PNG signature, a special visit
without its situation) is 400 with the field's message, nothing written.

A manager's week of visits (`/schedules`, 客户访问日程表) is read, edited and submitted with the
pages' services: a stale version is 409, a week already submitted 400, another manager's
schedule outside one's scope 404."""

import re
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from qiao.core.api import (
    MAX_ID,
    Input,
    PageQuery,
    QueryInput,
    RecordId,
    Ref,
    UserRef,
    error_responses,
    page_of,
    paged,
    record_id,
)
from qiao.customers.models import Customer
from qiao.org.api_access import check

from . import selectors, services
from .actions import VISIT_RECORD
from .models import Commitment, Method, ScheduledVisit, Task, Visit

router = Router(tags=["visits"])

KindCode = Literal[tuple(Visit.Kind.values)]
MethodCode = Literal[tuple(Method.values)]
TaskCode = Literal[tuple(Task.values)]
StatusCode = Literal[tuple(Commitment.Status.values)]




def _iso_date(value):
    """A query's date as the schema says: YYYY-MM-DD (not a number of seconds, which pydantic
    would otherwise read as a date)."""
    if isinstance(value, date) or (isinstance(value, str)
                                   and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise PydanticCustomError("date_format", "Enter a date as YYYY-MM-DD.")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


# --- output ----------------------------------------------------------------------------------

class ContactMet(Schema):
    id: int
    name: str
    title: str = Field(description="Position (职务).")
    has_decision_power: bool


class CommitmentOut(Schema):
    id: int
    visit_id: int
    customer: Ref
    owner: UserRef
    text: str
    due_on: date
    status: str
    status_label: str
    closed_on: date | None
    note: str
    return_due_on: date | None = Field(description="When its return visit (回访) is due, once "
                                                   "fulfilled.")
    return_visit_id: int | None = Field(description="The visit that was its return visit.")

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class VisitItem(Schema):
    id: int
    customer: Ref
    author: UserRef = Field(description="The account manager who visited.")
    kind: str
    kind_label: str
    method: str
    planned: bool
    visited_on: date
    purpose: str
    signer_name: str
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())


class VisitOut(VisitItem):
    idempotency_key: UUID
    situation: str
    contacts: list[ContactMet] = Field(description="The people met.")
    tasks: list[str] = Field(description="The checklist's tasks done (codes).")
    findings: str
    needs: str
    complaints: str
    suggestions: str
    competitors: str
    suggested_order: str
    signed_in_at: datetime
    latitude: float | None
    longitude: float | None
    accuracy: float | None = Field(description="Metres.")
    signed_at: datetime
    signature_url: str = Field(description="The customer's signature (PNG) on the pages' "
                                           "address (a login session).")
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())  # prefetched by selectors.visit_get

    @staticmethod
    def resolve_commitments(obj):
        return list(obj.commitments.all())

    @staticmethod
    def resolve_signature_url(obj):
        return reverse("visits:signature", args=[obj.pk])


# --- input -----------------------------------------------------------------------------------

class CommitmentIn(Input):
    text: str = Field(..., min_length=1, max_length=300, description="What was promised.")
    due_on: date = Field(..., description="On or after the visit date.")


class VisitIn(Input):
    idempotency_key: UUID = Field(..., description="Made by the client for this record (a "
                                                   "UUID); the same key sent again answers the "
                                                   "first record.")
    customer: RecordId = Field(..., description="Id of one of the customers you see.")
    visited_on: date = Field(..., description="Today or earlier.")
    kind: KindCode = Visit.Kind.REGULAR.value
    situation: str = Field("", max_length=2000, description="Required for a special visit.")
    method: MethodCode | None = Field(None, description="The customer's rule's by default.")
    planned: bool = True
    purpose: str = Field("", max_length=200)
    contacts: list[RecordId] = Field([], max_length=50,
                                     description="Ids of the customer's contacts met.")
    tasks: list[TaskCode] = Field([], max_length=len(Task.values),
                                  description="Tasks of the customer's checklist done.")
    findings: str = Field("", max_length=4000)
    needs: str = Field("", max_length=2000)
    complaints: str = Field("", max_length=2000)
    suggestions: str = Field("", max_length=2000)
    competitors: str = Field("", max_length=2000)
    suggested_order: str = Field("", max_length=2000)
    signed_in_at: datetime | None = Field(None, description="Sign-in time (签到) on the visit "
                                                            "day; the time received otherwise.")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100_000, description="Metres.")
    signer_name: str = Field(..., max_length=40, description="Who signs for the customer.")
    signature: str = Field(..., max_length=300_000,
                           description="The signature pad's PNG as a data URL "
                                       "(data:image/png;base64,…), something drawn on it.")
    commitments: list[CommitmentIn] = Field([], max_length=services.MAX_COMMITMENTS)


class VisitQuery(PageQuery):
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    kind: Literal[("", *Visit.Kind.values)] = ""
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field("", max_length=100, description="Part of the customer's name.")
    author: int | None = Field(None, ge=1, le=MAX_ID, description="The account manager's id.")
    mine: bool = Field(False, description="Only the visits you made.")


class CommitmentQuery(PageQuery):
    status: Literal[("", *Commitment.Status.values)] = ""
    overdue: bool = Field(False, description="Open and past their due date.")
    returns: bool = Field(False, description="Fulfilled, their return visit not made yet.")
    mine: bool = Field(False, description="Only your own.")


# --- operations ------------------------------------------------------------------------------

@router.get("/visits", response={200: paged(VisitItem), **error_responses()})
def visit_list(request, query: Query[VisitQuery]):
    """The visit records you see (those of the customers in your scope), newest first, with the
    list page's filters."""
    check(request, VISIT_RECORD)
    q = query.q.strip()
    filters = selectors.VisitFilters(date_from=query.date_from, date_to=query.date_to,
                                     kind=query.kind, customer=query.customer, q=q,
                                     author=query.author, mine=query.mine)
    return page_of(selectors.visit_list(request.auth, filters), query, searched=bool(q))


@router.get("/visits/{visit_id}", response={200: VisitOut, **error_responses()})
def visit_detail(request, visit_id: int = record_id()):
    """One visit record with its people met, tasks, sign-in and commitments; 404 outside your
    scope."""
    check(request, VISIT_RECORD)
    return selectors.visit_get(request.auth, visit_id)


@router.post("/visits", response={200: VisitOut, 201: VisitOut, **error_responses(409, 413)})
def visit_create(request, payload: VisitIn):
    """Record a visit, signed by the customer, with the commitments made on it (201). The same
    idempotency key sent again answers the record already stored (200), whatever the body; a
    key of someone else's record is 409."""
    check(request, VISIT_RECORD)
    user = request.auth
    customer = Customer.objects.visible_to(user).filter(pk=payload.customer).first()
    existing = selectors.visit_by_key(payload.idempotency_key)
    if customer is None and existing is None:
        raise ValidationError({"customer": _("Choose one of the customers you see; this one is "
                                             "not (or no longer) in your scope.")})
    data = services.VisitInput(
        customer=customer, visited_on=payload.visited_on, signer_name=payload.signer_name,
        signature=payload.signature, idempotency_key=payload.idempotency_key,
        kind=payload.kind, situation=payload.situation, method=payload.method or "",
        planned=payload.planned, purpose=payload.purpose, contacts=payload.contacts,
        tasks=payload.tasks, findings=payload.findings, needs=payload.needs,
        complaints=payload.complaints, suggestions=payload.suggestions,
        competitors=payload.competitors, suggested_order=payload.suggested_order,
        signed_in_at=payload.signed_in_at, latitude=payload.latitude,
        longitude=payload.longitude, accuracy=payload.accuracy,
        commitments=[(c.text, c.due_on) for c in payload.commitments])
    visit, created = services.visit_record(actor=user, data=data)
    answer = selectors.visit_get(user, visit.pk)
    return Status(201, answer) if created else answer


@router.get("/commitments", response={200: paged(CommitmentOut), **error_responses()})
def commitment_list(request, query: Query[CommitmentQuery]):
    """The commitments you see, soonest due first: open, overdue, fulfilled with their return
    visit due or made, cancelled."""
    check(request, VISIT_RECORD)
    filters = selectors.CommitmentFilters(status=query.status, overdue=query.overdue,
                                          returns=query.returns, mine=query.mine)
    return page_of(selectors.commitment_list(request.auth, filters), query)


# --- weekly visit schedules (客户访问日程表) ---------------------------------------------------

ReasonCode = Literal[tuple(ScheduledVisit.Reason.values)]


class ScheduledVisitOut(Schema):
    id: int
    customer: Ref
    day: date
    reason: str = Field(description="Why it is on the schedule: " + ", ".join(
        ScheduledVisit.Reason.values) + ".")
    reason_label: str
    note: str = Field(description="The commitment it is about, if any.")
    order: int

    @staticmethod
    def resolve_reason_label(obj):
        return str(obj.get_reason_display())


class ScheduleOut(Schema):
    id: int
    manager: UserRef
    week_start: date = Field(description="The Monday of the week.")
    status: str = Field(description="draft (proposed, being edited) or submitted.")
    status_label: str
    version: int = Field(description="Send it back with a change; a stale one answers 409.")
    working_days: list[date] = Field(description="The week's working days (business "
                                                 "calendar): the days visits may go on.")
    submitted_at: datetime | None
    comment: str = Field(description="The supervisor's comment.")
    commented_by: UserRef | None
    commented_at: datetime | None
    visits: list[ScheduledVisitOut]

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_working_days(obj):
        return selectors.working_days(obj.week_start)

    @staticmethod
    def resolve_visits(obj):
        return obj.lines  # read by _answer through the reader's scope


class ScheduleQuery(QueryInput):
    week: IsoDate | None = Field(None, description="Any day of the week (YYYY-MM-DD); by "
                                                   "default next week from Friday on, this "
                                                   "week before.")
    manager: int | None = Field(None, ge=1, le=MAX_ID,
                                description="The account manager's id; yourself by default.")


class ScheduleMove(Input):
    visit: RecordId = Field(..., description="Id of one of the schedule's visits.")
    day: date = Field(..., description="A working day of the week.")


class ScheduleAdd(Input):
    customer: RecordId = Field(..., description="Id of one of the customers you see.")
    day: date = Field(..., description="A working day of the week.")


class ScheduleEditIn(Input):
    version: int = Field(..., ge=1, le=MAX_ID)
    moves: list[ScheduleMove] = Field([], max_length=services.MAX_SCHEDULED)
    remove: list[RecordId] = Field([], max_length=services.MAX_SCHEDULED,
                                   description="Ids of the schedule's visits to take off.")
    add: list[ScheduleAdd] = Field([], max_length=services.MAX_SCHEDULED)


class VersionIn(Input):
    version: int = Field(..., ge=1, le=MAX_ID)


class ScheduleCommentIn(Input):
    version: int = Field(..., ge=1, le=MAX_ID)
    comment: str = Field(..., min_length=1, max_length=2000)


def _answer(user, schedule):
    schedule = selectors.schedule_get(user, schedule.pk)
    schedule.lines = selectors.schedule_items(user, schedule)
    return schedule


@router.get("/schedules", response={200: ScheduleOut, **error_responses()})
def schedule_week(request, query: Query[ScheduleQuery]):
    """A manager's visit schedule of a week (yours by default): your own this week's or next
    week's is proposed from the visit rules the first time it is read; another week without
    one, or another manager's outside your scope, is 404."""
    check(request, VISIT_RECORD)
    user = request.auth
    week = selectors.week_of(query.week) if query.week else selectors.default_week()
    if query.manager in (None, user.pk):
        schedule, _created = services.schedule_propose(actor=user, week_start=week)
    else:
        schedule = selectors.schedule_of(user, query.manager, week)
        if schedule is None:
            raise Http404
    return _answer(user, schedule)


@router.get("/schedules/{schedule_id}", response={200: ScheduleOut, **error_responses()})
def schedule_detail(request, schedule_id: int = record_id()):
    """One visit schedule you see: yours, or a team member's."""
    check(request, VISIT_RECORD)
    return _answer(request.auth, selectors.schedule_get(request.auth, schedule_id))


@router.post("/schedules/{schedule_id}/edit",
             response={200: ScheduleOut, **error_responses(409)})
def schedule_edit(request, payload: ScheduleEditIn, schedule_id: int = record_id()):
    """Change your draft schedule: move visits to other days, take some off, add customers.
    All or nothing; a submitted week is 400, a stale version 409."""
    check(request, VISIT_RECORD)
    user = request.auth
    schedule = selectors.schedule_get(user, schedule_id)
    if schedule.manager_id != user.pk:
        raise Http404
    change = services.ScheduleChange(
        moves={move.visit: move.day for move in payload.moves}, remove=set(payload.remove),
        add=[(item.customer, item.day) for item in payload.add])
    schedule = services.schedule_edit(actor=user, schedule=schedule,
                                      expected_version=payload.version, change=change)
    return _answer(user, schedule)


@router.post("/schedules/{schedule_id}/submit",
             response={200: ScheduleOut, **error_responses(409)})
def schedule_submit(request, payload: VersionIn, schedule_id: int = record_id()):
    """Submit your schedule to your supervisor; a week already submitted is 400."""
    check(request, VISIT_RECORD)
    user = request.auth
    schedule = services.schedule_submit(actor=user,
                                        schedule=selectors.schedule_get(user, schedule_id),
                                        expected_version=payload.version)
    return _answer(user, schedule)


@router.post("/schedules/{schedule_id}/comment",
             response={200: ScheduleOut, **error_responses(409)})
def schedule_comment(request, payload: ScheduleCommentIn, schedule_id: int = record_id()):
    """The supervisor's comment on a team member's schedule (not on one's own: 404)."""
    check(request, VISIT_RECORD)
    user = request.auth
    schedule = services.schedule_comment(actor=user,
                                         schedule=selectors.schedule_get(user, schedule_id),
                                         expected_version=payload.version,
                                         comment=payload.comment)
    return _answer(user, schedule)
