"""Every change to visits, commitments and hospitality requests: the only place they are written.

Each function checks the actor's right to act (the rule book and the data scope), runs in one
transaction, and names the actor as the author of the history rows it writes. Refusals are
ValidationError (with a message for the user, by field where there is one) and leave nothing
written; an action the actor may not take, or a customer outside their scope, is
PermissionDenied, which pages and the API answer as 404.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.utils import bulk_update_with_history

from qiao.approvals.models import ApprovalRequest
from qiao.approvals.services import request_submit
from qiao.core import calendar
from qiao.core.concurrency import save_versioned
from qiao.core.exceptions import ConflictError, StaleVersionError
from qiao.core.files import store
from qiao.core.history import authored_by
from qiao.core.money import format_amount
from qiao.core.registry import TimelineKind
from qiao.core.signatures import decode_signature
from qiao.core.validators import PlausibleDate
from qiao.customers.models import Contact, Customer
from qiao.customers.services import customer_event_record
from qiao.notify import kinds as notify_kinds
from qiao.notify.services import notify
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from . import selectors
from .actions import HOSPITALITY_BUDGET, VISIT_RECORD
from .models import (
    CalendarFeed,
    Commitment,
    HospitalityBudget,
    HospitalityCost,
    HospitalityRequest,
    ScheduledVisit,
    Visit,
    VisitSchedule,
)
from .selectors import Candidate

Status = Commitment.Status
VISIT_EVENT = "visit_recorded"
COMMITMENT_FULFILLED = "commitment_fulfilled"
# A return visit (回访) is due this many days after a commitment is fulfilled, on the next
# working day of the business calendar from then (客户拜访管理制度 第16条: 及时进行客户回访).
RETURN_VISIT_AFTER_DAYS = 7
# A sign-in time a phone sends may run ahead of the server's clock by this much.
CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_COMMITMENTS = 10


def _visit_text(params) -> str:
    kind = dict(Visit.Kind.choices).get(params["kind"], params["kind"])
    if params.get("people"):
        return gettext("%(kind)s: met %(people)s") % {"kind": kind, "people": params["people"]}
    return str(kind)


def _fulfilled_text(params) -> str:
    return gettext("Commitment fulfilled: %(text)s; return visit due %(due)s") % params


# Its lines on the customer's timeline (registered in apps.ready). A visit is contact with the
# customer: it moves "last follow-up".
TIMELINE_KINDS = (
    TimelineKind(VISIT_EVENT, _visit_text, "bi-geo-alt", follow_up=True,
                 params=("kind", "people")),
    TimelineKind(COMMITMENT_FULFILLED, _fulfilled_text, "bi-check2-square",
                 params=("text", "due")),
)


@dataclass
class VisitInput:
    """What a visit record says, as the form or the API hands it to `visit_record`."""

    customer: Customer
    visited_on: datetime.date | None
    signer_name: str
    signature: str  # the signature pad's PNG data URL
    idempotency_key: object
    kind: str = Visit.Kind.REGULAR
    situation: str = ""
    method: str = ""
    planned: bool = True
    purpose: str = ""
    contacts: list = field(default_factory=list)  # Contact rows or ids
    tasks: list = field(default_factory=list)
    findings: str = ""
    needs: str = ""
    complaints: str = ""
    suggestions: str = ""
    competitors: str = ""
    suggested_order: str = ""
    signed_in_at: datetime.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None
    commitments: list = field(default_factory=list)  # (text, due date) pairs


TEXT_FIELDS = ("situation", "purpose", "findings", "needs", "complaints", "suggestions",
               "competitors", "suggested_order")


def _may_record(actor):
    if not can(actor, VISIT_RECORD):
        raise PermissionDenied


def _visible_customer(actor, customer) -> Customer:
    """The customer as the actor sees it, locked for this transaction; PermissionDenied when it
    is outside the actor's scope (or deleted)."""
    found = (Customer.objects.visible_to(actor).select_for_update(of=("self",))
             .filter(pk=customer.pk).first())
    if found is None:
        raise PermissionDenied
    return found


