"""Reads of service tickets, each starting from `Ticket.objects.visible_to(user)` (assigned
to the user, in the user's queues, or about a customer the user sees)."""

from datetime import datetime, time, timedelta

from django.db.models import Avg, Count, Exists, F, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.validators import normalize_phone
from qiao.customers.models import Customer
from qiao.org.models import User
from qiao.org.scope import holds_action_q

from .actions import TICKET_HANDLE
from .models import (
    OPEN_STATUSES,
    Call,
    CallDirection,
    CallResult,
    CannedReply,
    Category,
    Cause,
    Kind,
    Queue,
    Ticket,
    TicketEvent,
    TicketMessage,
    clock_text,
    ticket_id_of,
)

OPEN = "open"  # the status filter's "every open status"
SORTS = {"due": ("resolution_due", "id"), "new": ("-created_at", "-id")}


def ticket_list(user, *, q="", kind="", status="", severity="", queue=None, mine=False,
                sort="due"):
    """The tickets `user` sees, filtered; the customer, queue and assignee joined (no query
    per row). `q`: a ticket number, or words of the subject or the customer's name."""
    rows = Ticket.objects.all()
    if q:
        number = ticket_id_of(q)
        rows = rows.filter(Q(pk=number) if number else
                           Q(subject__icontains=q) | Q(customer__name__icontains=q))
    if kind:
        rows = rows.filter(kind=kind)
    if status == OPEN:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if severity:
        rows = rows.filter(severity=severity)
    if queue:
        rows = rows.filter(queue=queue)
    if mine:
        rows = rows.filter(assignee=user)
    # The filters first: the scope carries them into each of its ways in (org.scope). The
    # customers in a second query: joined, SQLite reads every customer's tickets to sort them.
    return (rows.visible_to(user).select_related("queue", "assignee")
            .prefetch_related("customer").order_by(*SORTS.get(sort, SORTS["due"])))


def ticket_get(user, pk) -> Ticket:
    try:
        return (Ticket.objects.filter(pk=pk).visible_to(user)
                .select_related("customer__owner", "contact", "queue", "assignee", "created_by")
                .get())
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def ticket_messages(ticket):
    return list(TicketMessage.objects.filter(ticket=ticket).select_related("author"))


def ticket_events(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).select_related("actor"))


def customer_visible(user, ticket) -> bool:
    """May `user` open the ticket's customer (an agent handling a queue's ticket may not)?"""
    return Customer.objects.visible_to(user).filter(pk=ticket.customer_id).exists()


def customer_tickets(user, customer, limit=50):
    """The customer's tickets `user` sees, newest first (tkt_customer)."""
    return list(Ticket.objects.filter(customer=customer).visible_to(user)
                .select_related("assignee").order_by("-created_at", "-id")[:limit])


def my_open_tickets(user, limit=5):
    """(how many open tickets are the user's, the `limit` nearest their resolution due)."""
    rows = Ticket.objects.filter(assignee=user, status__in=OPEN_STATUSES)
    return rows.count(), list(rows.select_related("customer").order_by("resolution_due", "id")
                              [:limit])


def cases(user, q, limit=10):
    """Resolved tickets in the case library that `user` sees, matching the words `q`."""
    rows = Ticket.objects.filter(is_case=True)
    for word in q.split()[:5]:
        rows = rows.filter(Q(subject__icontains=word) | Q(case_summary__icontains=word)
                           | Q(description__icontains=word))
    return list(rows.visible_to(user).order_by("-resolved_at", "-id")[:limit])


def canned_replies(kind=""):
    return list(CannedReply.objects.filter(Q(kind="") | Q(kind=kind), is_active=True))


def active_queues():
    return Queue.objects.filter(is_active=True)


def handlers():
    """Active people whose role handles tickets: whom a ticket can be assigned to."""
    return (User.objects.filter(holds_action_q(TICKET_HANDLE, "position__role__"), is_active=True)
            .order_by("username"))


# --- analysis (客户投诉分析表, 客户投诉案件统计表, SLA attainment) ----------------------------------

