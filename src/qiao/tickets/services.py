"""Every change to a service ticket. Each runs in one transaction on a freshly locked copy of
the ticket (the SLA sweep writes the same row), names its author in the history, logs its step
(TicketEvent) and tells whom it concerns through the inbox.

Rules the handbooks set: a reply to the customer is the first response (24 business hours by
default); the resolution clock stops while the ticket waits on the customer; a complaint is
resolved with its cause; only the customer's confirmation (a 1–5 rating) closes a ticket; a
closed ticket can be reopened within QIAO_TICKET_REOPEN_DAYS, and then its resolution clock
starts again."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core import calendar
from qiao.core.exceptions import StaleVersionError, TransitionNotAllowed
from qiao.core.history import authored_by
from qiao.core.registry import TimelineKind
from qiao.core.validators import normalize_phone
from qiao.customers.models import Customer
from qiao.customers.services import customer_event_record
from qiao.notify import kinds
from qiao.notify.services import notify
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from .actions import TICKET_ASSIGN, TICKET_HANDLE
from .events import TICKET_CLOSED, TICKET_CREATED, ticket_emit
from .models import (
    MAX_CALL_SECONDS,
    OPEN_STATUSES,
    TICKET_KIND_OF_PURPOSE,
    AssignmentRule,
    Call,
    CallResult,
    Channel,
    Kind,
    SlaPolicy,
    Status,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from .selectors import number_matches

DEFAULT_POLICY_HOURS = (Decimal(24), Decimal(72), Decimal(4))  # response, resolution, warning
REPEAT_DAYS = 90  # a second complaint of one customer within this many days is a repeat

# --- the steps of a ticket, composed when read --------------------------------------------------

CREATED, ASSIGNED, TAKEN, REPLIED, NOTED, WAITING, RESUMED = (
    "created", "assigned", "taken", "replied", "noted", "waiting", "resumed")
RESOLVED, CLOSED, REOPENED, WARNED, BREACHED, CASE_ADDED = (
    "resolved", "closed", "reopened", "warned", "breached", "case_added")

CLOCKS = {"first_response": gettext_lazy("first response"),
          "resolution": gettext_lazy("resolution")}


def _clock(params) -> str:
    return str(CLOCKS.get(params.get("clock"), params.get("clock", "")))


EVENT_TEXTS = {
    CREATED: lambda p: _("Registered (%(channel)s)") % p,
    ASSIGNED: lambda p: (_("Assigned to %(to)s: %(reason)s") if p.get("reason")
                         else _("Assigned to %(to)s")) % p,
    TAKEN: lambda p: _("Taken"),
    REPLIED: lambda p: _("Replied to the customer"),
    NOTED: lambda p: _("Internal note added"),
    WAITING: lambda p: _("Waiting on the customer: the resolution clock stops"),
    RESUMED: lambda p: _("Work resumed: the resolution clock runs again"),
    RESOLVED: lambda p: _("Resolved"),
    CLOSED: lambda p: _("Confirmed by the customer and closed, satisfaction %(rating)s/5") % p,
    REOPENED: lambda p: _("Reopened: %(reason)s") % p,
    WARNED: lambda p: _("The %(clock)s is due soon") % {"clock": _clock(p)},
    BREACHED: lambda p: _("The %(clock)s time was exceeded; escalated to %(to)s") % {
        "clock": _clock(p), "to": p.get("to") or "—"},
    CASE_ADDED: lambda p: _("Added to the case library"),
}


def event_text(event) -> str:
    text = EVENT_TEXTS.get(event.code)
    try:
        return text(event.params) if text else event.code
    except (KeyError, TypeError, ValueError):
        return event.code


def _event(ticket, code, actor=None, at=None, **params):
    TicketEvent.objects.create(ticket=ticket, code=code, actor=actor, params=params,
                               at=at or timezone.now())


# --- the customer's timeline and the inbox ------------------------------------------------------

TIMELINE_KINDS = (
    # The customer reached us (a complaint, a call…): contact with the customer.
    TimelineKind("ticket_opened", gettext_lazy("Service ticket %(number)s: %(subject)s"),
                 "bi-headset", follow_up=True, params=("number", "subject")),
    TimelineKind("ticket_closed",
                 gettext_lazy("Service ticket %(number)s closed, satisfaction %(rating)s/5"),
                 "bi-check2-circle", params=("number", "rating")),
)

OPENED_FOR_OWNER, ASSIGNED_TO_YOU, SLA_WARNING, SLA_BREACH = (
    "ticket_opened", "ticket_assigned", "ticket_sla_warning", "ticket_sla_breach")


def register_kinds():
    """Called from the app's ready(): how its inbox messages read."""
    kinds.register(OPENED_FOR_OWNER, title=lambda p: _(
        "New service ticket %(number)s on your customer %(customer)s: %(subject)s") % p)
    kinds.register(ASSIGNED_TO_YOU, title=lambda p: _(
        "Service ticket %(number)s is yours: %(subject)s") % p)
    kinds.register(SLA_WARNING, title=lambda p: _(
        "Service ticket %(number)s: the %(clock)s is due at %(due)s") % {**p, "clock": _clock(p)})
    kinds.register(SLA_BREACH, title=lambda p: _(
        "Service ticket %(number)s: the %(clock)s time was exceeded (due %(due)s)") % {
        **p, "clock": _clock(p)})