def _check_commitments(pairs, visited_on) -> list[tuple[str, datetime.date]]:
    rows = []
    for text, due_on in pairs:
        text = (text or "").strip()
        if not text and due_on is None:
            continue
        if not text:
            raise ValidationError({"commitments": _("Say what was promised for each due date.")})
        if due_on is None:
            raise ValidationError({"commitments": _("Give each commitment a due date.")})
        if visited_on is not None and due_on < visited_on:
            raise ValidationError({"commitments": _("A commitment is due on or after the visit "
                                                    "date.")})
        rows.append((text[:300], due_on))
    if len(rows) > MAX_COMMITMENTS:
        raise ValidationError({"commitments": _("At most %(n)s commitments on one visit.")
                               % {"n": MAX_COMMITMENTS}})
    return rows


def _check_visit(actor, customer, data: VisitInput, now) -> dict:
    """The visit's values, cleaned, or ValidationError by field (nothing is written yet)."""
    errors = {}
    today = timezone.localdate()
    visited_on = data.visited_on
    if visited_on is None:
        errors["visited_on"] = _("Enter the date of the visit.")
    elif visited_on > today:
        errors["visited_on"] = _("A visit is recorded once it has taken place: the date cannot "
                                 "be in the future.")
    values = {name: (getattr(data, name) or "").strip() for name in TEXT_FIELDS}
    kind = data.kind or Visit.Kind.REGULAR
    if kind not in Visit.Kind.values:
        errors["kind"] = _("Choose regular or special visit.")
    elif kind == Visit.Kind.SPECIAL and not values["situation"]:
        errors["situation"] = _("A special visit says what happened at the customer's.")
    signer = (data.signer_name or "").strip()
    if not signer:
        errors["signer_name"] = _("Enter the name of the person who signs.")
    checklist = selectors.checklist_for(customer)
    tasks = list(dict.fromkeys(data.tasks or []))
    if set(tasks) - set(checklist):
        errors["tasks"] = _("Tick only the tasks of this customer's visit checklist.")
    contact_ids = {c.pk if isinstance(c, Contact) else c for c in data.contacts or []}
    contacts = list(Contact.objects.filter(pk__in=contact_ids, customer=customer,
                                           is_deleted=False))
    if len(contacts) != len(contact_ids):
        errors["contacts"] = _("Choose people met among this customer's contacts.")
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = _("A location needs both its latitude and its longitude.")
    signed_in_at = data.signed_in_at or now
    try:
        if timezone.is_naive(signed_in_at):  # a client's local time without its offset
            signed_in_at = timezone.make_aware(signed_in_at)
        sign_in_day = timezone.localtime(signed_in_at).date()
    except (OverflowError, ValueError):  # year 1 or 9999 moved into the local time zone
        sign_in_day = None
    if signed_in_at > now + CLOCK_SKEW:
        errors["signed_in_at"] = _("The sign-in time cannot be in the future.")
    elif visited_on is not None and sign_in_day != visited_on:
        errors["signed_in_at"] = _("The sign-in time is on the day of the visit.")
    try:
        commitments = _check_commitments(data.commitments or [], visited_on)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        commitments = []
    try:
        png = decode_signature(data.signature)
    except ValidationError as exc:
        errors["signature"] = exc.messages[0]
        png = None
    if errors:
        raise ValidationError(errors)
    method = data.method or selectors.default_method(customer)
    return {"values": values, "kind": kind, "method": method, "signer": signer[:40],
            "tasks": [task for task in checklist if task in tasks], "contacts": contacts,
            "signed_in_at": signed_in_at, "commitments": commitments, "png": png}


def visit_record(*, actor, data: VisitInput) -> tuple[Visit, bool]:
    """Store a visit record, signed by the customer, with the commitments made on it; (the
    record, True). A record whose idempotency key is already stored — the same record sent
    again — is not stored twice: (the first one, False), when it is the actor's; someone
    else's key is a conflict. One transaction: the record, its signature file, its people met,
    its commitments, the return visits it makes and its line on the customer's timeline, or
    nothing."""
    _may_record(actor)
    existing = selectors.visit_by_key(data.idempotency_key)
    if existing is not None:
        return _already_sent(actor, existing), False
    try:
        with transaction.atomic():
            return _visit_create(actor, data), True
    except IntegrityError:
        # Sent twice at once: the other request stored it first (the unique key decided).
        existing = selectors.visit_by_key(data.idempotency_key)
        if existing is None:
            raise
        return _already_sent(actor, existing), False


