"""Reads of service tickets, each starting from `Ticket.objects.visible_to(user)` (assigned
to the user, in the user's queues, or about a customer the user sees)."""

from django.db.models import Q
from django.http import Http404

from qiao.customers.models import Customer
from qiao.org.models import User

from .actions import TICKET_HANDLE
from .models import OPEN_STATUSES, CannedReply, Queue, Ticket, TicketEvent, TicketMessage, ticket_id_of

OPEN = "open"  # the status filter's "every open status"
SORTS = {"due": ("resolution_due", "id"), "new": ("-created_at", "-id")}


def ticket_list(user, *, q="", kind="", status="", severity="", queue=None, mine=False,
                sort="due"):
    """The tickets `user` sees, filtered; the customer, queue and assignee joined (no query
    per row). `q`: a ticket number, or words of the subject or the customer's name."""
    rows = Ticket.objects.visible_to(user).select_related("customer", "queue", "assignee")
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
    return rows.order_by(*SORTS.get(sort, SORTS["due"]))


def ticket_get(user, pk) -> Ticket:
    try:
        return (Ticket.objects.visible_to(user)
                .select_related("customer__owner", "contact", "queue", "assignee", "created_by")
                .get(pk=pk))
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
    return list(Ticket.objects.visible_to(user).filter(customer=customer)
                .select_related("assignee").order_by("-created_at", "-id")[:limit])


def my_open_tickets(user, limit=5):
    """(how many open tickets are the user's, the `limit` nearest their resolution due)."""
    rows = Ticket.objects.filter(assignee=user, status__in=OPEN_STATUSES)
    return rows.count(), list(rows.select_related("customer").order_by("resolution_due", "id")
                              [:limit])


def cases(user, q, limit=10):
    """Resolved tickets in the case library that `user` sees, matching the words `q`."""
    rows = Ticket.objects.visible_to(user).filter(is_case=True)
    for word in q.split()[:5]:
        rows = rows.filter(Q(subject__icontains=word) | Q(case_summary__icontains=word)
                           | Q(description__icontains=word))
    return list(rows.order_by("-resolved_at", "-id")[:limit])


def canned_replies(kind=""):
    return list(CannedReply.objects.filter(Q(kind="") | Q(kind=kind), is_active=True))


def active_queues():
    return Queue.objects.filter(is_active=True)


def handlers():
    """Active people whose role handles tickets: whom a ticket can be assigned to. A role's
    actions are a JSON list, matched by its quoted code (as org.scope.may_own_customers_q)."""
    return (User.objects.filter(is_active=True,
                                position__role__actions__icontains=f'"{TICKET_HANDLE}"')
            .order_by("username"))