def _url(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.pk])


def _message_params(ticket) -> dict:
    return {"number": ticket.number, "subject": ticket.subject, "customer": ticket.customer.name}


# --- SLA ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hours:
    response: Decimal
    resolution: Decimal
    warn: Decimal


def policy_hours(kind, severity, grade_id) -> Hours:
    """The hours of the policy naming the most of (kind, severity, grade) that all hold; the
    handbooks' 24 hours to a first response when none does."""
    candidates = SlaPolicy.objects.filter(
        Q(kind="") | Q(kind=kind), Q(severity="") | Q(severity=severity),
        Q(grade__isnull=True) | Q(grade_id=grade_id))
    best = max(candidates, default=None, key=lambda p: (
        bool(p.kind) + bool(p.severity) + (p.grade_id is not None), -p.pk))
    if best is None:
        return Hours(*DEFAULT_POLICY_HOURS)
    return Hours(best.first_response_hours, best.resolution_hours, best.warn_hours)


def _warn_at(due, hours: Hours, start):
    """When to warn: `warn` business hours before `due`, never before `start`."""
    if not hours.warn:
        return due
    return max(calendar.subtract_business_hours(due, hours.warn), start)


def _start_clocks(ticket, start, *, response=True):
    hours = policy_hours(ticket.kind, ticket.severity, ticket.customer.grade_id)
    if response:
        ticket.first_response_due = calendar.add_business_hours(start, hours.response)
        ticket.first_response_warn_at = _warn_at(ticket.first_response_due, hours, start)
    ticket.resolution_due = calendar.add_business_hours(start, hours.resolution)
    ticket.resolution_warn_at = _warn_at(ticket.resolution_due, hours, start)
    ticket.resolution_warned_at = ticket.resolution_breached_at = None


def _resume_clock(ticket, now):
    """Leave waiting: the resolution due moves by the business time spent waiting (what was
    left when the wait began is left now)."""
    if ticket.paused_at is None:
        return
    if ticket.paused_at < ticket.resolution_due:
        left = calendar.business_hours_between(ticket.paused_at, ticket.resolution_due)
        warn_left = calendar.business_hours_between(ticket.paused_at, ticket.resolution_warn_at)
        ticket.resolution_due = calendar.add_business_hours(now, left)
        ticket.resolution_warn_at = (calendar.add_business_hours(now, warn_left)
                                     if warn_left > timedelta(0) else now)
    ticket.paused_at = None