def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def analysis(user, year: int, now=None) -> dict:
    """The figures of the service analysis for the tickets `user` sees registered in `year`:
    per month and kind, complaints by cause, category, region and account manager, and per
    kind the clocks met (of those whose time is up or that were done) and satisfaction. Six
    aggregate queries whatever the number of tickets."""
    now = now or timezone.now()
    rows = Ticket.objects.filter(created_at__year=year).visible_to(user)
    monthly = {(r["month"], r["kind"]): r["n"] for r in rows.annotate(
        month=ExtractMonth("created_at")).values("month", "kind").annotate(n=Count("id"))}
    complaints = rows.filter(kind=Kind.COMPLAINT)

    def counted(field):
        return list(complaints.values(field).annotate(n=Count("id")).order_by("-n", field))

    per_kind = {r["kind"]: r for r in rows.values("kind").annotate(
        total=Count("id"),
        response_counted=Count("id", filter=Q(first_response_at__isnull=False)
                               | Q(first_response_due__lte=now)),
        response_met=Count("id", filter=Q(first_response_at__lte=F("first_response_due"))),
        resolution_counted=Count("id", filter=Q(resolved_at__isnull=False)
                                 | Q(resolution_due__lte=now, paused_at__isnull=True)),
        resolution_met=Count("id", filter=Q(resolved_at__lte=F("resolution_due"))),
        rated=Count("rating"), rating=Avg("rating"),
        repeat=Count("id", filter=Q(is_repeat=True)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)))}
    kinds = []
    for kind in Kind:
        r = per_kind.get(kind.value)
        kinds.append({"kind": kind, "months": [monthly.get((m, kind.value), 0)
                                               for m in range(1, 13)],
                      **({"total": r["total"],
                          "response": _percent(r["response_met"], r["response_counted"]),
                          "resolution": _percent(r["resolution_met"], r["resolution_counted"]),
                          "rating": round(r["rating"], 2) if r["rating"] is not None else None,
                          "rated": r["rated"], "repeat": r["repeat"], "reopened": r["reopened"]}
                         if r else {"total": 0})})
    totals = {key: sum(r[key] for r in per_kind.values())
              for key in ("total", "response_met", "response_counted", "resolution_met",
                          "resolution_counted")}
    return {
        "year": year, "kinds": kinds, "total": totals["total"],
        "response": _percent(totals["response_met"], totals["response_counted"]),
        "resolution": _percent(totals["resolution_met"], totals["resolution_counted"]),
        "by_cause": [{"label": Cause(r["cause"]).label if r["cause"] else _("Not found yet"),
                      "n": r["n"]}
                     for r in counted("cause")],
        "by_category": [{"label": Category(r["category"]).label, "n": r["n"]}
                        for r in counted("category")],
        "by_region": counted("customer__region__name"),
        "by_manager": counted("customer__owner__display_name"),
    }


def complaints_of_owner(owner, start, end, limit=10) -> dict:
    """The complaints about `owner`'s customers registered from `start` to `end` (dates, end
    excluded) that `owner` may see: how many by category, and the latest few (the monthly
    sales analysis report's (c), SAL-9)."""
    rows = (Ticket.objects.visible_to(owner)
            .filter(kind=Kind.COMPLAINT, customer__owner=owner,
                    created_at__date__gte=start, created_at__date__lt=end))
    by_category = [{"label": Category(row["category"]).label, "n": row["n"]}
                   for row in rows.values("category").annotate(n=Count("id")).order_by("-n")]
    latest = list(rows.select_related("customer").order_by("-created_at")[:limit])
    return {"by_category": by_category, "latest": latest,
            "total": sum(row["n"] for row in by_category)}


# --- staff appraisal (SAL-10: 客户满意度, 投诉处理时长) ---------------------------------------

def _of_owner(user, start, end, owner, unit, field):
    rows = Ticket.objects.visible_to(user).filter(**{f"{field}__date__gte": start,
                                                     f"{field}__date__lte": end})
    if owner is not None:
        rows = rows.filter(customer__owner=owner)
    if unit is not None:
        rows = rows.filter(customer__owner_unit__path__startswith=unit.path)
    return rows


def satisfaction_of(user, start, end, *, owner=None, unit=None) -> dict:
    """The customers' ratings (1–5) of the tickets about `owner`'s customers (or those of the
    customers owned in `unit` and below) closed from `start` to `end` (dates, inclusive) that
    `user` sees: their average and how many. One query."""
    return _of_owner(user, start, end, owner, unit, "closed_at").aggregate(
        average=Avg("rating"), rated=Count("rating"))


def complaint_durations(user, start, end, *, owner=None, unit=None) -> list:
    """(registered, resolved) of the complaints about `owner`'s customers (or `unit`'s)
    resolved from `start` to `end` (dates, inclusive) that `user` sees. One query."""
    return list(_of_owner(user, start, end, owner, unit, "resolved_at")
                .filter(kind=Kind.COMPLAINT).values_list("created_at", "resolved_at"))


# --- the call centre (CC-1, CC-4) ---------------------------------------------------------------

MATCHES_SHOWN = 20