def _already_sent(actor, visit) -> Visit:
    if visit.author_id != actor.pk:
        raise ConflictError(_("This record's key belongs to another visit record; send it "
                              "again as a new record."), field="idempotency_key")
    return visit


def _visit_create(actor, data: VisitInput) -> Visit:
    customer = _visible_customer(actor, data.customer)
    now = timezone.now()
    clean = _check_visit(actor, customer, data, now)
    visit = Visit(customer=customer, author=actor, kind=clean["kind"], method=clean["method"],
                  planned=bool(data.planned), visited_on=data.visited_on, tasks=clean["tasks"],
                  signed_in_at=clean["signed_in_at"], latitude=data.latitude,
                  longitude=data.longitude, accuracy=data.accuracy,
                  signer_name=clean["signer"], signed_at=now,
                  idempotency_key=data.idempotency_key, **clean["values"])
    if visit.kind == Visit.Kind.REGULAR:
        visit.situation = ""
    store(visit, ContentFile(clean["png"], name="signature.png"), uploaded_by=actor,
          secret_level=customer.secret_level,
          original_name=_("Signature of %(name)s.png") % {"name": visit.signer_name})
    # The file exists before the row: if writing the rows fails, remove it again.
    try:
        visit.full_clean(exclude=["file", "contacts"], validate_unique=False)
        authored_by(visit, actor).save()
        visit.contacts.set(clean["contacts"])
        for text, due_on in clean["commitments"]:
            commitment = Commitment(visit=visit, customer=customer, owner=actor, text=text,
                                    due_on=due_on)
            commitment.full_clean(exclude=["visit", "customer", "owner"])
            authored_by(commitment, actor).save()
        _link_return_visits(actor, visit)
        customer_event_record(
            customer, VISIT_EVENT, actor=actor, link=visit,
            params={"kind": visit.kind, "people": "、".join(c.name for c in clean["contacts"])})
    except Exception:
        visit.file.delete(save=False)
        raise
    return visit


def _link_return_visits(actor, visit):
    """The visit is the return visit (回访) of the customer's commitments fulfilled on or before
    its date and waiting for one."""
    waiting = (Commitment.objects.select_for_update()
               .filter(customer=visit.customer, status=Status.FULFILLED,
                       return_visit__isnull=True, closed_on__lte=visit.visited_on))
    for commitment in waiting:
        commitment.return_visit = visit
        commitment.updated_at = timezone.now()
        authored_by(commitment, actor).save(update_fields=["return_visit", "updated_at"])


def _lock_commitment(actor, commitment) -> Commitment:
    _may_record(actor)
    found = (Commitment.objects.visible_to(actor).select_for_update(of=("self",))
             .filter(pk=commitment.pk).first())
    if found is None:
        raise PermissionDenied
    if found.status != Status.OPEN:
        raise ConflictError(_("This commitment is already %(status)s.")
                            % {"status": found.get_status_display()})
    return found


def return_due_date(fulfilled_on) -> datetime.date:
    """When the return visit of a commitment fulfilled on `fulfilled_on` is due: a week on, on
    a working day."""
    return calendar.next_working_day(
        fulfilled_on + datetime.timedelta(days=RETURN_VISIT_AFTER_DAYS), including=True)


@transaction.atomic
def commitment_fulfil(*, actor, commitment, note="") -> Commitment:
    """The promise is kept: the commitment is fulfilled today and its return visit (回访) falls
    due (`return_due_date`), shown to its owner until the customer's next visit."""
    commitment = _lock_commitment(actor, commitment)
    today = timezone.localdate()
    commitment.status = Status.FULFILLED
    commitment.closed_on = today
    commitment.note = (note or "").strip()[:200]
    commitment.return_due_on = return_due_date(today)
    commitment.updated_at = timezone.now()
    authored_by(commitment, actor).save()
    customer_event_record(commitment.customer, COMMITMENT_FULFILLED, actor=actor,
                          link=commitment, params={"text": commitment.text,
                                                   "due": commitment.return_due_on.isoformat()})
    return commitment