def clocks(ticket, now=None) -> list[dict]:
    """The ticket's two clocks as its page shows them: due, done at, and whether met,
    breached, running or stopped."""
    now = now or timezone.now()
    result = []
    for code, due, done in (("first_response", ticket.first_response_due,
                             ticket.first_response_at),
                            ("resolution", ticket.resolution_due, ticket.resolved_at)):
        if done is not None:
            state = "met" if done <= due else "late"
        elif code == "resolution" and ticket.paused_at is not None:
            state = "paused"
        elif due <= now:
            state = "breached"
        else:
            warn_at = (ticket.first_response_warn_at if code == "first_response"
                       else ticket.resolution_warn_at)
            state = "due_soon" if warn_at <= now else "running"
        left = calendar.business_hours_between(now, due) if done is None else None
        result.append({"code": code, "label": CLOCKS[code], "due": due, "done": done,
                       "state": state, "left_hours": left / timedelta(hours=1) if left else None})
    return result


# --- routing ------------------------------------------------------------------------------------

def route(ticket):
    """(queue, assignee) of the first assignment rule that holds for `ticket`; (None, None)
    when none does."""
    product = (ticket.product or "").casefold()
    region_id = ticket.customer.region_id
    for rule in AssignmentRule.objects.select_related("queue", "assignee"):
        if ((rule.kind and rule.kind != ticket.kind)
                or (rule.severity and rule.severity != ticket.severity)
                or (rule.region_id and rule.region_id != region_id)
                or (rule.product_contains and rule.product_contains.casefold() not in product)):
            continue
        if rule.to_owner and ticket.customer.owner_id:
            return None, ticket.customer.owner
        if rule.queue_id and rule.queue.is_active:
            return rule.queue, rule.assignee
        if rule.assignee_id and rule.assignee.is_active:
            return None, rule.assignee
    return None, None


def _check_assignee(ticket, user):
    """A person may be given the ticket if they handle tickets and are cleared for its
    customer's secret level."""
    if not user.is_active or not can(user, TICKET_HANDLE):
        raise ValidationError({"assignee": _("%s cannot handle service tickets.") % user})
    if user.clearance < ticket.customer.secret_level:
        raise ValidationError({"assignee": _(
            "%s is not cleared for this customer's secret level.") % user})


# --- create -------------------------------------------------------------------------------------

FIELDS = ("kind", "channel", "customer", "contact", "reporter_name", "reporter_phone",
          "reporter_email", "subject", "description", "category", "severity", "product", "batch")


def ticket_create(*, actor, data: dict, now=None) -> Ticket:
    """Register a ticket for a customer `actor` sees, route it (the assignment rules, else the
    one who registered it), start its clocks, put it on the customer's timeline and tell the
    customer's account manager and the assignee."""
    if not can(actor, TICKET_HANDLE):
        raise PermissionDenied
    customer = data["customer"]
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied
    contact = data.get("contact")
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("The contact is not one of this customer's.")})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket(**{f: data.get(f) for f in FIELDS if f in data}, created_by=actor,
                        created_at=now, updated_at=now)
        ticket.contact = contact
        ticket.is_repeat = ticket.kind == Kind.COMPLAINT and Ticket.objects.filter(
            customer=customer, kind=Kind.COMPLAINT,
            created_at__gte=now - timedelta(days=REPEAT_DAYS)).exists()
        _start_clocks(ticket, now)
        queue, assignee = route(ticket)
        if queue is None and assignee is None:
            assignee = actor
        if assignee is not None:
            _check_assignee(ticket, assignee)
        ticket.queue, ticket.assignee = queue, assignee
        ticket.full_clean(exclude=["customer", "contact", "created_by", "queue", "assignee"])
        authored_by(ticket, actor).save()
        _event(ticket, CREATED, actor, at=now, channel=ticket.get_channel_display())
        if assignee is not None or queue is not None:
            _event(ticket, ASSIGNED, actor, at=now, to=str(assignee or queue), reason="")
        customer_event_record(customer, "ticket_opened", actor=actor, link=ticket,
                              params={"number": ticket.number, "subject": ticket.subject})
        ticket_emit(TICKET_CREATED, ticket)
        params = _message_params(ticket)
        if customer.owner_id and customer.owner_id != actor.pk:
            notify(recipients=[customer.owner], kind=OPENED_FOR_OWNER, params=params,
                   url=_url(ticket))
        if assignee is not None and assignee.pk != actor.pk:
            notify(recipients=[assignee], kind=ASSIGNED_TO_YOU, params=params, url=_url(ticket))
    return ticket


