"""The service desk's domain events (core.registry.events, registered in apps.ready), offered
to the integrations' webhooks: ids, number, kind and status — no text the customer wrote."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DomainEvent, emit

TICKET_CREATED = "ticket.created"
TICKET_CLOSED = "ticket.closed"

EVENTS = (
    DomainEvent(TICKET_CREATED, _("Ticket registered"), webhook=True),
    DomainEvent(TICKET_CLOSED, _("Ticket closed"), webhook=True),
)


def ticket_emit(code: str, ticket, **more) -> None:
    """Announce `code` about `ticket` (inside the change's transaction)."""
    emit(code, ticket_id=ticket.pk, number=ticket.number, status=ticket.status,
         kind=ticket.kind, customer_id=ticket.customer_id, **more)