def number_matches(user, phone_key, limit=MATCHES_SHOWN) -> list:
    """The live customers `user` sees whose phone has the key `phone_key`
    (core.validators.normalize_phone; the indexed Customer.phone_normalized)."""
    if not phone_key:
        return []
    return list(Customer.objects.filter(phone_normalized=phone_key).visible_to(user)
                .select_related("owner").order_by("name", "pk")[:limit])


def caller_context(user, customers, phone_key, calls_shown=5, tickets_shown=10) -> dict:
    """What the 来电 screen shows of a number: each candidate's open tickets (one query) and
    the last calls of the number that `user` sees (one query)."""
    ids = [c.pk for c in customers]
    tickets = {}
    if ids:
        for ticket in (Ticket.objects.filter(customer_id__in=ids, status__in=OPEN_STATUSES)
                       .visible_to(user).order_by("resolution_due", "id")[:tickets_shown]):
            tickets.setdefault(ticket.customer_id, []).append(ticket)
    calls = (list(Call.objects.filter(phone_normalized=phone_key).visible_to(user)
                  .select_related("agent", "ticket").order_by("-started_at", "-id")
                  [:calls_shown]) if phone_key else [])
    return {"candidates": [(c, tickets.get(c.pk, [])) for c in customers], "calls": calls}


def call_list(user, *, q="", direction="", purpose="", result="", agent=None, mine=False,
              date_from=None, date_to=None):
    """The calls `user` sees, newest first, filtered; `q`: digits of the number or words of
    the customer's name."""
    rows = Call.objects.all()
    if q:
        key = normalize_phone(q)
        rows = rows.filter(Q(phone_normalized__startswith=key) if key and key.isdigit()
                           else Q(customer__name__icontains=q))
    for field, value in (("direction", direction), ("purpose", purpose), ("result", result),
                         ("agent", agent)):
        if value:
            rows = rows.filter(**{field: value})
    if mine:
        rows = rows.filter(agent=user)
    if date_from:
        rows = rows.filter(started_at__gte=_day_start(date_from))
    if date_to:
        rows = rows.filter(started_at__lt=_day_start(date_to + timedelta(days=1)))
    return (rows.visible_to(user).select_related("agent", "customer", "ticket")
            .order_by("-started_at", "-id"))


def call_get(user, pk) -> Call:
    try:
        return (Call.objects.filter(pk=pk).visible_to(user)
                .select_related("agent", "customer", "contact", "ticket", "recorded_by").get())
    except (Call.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


FCR_DAYS = 7  # a call back from the same number within this many days: not resolved at first


def repeat_call_q() -> Exists:
    """Whether another inbound call from the same number came within FCR_DAYS after the call
    (whoever took it: a number calling back says the first call did not settle it)."""
    return Exists(Call.objects.filter(
        direction=CallDirection.INBOUND, phone_normalized=OuterRef("phone_normalized"),
        started_at__gt=OuterRef("started_at"),
        started_at__lte=OuterRef("started_at") + timedelta(days=FCR_DAYS)))


def first_contact_resolved_q() -> Q:
    """An inbound call resolved at first contact (FCR): resolved on the call, or its ticket was
    resolved (resolved or closed now); and no call back from the number within FCR_DAYS."""
    settled = Q(result=CallResult.ANSWERED) | Q(ticket__resolved_at__isnull=False)
    return Q(direction=CallDirection.INBOUND, called_back=False) & settled


def agent_statistics(user, start, end) -> list[dict]:
    """Per agent, the calls `user` sees that started from `start` to `end` (dates,
    inclusive): inbound and outbound calls, their average handling time (seconds) and the
    inbound calls resolved at first contact with their share of the inbound. One query."""
    rows = (Call.objects.filter(started_at__gte=_day_start(start),
                                started_at__lt=_day_start(end + timedelta(days=1)))
            .visible_to(user).annotate(called_back=repeat_call_q())
            .values("agent", "agent__display_name", "agent__username")
            .annotate(inbound=Count("id", filter=Q(direction=CallDirection.INBOUND)),
                      outbound=Count("id", filter=Q(direction=CallDirection.OUTBOUND)),
                      handling=Avg("duration"),
                      resolved=Count("id", filter=first_contact_resolved_q()))
            .order_by("agent__username"))
    return [{"agent": r["agent__display_name"] or r["agent__username"],
             "inbound": r["inbound"], "outbound": r["outbound"],
             "calls": r["inbound"] + r["outbound"],
             "handling": clock_text(r["handling"]) if r["handling"] is not None else "—",
             "resolved": r["resolved"], "fcr": _percent(r["resolved"], r["inbound"])}
            for r in rows]