# --- the steps ----------------------------------------------------------------------------------

def _claim(ticket, expected_version=None) -> Ticket:
    """The ticket's row, locked for this transaction, as stored now; a stale version is a
    conflict (someone acted on it after this user opened it)."""
    fresh = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleVersionError.of(fresh)
    return fresh


def _save(ticket, actor, now):
    ticket.version += 1
    ticket.updated_at = now
    authored_by(ticket, actor).save()
    return ticket


def _may_handle(actor, ticket):
    """Handling needs the action; the ticket itself the caller read through visible_to."""
    if not can(actor, TICKET_HANDLE):
        raise PermissionDenied


def _require(ticket, statuses, message):
    if ticket.status not in statuses:
        raise TransitionNotAllowed(message % {"status": ticket.get_status_display()})


def _text(value, field, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def ticket_reply(*, actor, ticket, body, expected_version=None, now=None) -> TicketMessage:
    """A reply to the customer. The first one stops the first-response clock; a new ticket is
    then in progress, and an unassigned one is the replier's."""
    _may_handle(actor, ticket)
    body = _text(body, "body", _("Write the reply."))
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket, expected_version)
        _require(ticket, OPEN_STATUSES + (Status.RESOLVED,),
                 _("The ticket is %(status)s: reopen it before replying."))
        message = TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.Kind.REPLY,
                                               body=body, author=actor, created_at=now)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        if ticket.status == Status.NEW:
            ticket.status = Status.IN_PROGRESS
        if ticket.assignee_id is None:
            ticket.assignee = actor
            _event(ticket, TAKEN, actor, at=now)
        _save(ticket, actor, now)
        _event(ticket, REPLIED, actor, at=now)
    return message


def ticket_note(*, actor, ticket, body, now=None) -> TicketMessage:
    """An internal note, never shown to the customer; allowed in any status."""
    _may_handle(actor, ticket)
    body = _text(body, "body", _("Write the note."))
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket)
        message = TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.Kind.NOTE,
                                               body=body, author=actor, created_at=now)
        _event(ticket, NOTED, actor, at=now)
    return message


def ticket_assign(*, actor, ticket, queue=None, assignee=None, reason="", expected_version=None,
                  now=None) -> Ticket:
    """Send the ticket to a queue and/or a person, with the reason when it had someone already
    (转派: the handbooks want it explained)."""
    if not can(actor, TICKET_ASSIGN):
        raise PermissionDenied
    if queue is None and assignee is None:
        raise ValidationError({"assignee": _("Choose a queue or a person.")})
    if queue is not None and not queue.is_active:
        raise ValidationError({"queue": _("This queue is no longer in use.")})
    reason = (reason or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket, expected_version)
        _require(ticket, OPEN_STATUSES, _("The ticket is %(status)s and can no longer be "
                                          "reassigned."))
        if (ticket.assignee_id or ticket.queue_id) and not reason:
            raise ValidationError({"reason": _("Say why the ticket is reassigned.")})
        if assignee is not None:
            _check_assignee(ticket, assignee)
        ticket.queue, ticket.assignee = queue, assignee
        _save(ticket, actor, now)
        _event(ticket, ASSIGNED, actor, at=now, to=str(assignee or queue), reason=reason)
        if assignee is not None and assignee.pk != actor.pk:
            notify(recipients=[assignee], kind=ASSIGNED_TO_YOU, params=_message_params(ticket),
                   url=_url(ticket))
    return ticket