@transaction.atomic
def commitment_cancel(*, actor, commitment, note) -> Commitment:
    """The promise will not be kept (the customer no longer needs it…): cancelled, with why."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the commitment is cancelled.")})
    commitment = _lock_commitment(actor, commitment)
    commitment.status = Status.CANCELLED
    commitment.closed_on = timezone.localdate()
    commitment.note = note[:200]
    commitment.updated_at = timezone.now()
    authored_by(commitment, actor).save()
    return commitment


def commitments_hand_over(*, actor, from_user, to_user, customer_ids, reason, now) -> int:
    """The handover step (core.registry.handover_steps): the commitments of the customers
    handed over that `from_user` still has to keep — open, or fulfilled and waiting for their
    return visit — become `to_user`'s, with a history row each. Inside the handover's
    transaction; returns how many moved."""
    moving = list(Commitment.objects.select_for_update()
                  .filter(owner=from_user, customer_id__in=customer_ids)
                  .filter(Q(status=Status.OPEN)
                          | Q(status=Status.FULFILLED, return_visit__isnull=True)))
    for commitment in moving:
        commitment.owner = to_user
        commitment.updated_at = now
    bulk_update_with_history(moving, Commitment, ["owner", "updated_at"], default_user=actor,
                             default_change_reason=reason, default_date=now)
    return len(moving)


# --- hospitality ---------------------------------------------------------------------------

HOSPITALITY_FIELDS = ("customer", "amount", "date", "guests", "purpose")


def _clean_hospitality(hospitality):
    hospitality.guests = hospitality.guests.strip()
    hospitality.purpose = hospitality.purpose.strip()
    hospitality.full_clean()


def _check_budget(hospitality):
    """The manager's budget as it stands for this request (招待费预算: 本月预算, 已用), kept on
    the request for its approvers; over the balance, the request needs the next approval
    level. The month's budgets are locked, so that two requests raised at once cannot both
    take the same balance."""
    month = selectors.month_of(hospitality.date)
    budgets = list(HospitalityBudget.objects.select_for_update(of=("self",))
                   .filter(manager=hospitality.requester_id, month=month).order_by("pk"))
    status = selectors.status_for(
        selectors.budget_statuses(budgets, month, exclude=hospitality.pk), hospitality.customer)
    hospitality.budget = status.amount if status else None
    hospitality.budget_used = status.used if status else None
    hospitality.over_budget = status is not None and hospitality.amount > status.balance


@transaction.atomic
def hospitality_request_create(*, actor, customer, amount, date, guests, purpose):
    """A hospitality request and its approval request, together or not at all (the engine asks
    `hospitality_over_budget`, which keeps the budget on the request)."""
    hospitality = HospitalityRequest(customer=customer, requester=actor, amount=amount, date=date,
                                     guests=guests, purpose=purpose)
    _clean_hospitality(hospitality)
    authored_by(hospitality, actor).save()
    return request_submit(actor=actor, type_code="hospitality", subject=hospitality)


def hospitality_request_edit(hospitality, data, actor):
    """The requester's changes to a hospitality request returned for changes: the engine's
    on_edit, inside `request_resubmit`'s transaction (the form has checked the customer is one
    the requester sees). The engine checks the budget again when the new round starts."""
    for name in HOSPITALITY_FIELDS:
        setattr(hospitality, name, data[name])
    _clean_hospitality(hospitality)
    authored_by(hospitality, actor).save()


def hospitality_over_budget(hospitality) -> bool:
    """The request type's over_limit, asked whenever a round starts (submitted, resubmitted —
    changed or not): the budget checked as it stands then, and kept on the request. Over the
    balance, the next approval level decides too."""
    before = (hospitality.budget, hospitality.budget_used, hospitality.over_budget)
    _check_budget(hospitality)
    if (hospitality.budget, hospitality.budget_used, hospitality.over_budget) != before:
        hospitality.save(update_fields=["budget", "budget_used", "over_budget"])
    return hospitality.over_budget


def _budget_month(month) -> datetime.date:
    if not isinstance(month, datetime.date):
        raise ValidationError({"month": _("Choose a month.")})
    try:
        PlausibleDate()(month)
    except ValidationError as refused:
        raise ValidationError({"month": refused.messages}) from None
    return selectors.month_of(month)


def _budget_managers(actor) -> dict:
    if not can(actor, HOSPITALITY_BUDGET):
        raise PermissionDenied
    return {manager.pk: manager for manager in selectors.budget_managers(actor)}


@transaction.atomic
def hospitality_budgets_set(*, actor, month, grade=None, amounts: dict) -> int:
    """Set the budgets of `month` (for the customers of `grade`; None: the general budget) of
    the managers in `amounts` (manager id → amount, None: no budget), all or nothing. A manager
    outside the actor's scope, or the actor themselves, is refused as missing. Returns how many
    budgets changed."""
    month = _budget_month(month)
    managers = _budget_managers(actor)
    if not set(amounts) <= set(managers):
        raise PermissionDenied
    existing = {budget.manager_id: budget for budget in HospitalityBudget.objects
                .select_for_update(of=("self",)).filter(month=month, grade=grade, manager__in=list(amounts))}
    changed, errors = 0, {}
    for manager_id, amount in amounts.items():
        budget = existing.get(manager_id)
        if amount is None:
            if budget is not None:
                authored_by(budget, actor).delete()
                changed += 1
            continue
        if budget is None:
            budget = HospitalityBudget(manager=managers[manager_id], month=month, grade=grade)
        elif budget.amount == amount:
            continue
        budget.amount = amount
        try:
            budget.full_clean()
        except ValidationError as refused:
            errors[f"amount_{manager_id}"] = refused.messages
            continue
        authored_by(budget, actor).save()
        changed += 1
    if errors:
        raise ValidationError(errors)
    return changed


@transaction.atomic
def hospitality_budgets_copy(*, actor, month) -> int:
    """Last month's budgets (every grade's) of the actor's managers into `month`, where that
    month has none of the same manager and grade yet. Returns how many were copied."""
    month = _budget_month(month)
    managers = _budget_managers(actor)
    taken = set(HospitalityBudget.objects.select_for_update(of=("self",))
                .filter(month=month, manager__in=list(managers))
                .values_list("manager_id", "grade_id"))
    copied = 0
    for source in (HospitalityBudget.objects.filter(
            month=selectors.previous_month(month), manager__in=list(managers)).order_by("pk")):
        if (source.manager_id, source.grade_id) in taken:
            continue
        budget = HospitalityBudget(manager_id=source.manager_id, month=month,
                                   grade_id=source.grade_id, amount=source.amount)
        authored_by(budget, actor).save()
        copied += 1
    return copied


# An actual cost above the approved amount by more than this share (a tip, rounding at the
# till) needs a new request for the difference.
COST_TOLERANCE = Decimal("0.05")
RECEIPT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")


def _check_receipt(receipt):
    name = (getattr(receipt, "name", "") or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if receipt is None or extension not in RECEIPT_EXTENSIONS:
        raise ValidationError({"receipt": _("Attach the receipt as a PDF, JPEG or PNG file.")})


@transaction.atomic
def hospitality_cost_record(*, actor, hospitality, amount, receipt, note=""):
    """The actual cost (实际费用) of an approved hospitality, with its receipt (票据), recorded
    once by its requester from the day of the event. More than the approved amount beyond
    COST_TOLERANCE is refused: the difference needs a request of its own."""
    hospitality = HospitalityRequest.objects.select_for_update().get(pk=hospitality.pk)
    if hospitality.requester_id != actor.pk:
        raise PermissionDenied
    state = (ApprovalRequest.objects.filter(type_code="hospitality", object_id=hospitality.pk)
             .order_by("-created_at", "-id").values_list("state", flat=True).first())
    if state != ApprovalRequest.State.APPROVED:
        raise ValidationError(_("The actual cost is recorded once the request is approved."))
    if HospitalityCost.objects.filter(request=hospitality).exists():
        raise ConflictError(_("The actual cost of this hospitality is already recorded."))
    if not hospitality.event_passed:
        raise ValidationError({"amount": _("The actual cost is recorded from the day of the "
                                           "hospitality (%(date)s) on.")
                               % {"date": hospitality.date.isoformat()}})
    if amount is not None and amount > hospitality.amount * (1 + COST_TOLERANCE):
        raise ValidationError({"amount": _(
            "The actual cost is more than the approved ¥%(approved)s: raise a new hospitality "
            "request for the difference of ¥%(difference)s first.") % {
                "approved": format_amount(hospitality.amount),
                "difference": format_amount(amount - hospitality.amount)}})
    _check_receipt(receipt)
    cost = HospitalityCost(request=hospitality, amount=amount, note=(note or "").strip())
    try:
        store(cost, receipt, uploaded_by=actor,
              secret_level=max(cost.secret_level, hospitality.customer.secret_level))
    except ValidationError as refused:
        raise ValidationError({"receipt": refused.messages}) from None
    cost.full_clean(exclude=["file"])
    authored_by(cost, actor).save()
    return cost


def approval_title(params):
    return gettext("Hospitality for %(customer)s, ¥%(amount)s") % {
        **params, "amount": format_amount(params["amount"])}


def approval_title_params(hospitality):
    return {"customer": hospitality.customer.name, "amount": f"{hospitality.amount:.2f}"}


# --- weekly visit schedules (客户访问日程表) ---------------------------------------------------

Reason = ScheduledVisit.Reason
# Inbox messages (notify.kinds, registered in apps.ready): a schedule submitted, for the
# manager's supervisor; the supervisor's comment, for the manager.
SCHEDULE_SUBMITTED = "schedule_submitted"
SCHEDULE_COMMENTED = "schedule_commented"


def register_message_kinds():
    notify_kinds.register(SCHEDULE_SUBMITTED, title=lambda p: gettext(
        "%(manager)s submitted the visit schedule of the week of %(week)s") % p)
    notify_kinds.register(SCHEDULE_COMMENTED, title=lambda p: gettext(
        "%(supervisor)s commented on your visit schedule of the week of %(week)s") % p,
        body=lambda p: p["comment"])
MAX_SCHEDULED = 200  # lines on one week's schedule
ALREADY_SUBMITTED = _lazy("This week's schedule has already been submitted; it can no longer "
                          "be changed or submitted again.")


def schedule_weeks_open(today=None) -> tuple[datetime.date, datetime.date]:
    """The weeks a manager may have proposed: this week and the next."""
    this_week = selectors.week_of(today or timezone.localdate())
    return this_week, this_week + datetime.timedelta(days=7)


def _balance(candidates, days) -> list[tuple[Candidate, datetime.date]]:
    """Each candidate on the least loaded working day on or after its earliest (the earlier
    of equals; the last working day when it is due after it), so the week is balanced and
    nothing comes before its date. Candidates come most urgent first: the overdue take the
    first free days."""
    if not days:
        return []
    load = dict.fromkeys(days, 0)
    placed = []
    for candidate in candidates:
        allowed = [day for day in days if day >= candidate.earliest] or [days[-1]]
        day = min(allowed, key=lambda d: (load[d], d))
        load[day] += 1
        placed.append((candidate, day))
    return placed


def schedule_propose(*, actor, week_start) -> tuple[VisitSchedule, bool]:
    """`actor`'s schedule of the week starting `week_start`: the one already made, or a draft
    proposed from the rules (`selectors.schedule_candidates`) and balanced over the week's
    working days; (schedule, True when proposed now). Only this week's and next week's are
    proposed; another week without a schedule is Http404. A fixed number of queries whatever
    the number of customers."""
    _may_record(actor)
    week_start = selectors.week_of(week_start)
    existing = VisitSchedule.objects.filter(manager=actor, week_start=week_start).first()
    if existing is not None:
        return existing, False
    if week_start not in schedule_weeks_open():
        raise Http404
    candidates = selectors.schedule_candidates(actor, week_start)[:MAX_SCHEDULED]
    placed = _balance(candidates, selectors.working_days(week_start))
    try:
        with transaction.atomic():
            schedule = VisitSchedule(manager=actor, unit=actor.unit, week_start=week_start)
            authored_by(schedule, actor).save()
            orders: dict = {}
            lines = []
            for candidate, day in placed:
                orders[day] = orders.get(day, 0) + 1
                lines.append(ScheduledVisit(schedule=schedule, customer=candidate.customer,
                                            day=day, reason=candidate.reason,
                                            note=candidate.note[:300], order=orders[day]))
            ScheduledVisit.objects.bulk_create(lines)
    except IntegrityError:
        # Opened twice at once: the other request proposed it first (the unique week decided).
        return VisitSchedule.objects.get(manager=actor, week_start=week_start), False
    return schedule, True


def _lock_schedule(actor, schedule) -> VisitSchedule:
    found = (VisitSchedule.objects.visible_to(actor).select_for_update(of=("self",))
             .filter(pk=schedule.pk).first())
    if found is None:
        raise PermissionDenied
    return found


def _own_draft(actor, schedule) -> VisitSchedule:
    """The actor's own schedule, locked, while it is a draft (ValidationError once submitted:
    nothing of the change is written)."""
    _may_record(actor)
    schedule = _lock_schedule(actor, schedule)
    if schedule.manager_id != actor.pk:
        raise PermissionDenied
    if schedule.is_submitted:
        raise ValidationError(str(ALREADY_SUBMITTED))
    return schedule


@dataclass
class ScheduleChange:
    """An edit of a schedule: lines moved to another day ({line id: day}), lines removed (ids)
    and customers added ((customer or id, day) pairs)."""

    moves: dict = field(default_factory=dict)
    remove: set = field(default_factory=set)
    add: list = field(default_factory=list)


@transaction.atomic
def schedule_edit(*, actor, schedule, expected_version, change: ScheduleChange) -> VisitSchedule:
    """The manager's changes to their draft schedule, all or nothing: a move to a day outside
    the week's working days, a line not on it, a customer out of scope or already on it is
    ValidationError; a schedule changed since `expected_version` is StaleVersionError (409).
    A change that changes nothing writes nothing."""
    schedule = _own_draft(actor, schedule)
    open_days = set(selectors.working_days(schedule.week_start))
    lines = {line.pk: line for line in ScheduledVisit.objects.filter(schedule=schedule)}
    errors = {}
    moves = {}
    for pk, day in (change.moves or {}).items():
        line = lines.get(_int(pk))
        if line is None:
            errors["moves"] = _("Move only the visits of this schedule.")
        elif day not in open_days:
            errors["moves"] = _("Choose a working day of the week for each visit.")
        elif line.day != day:
            moves[line.pk] = day
    removed = set()
    for pk in change.remove or ():
        if _int(pk) not in lines:
            errors["remove"] = _("Remove only the visits of this schedule.")
        else:
            removed.add(_int(pk))
    on_it = {line.customer_id for pk, line in lines.items() if pk not in removed}
    wanted = [(c.pk if isinstance(c, Customer) else _int(c), day) for c, day in change.add or ()]
    visible = {c.pk: c for c in Customer.objects.visible_to(actor)
               .filter(pk__in=[pk for pk, _day in wanted])}
    added = []
    for pk, day in wanted:
        if pk not in visible:
            errors["add"] = _("Choose one of the customers you see.")
        elif pk in on_it:
            errors["add"] = _("%(customer)s is already on this schedule.") % {
                "customer": visible[pk].name}
        elif day not in open_days:
            errors["add"] = _("Choose a working day of the week for each visit.")
        else:
            on_it.add(pk)
            added.append((visible[pk], day))
    if len(on_it) > MAX_SCHEDULED:
        errors["add"] = _("At most %(n)s visits on one week's schedule.") % {"n": MAX_SCHEDULED}
    if errors:
        raise ValidationError(errors)
    if not (moves or removed or added):
        if expected_version != schedule.version:
            raise StaleVersionError.of(schedule)
        return schedule
    save_versioned(schedule, expected_version=expected_version)
    ends: dict = {}
    for line in lines.values():
        if line.pk not in removed and line.pk not in moves:
            ends[line.day] = max(ends.get(line.day, 0), line.order)
    now = timezone.now()
    moved = []
    for pk, day in sorted(moves.items()):
        line = lines[pk]
        ends[day] = ends.get(day, 0) + 1
        line.day, line.order, line.updated_at = day, ends[day], now
        moved.append(line)
    ScheduledVisit.objects.bulk_update(moved, ["day", "order", "updated_at"])
    ScheduledVisit.objects.filter(pk__in=removed).delete()
    new_lines = []
    for customer, day in added:
        ends[day] = ends.get(day, 0) + 1
        new_lines.append(ScheduledVisit(schedule=schedule, customer=customer, day=day,
                                        reason=Reason.MANUAL, order=ends[day]))
    ScheduledVisit.objects.bulk_create(new_lines)
    return schedule


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def schedule_submit(*, actor, schedule, expected_version) -> VisitSchedule:
    """The manager hands the week's schedule in: no longer changed afterwards. A week already
    submitted is refused (ValidationError), a stale version is 409; nothing is written then."""
    schedule = _own_draft(actor, schedule)
    schedule.status = VisitSchedule.Status.SUBMITTED
    schedule.submitted_at = timezone.now()
    save_versioned(schedule, expected_version=expected_version,
                   change_reason="submitted")
    supervisor = first_superior(actor, lambda person: can(person, VISIT_RECORD))
    if supervisor is not None:
        notify(recipients=[supervisor], kind=SCHEDULE_SUBMITTED,
               params={"manager": str(actor), "week": schedule.week_start.isoformat()},
               url=reverse("visits:schedule_detail", args=[schedule.pk]),
               key=f"schedule-submitted-{schedule.pk}")
    return schedule


@transaction.atomic
def schedule_comment(*, actor, schedule, expected_version, comment) -> VisitSchedule:
    """The supervisor's comment on a manager's schedule (draft or submitted): whoever sees the
    schedule and records visits, but not its own manager. An empty comment is refused."""
    _may_record(actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    schedule = _lock_schedule(actor, schedule)
    if schedule.manager_id == actor.pk:
        raise PermissionDenied
    if comment == schedule.comment and expected_version == schedule.version:
        return schedule
    schedule.comment = comment[:2000]
    schedule.commented_by = actor
    schedule.commented_at = timezone.now()
    save_versioned(schedule, expected_version=expected_version)
    notify(recipients=[schedule.manager], kind=SCHEDULE_COMMENTED,
           params={"supervisor": str(actor), "week": schedule.week_start.isoformat(),
                   "comment": schedule.comment[:200]},
           url=f"{reverse('visits:schedule')}?week={schedule.week_start.isoformat()}")
    return schedule


def feed_issue(*, actor) -> CalendarFeed:
    """A new secret address for the actor's calendar feed; the previous one stops working."""
    _may_record(actor)
    token = secrets.token_urlsafe(32)
    feed, _created = CalendarFeed.objects.update_or_create(user=actor,
                                                           defaults={"token": token})
    return feed


