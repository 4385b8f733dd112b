"""Reads of service tickets, each starting from `Ticket.objects.visible_to(user)` (assigned
to the user, in the user's queues, or about a customer the user sees)."""

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.customers.models import Customer
from qiao.org.models import User
from qiao.org.scope import holds_action_q

from .actions import TICKET_HANDLE
from .models import (
    OPEN_STATUSES,
    CannedReply,
    Category,
    Cause,
    Kind,
    Queue,
    Ticket,
    TicketEvent,
    TicketMessage,
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