def may_take(user, ticket) -> bool:
    return (ticket.is_open and ticket.assignee_id is None and ticket.queue_id is not None
            and ticket.queue.members.filter(pk=user.pk).exists())


def ticket_take(*, actor, ticket, now=None) -> Ticket:
    """A member of the ticket's queue takes it (领取)."""
    _may_handle(actor, ticket)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket)
        if not may_take(actor, ticket):
            raise TransitionNotAllowed(_("Only an unassigned open ticket of one of your queues "
                                         "can be taken."))
        _check_assignee(ticket, actor)
        ticket.assignee = actor
        _save(ticket, actor, now)
        _event(ticket, TAKEN, actor, at=now)
    return ticket


def ticket_wait(*, actor, ticket, expected_version=None, now=None) -> Ticket:
    """Waiting on the customer (材料、确认…): the resolution clock stops."""
    _may_handle(actor, ticket)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket, expected_version)
        _require(ticket, (Status.NEW, Status.IN_PROGRESS),
                 _("The ticket is %(status)s: only one being handled can wait on the customer."))
        ticket.status, ticket.paused_at = Status.WAITING, now
        _save(ticket, actor, now)
        _event(ticket, WAITING, actor, at=now)
    return ticket


def ticket_resume(*, actor, ticket, expected_version=None, now=None) -> Ticket:
    _may_handle(actor, ticket)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket, expected_version)
        _require(ticket, (Status.WAITING,), _("The ticket is %(status)s, not waiting."))
        _resume_clock(ticket, now)
        ticket.status = Status.IN_PROGRESS
        _save(ticket, actor, now)
        _event(ticket, RESUMED, actor, at=now)
    return ticket


def ticket_resolve(*, actor, ticket, resolution, cause="", expected_version=None,
                   now=None) -> Ticket:
    """The result (处理结果) reaches the customer: resolved, to be confirmed. A complaint needs
    its cause (for the analysis)."""
    _may_handle(actor, ticket)
    resolution = _text(resolution, "resolution", _("Write what was done for the customer."))
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket, expected_version)
        _require(ticket, OPEN_STATUSES, _("The ticket is %(status)s: it cannot be resolved "
                                          "again."))
        if ticket.kind == Kind.COMPLAINT and not cause:
            raise ValidationError({"cause": _("Give the cause of the complaint.")})
        _resume_clock(ticket, now)
        TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.Kind.REPLY,
                                     body=resolution, author=actor, created_at=now)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        ticket.status, ticket.resolved_at = Status.RESOLVED, now
        ticket.resolution, ticket.cause = resolution, cause or ""
        if ticket.assignee_id is None:
            ticket.assignee = actor
        _save(ticket, actor, now)
        _event(ticket, RESOLVED, actor, at=now)
    return ticket


def ticket_close(*, actor, ticket, rating, comment="", expected_version=None,
                 now=None) -> Ticket:
    """The customer confirmed the result (客户确认) and rated it 1–5: closed."""
    _may_handle(actor, ticket)
    if rating not in (1, 2, 3, 4, 5):
        raise ValidationError({"rating": _("The customer's satisfaction is a number from 1 to "
                                           "5.")})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket, expected_version)
        _require(ticket, (Status.RESOLVED,), _("The ticket is %(status)s: only a resolved "
                                               "ticket can be confirmed and closed."))
        ticket.status, ticket.closed_at = Status.CLOSED, now
        ticket.rating, ticket.rating_comment = rating, (comment or "").strip()[:500]
        _save(ticket, actor, now)
        _event(ticket, CLOSED, actor, at=now, rating=rating)
        customer_event_record(ticket.customer, "ticket_closed", actor=actor, link=ticket,
                              params={"number": ticket.number, "rating": rating})
        ticket_emit(TICKET_CLOSED, ticket, rating=rating)
    return ticket


def reopen_until(ticket):
    """The last moment a closed ticket can be reopened."""
    return ticket.closed_at + timedelta(days=settings.QIAO_TICKET_REOPEN_DAYS)