def feed_revoke(*, actor) -> bool:
    """The actor's calendar feed address stops working; True if there was one."""
    deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    return bool(deleted)


def schedules_hand_over(*, actor, from_user, to_user, customer_ids, reason, now) -> int:
    """The handover step (core.registry.handover_steps): the customers handed over leave
    `from_user`'s draft schedules (their new manager's next proposal takes them in); each
    schedule changed gets a new version, so a page opened before the handover is stale (409).
    Submitted weeks keep them, as planned. Inside the handover's transaction; returns how
    many lines were removed."""
    lines = ScheduledVisit.objects.filter(schedule__manager=from_user,
                                          schedule__status=VisitSchedule.Status.DRAFT,
                                          customer_id__in=customer_ids)
    schedule_ids = set(lines.values_list("schedule_id", flat=True))
    removed, _rows = lines.delete()
    VisitSchedule._base_manager.filter(pk__in=schedule_ids).update(
        version=F("version") + 1, updated_at=now)
    return removed


def schedules_follow_manager(*, owner) -> int:
    """The owner_moved hook: a manager's schedules carry the manager's unit (their scope), so
    they follow the manager to a new unit, as the customers do (derived data, no history)."""
    return VisitSchedule._base_manager.filter(manager=owner).update(unit_id=owner.unit_id)