def ticket_reopen(*, actor, ticket, reason, expected_version=None, now=None) -> Ticket:
    """The customer is not satisfied: back in progress with a fresh resolution clock. A closed
    ticket only within QIAO_TICKET_REOPEN_DAYS of closing (later, register a new one)."""
    _may_handle(actor, ticket)
    reason = _text(reason, "reason", _("Say why the ticket is reopened."))
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket, expected_version)
        _require(ticket, (Status.RESOLVED, Status.CLOSED),
                 _("The ticket is %(status)s: only a resolved or closed one can be reopened."))
        if ticket.status == Status.CLOSED and now > reopen_until(ticket):
            raise TransitionNotAllowed(_(
                "The ticket was closed more than %(days)d days ago: register a new one.") % {
                "days": settings.QIAO_TICKET_REOPEN_DAYS})
        ticket.status, ticket.resolved_at, ticket.closed_at = Status.IN_PROGRESS, None, None
        ticket.rating, ticket.rating_comment = None, ""
        ticket.reopen_count += 1
        _start_clocks(ticket, now, response=False)
        _save(ticket, actor, now)
        _event(ticket, REOPENED, actor, at=now, reason=reason)
    return ticket


def case_library_add(*, actor, ticket, summary, now=None) -> Ticket:
    """Keep a resolved ticket in the case library with its lesson (案例)."""
    if not can(actor, TICKET_ASSIGN):
        raise PermissionDenied
    summary = _text(summary, "case_summary", _("Write what the case teaches."))
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _claim(ticket)
        _require(ticket, (Status.RESOLVED, Status.CLOSED),
                 _("The ticket is %(status)s: only a resolved case goes in the library."))
        ticket.is_case, ticket.case_summary = True, summary
        _save(ticket, actor, now)
        _event(ticket, CASE_ADDED, actor, at=now)
    return ticket


# --- the SLA sweep (the task worker, every minute) -------------------------------------------------

# clock: (its due field, its warning field, the fields that mark it warned and breached, the
# condition of a clock still running)
SWEPT = {
    "first_response": ("first_response_due", "first_response_warn_at",
                       "first_response_warned_at", "first_response_breached_at",
                       Q(first_response_at__isnull=True)),
    "resolution": ("resolution_due", "resolution_warn_at", "resolution_warned_at",
                   "resolution_breached_at", Q(resolved_at__isnull=True, paused_at__isnull=True)),
}


def _escalation_target(ticket):
    """Who hears of a breach: the queue's supervisor, else the first one up the assignee's (or
    registrar's) line who may assign tickets."""
    if ticket.queue_id and ticket.queue.supervisor_id and ticket.queue.supervisor.is_active:
        return ticket.queue.supervisor
    person = ticket.assignee or ticket.created_by
    return first_superior(person, lambda p: can(p, TICKET_ASSIGN))


def _sweep_one(ticket_id, clock, stage, now) -> bool:
    """Mark one clock of one ticket warned or breached and tell whom it concerns — once: the
    mark is a conditional UPDATE, the message carries a dedupe key, both in one transaction."""
    due_field, _warn, warned_field, breached_field, running = SWEPT[clock]
    mark = warned_field if stage == "warn" else breached_field
    with transaction.atomic():
        claimed = Ticket.objects.filter(running, pk=ticket_id, status__in=OPEN_STATUSES,
                                        **{f"{mark}__isnull": True}).update(**{mark: now})
        if not claimed:
            return False
        ticket = Ticket.objects.select_related("queue__supervisor", "assignee", "created_by",
                                               "customer").get(pk=ticket_id)
        due = timezone.localtime(getattr(ticket, due_field))
        params = {**_message_params(ticket), "clock": clock, "due": f"{due:%Y-%m-%d %H:%M}"}
        key = f"ticket-sla:{ticket_id}:{clock}:{stage}:{due:%Y%m%d%H%M}"
        recipients = [ticket.assignee] if ticket.assignee_id else list(
            ticket.queue.members.all() if ticket.queue_id else [])
        if stage == "warn":
            _event(ticket, WARNED, None, at=now, clock=clock)
            notify(recipients=recipients, kind=SLA_WARNING, params=params, url=_url(ticket),
                   key=key)
        else:
            target = _escalation_target(ticket)
            _event(ticket, BREACHED, None, at=now, clock=clock, to=str(target or ""))
            notify(recipients=[*recipients, target], kind=SLA_BREACH, params=params,
                   url=_url(ticket), key=key)
    return True


def sla_sweep(now=None) -> dict:
    """Every open clock whose warning or due moment has come and that was not yet warned or
    escalated: warn the assignee, or escalate a breach to the queue's supervisor (or the
    assignee's superior). Repeating it, or running it twice at once, tells nobody twice."""
    now = now or timezone.now()
    done = {"warn": 0, "breach": 0}
    for clock, (due_field, warn_field, warned_field, breached_field, running) in SWEPT.items():
        for stage, at_field, mark in (("warn", warn_field, warned_field),
                                      ("breach", due_field, breached_field)):
            due = Ticket.objects.filter(running, status__in=OPEN_STATUSES,
                                        **{f"{at_field}__lte": now, f"{mark}__isnull": True})
            if stage == "warn":  # a clock already run out is escalated, not warned
                due = due.filter(**{f"{due_field}__gt": now})
            due = due.values_list("pk", flat=True).order_by(at_field)
            for ticket_id in due.iterator(chunk_size=500):
                done[stage] += _sweep_one(ticket_id, clock, stage, now)
    return done


# --- the call centre (CC-1) ---------------------------------------------------------------------

CALL_YEARS_BACK = 5  # a call older than this is a mistyped date, not a call to record
CALL_CLOCK_SKEW = timedelta(minutes=5)  # the telephony system's clock may run a little ahead


def _may_record_for(actor, agent):
    """An agent records their own calls; one who assigns tickets (a supervisor, the telephony
    system's account) records anyone's who handles tickets."""
    if not can(actor, TICKET_HANDLE):
        raise PermissionDenied
    if agent.pk != actor.pk and not can(actor, TICKET_ASSIGN):
        raise PermissionDenied
    if not agent.is_active or not can(agent, TICKET_HANDLE):
        raise ValidationError({"agent": _("%s does not take calls.") % agent})


def _check_call_time(started_at, duration, now):
    if started_at > now + CALL_CLOCK_SKEW:
        raise ValidationError({"started_at": _("The call cannot start in the future.")})
    if started_at < now - timedelta(days=365 * CALL_YEARS_BACK):
        raise ValidationError({"started_at": _(
            "The call is more than %(years)d years old: check the date.") % {
            "years": CALL_YEARS_BACK}})
    if duration is None or not 0 <= duration <= MAX_CALL_SECONDS:
        raise ValidationError({"duration": _(
            "A call lasts from 0 to %(max)d seconds (24 hours).") % {"max": MAX_CALL_SECONDS}})


def _matched_customer(actor, agent, phone_key, customer):
    """The customer the call is about: the one chosen, which the agent and the recorder must
    both see; else the only customer the agent sees with this number; else none (several:
    the agent chooses on the call's page, never a guess)."""
    if customer is not None:
        for user in {actor, agent}:
            if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
                raise ValidationError({"customer": _("Choose one of the customers you see.")})
        return customer
    found = number_matches(agent, phone_key, limit=2)
    return found[0] if len(found) == 1 else None


def call_record(*, actor, data: dict, now=None) -> tuple[Call, bool]:
    """Record a call (呼入/呼出业务记录): (the call, whether it is new). A call whose telephony
    id was posted before is that call again, unchanged (a telephony system retries)."""
    agent = data.get("agent") or actor
    _may_record_for(actor, agent)
    now = now or timezone.now()
    external_id = (data.get("external_id") or "").strip()
    if external_id:
        known = Call.objects.filter(external_id=external_id).first()
        if known is not None:
            return _known_call(actor, known), False
    phone_key = normalize_phone(data.get("phone") or "")
    if not phone_key:
        raise ValidationError({"phone": _("Enter the caller's phone number.")})
    _check_call_time(data["started_at"], data.get("duration"), now)
    customer = _matched_customer(actor, agent, phone_key, data.get("customer"))
    contact = data.get("contact")
    if contact is not None and (customer is None or contact.customer_id != customer.pk):
        raise ValidationError({"contact": _("The contact is not one of this customer's.")})
    call = Call(direction=data["direction"], phone=data["phone"], phone_normalized=phone_key,
                started_at=data["started_at"], duration=data["duration"], agent=agent,
                unit_id=agent.unit_id, customer=customer, contact=contact,
                purpose=data.get("purpose") or Call.purpose.field.default,
                result=data.get("result") or Call.result.field.default,
                summary=(data.get("summary") or "").strip(), external_id=external_id,
                recorded_by=actor, created_at=now, updated_at=now)
    call.full_clean(exclude=["agent", "customer", "contact", "recorded_by", "unit", "ticket"])
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:  # the same telephony id posted twice at once: the first one won
        return _known_call(actor, Call.objects.get(external_id=external_id)), False
    return call, True


def _known_call(actor, call) -> Call:
    if not Call.objects.filter(pk=call.pk).visible_to(actor).exists():
        raise ValidationError({"external_id": _("This telephony id belongs to another call.")})
    return call


def _claim_call(call) -> Call:
    return Call.objects.select_for_update(of=("self",)).select_related("customer").get(
        pk=call.pk)


def _may_work_on(actor, call):
    """The call's agent, or one who assigns tickets, completes a call."""
    if not can(actor, TICKET_HANDLE):
        raise PermissionDenied
    if call.agent_id != actor.pk and not can(actor, TICKET_ASSIGN):
        raise PermissionDenied


def call_choose_customer(*, actor, call, customer, now=None) -> Call:
    """The agent says which of the customers with the call's number called: one of those the
    agent sees with that number; not once a ticket was registered from the call."""
    _may_work_on(actor, call)
    now = now or timezone.now()
    with transaction.atomic():
        call = _claim_call(call)
        if call.ticket_id is not None:
            raise TransitionNotAllowed(_("A ticket was registered from this call: its "
                                         "customer stays."))
        if customer.pk not in {c.pk for c in number_matches(actor, call.phone_normalized)}:
            raise ValidationError({"customer": _(
                "Choose one of the customers with this phone number.")})
        call.customer, call.contact, call.updated_at = customer, None, now
        call.save(update_fields=["customer", "contact", "updated_at"])
    return call


def call_ticket_create(*, actor, call, data: dict, now=None) -> Ticket:
    """建工单: register the ticket the call raised, in one step — the call's customer, contact
    and number, channel call centre, the call's summary as its description unless one is
    written — and link it to the call, whose result becomes "ticket registered"."""
    _may_work_on(actor, call)
    now = now or timezone.now()
    with transaction.atomic():
        call = _claim_call(call)
        if call.ticket_id is not None:
            raise TransitionNotAllowed(_("A ticket was already registered from this call."))
        if call.customer_id is None:
            raise ValidationError({"customer": _(
                "Say which customer called before registering a ticket.")})
        contact = call.contact
        ticket = ticket_create(actor=actor, now=now, data={
            "kind": data.get("kind") or TICKET_KIND_OF_PURPOSE.get(call.purpose, Kind.INQUIRY),
            "channel": Channel.CALL_CENTRE, "customer": call.customer, "contact": contact,
            "reporter_name": contact.name if contact else "", "reporter_phone": call.phone,
            "subject": data["subject"],
            "description": (data.get("description") or "").strip() or call.summary
            or data["subject"],
            "severity": data.get("severity") or "general",
            "category": data.get("category") or "other"})
        call.ticket, call.result, call.updated_at = ticket, CallResult.TICKET, now
        call.save(update_fields=["ticket", "result", "updated_at"])
    return ticket
