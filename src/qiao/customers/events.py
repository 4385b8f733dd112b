"""The customer archive's domain events (core.registry.events, registered in apps.ready),
offered to the integrations' webhooks: their payloads carry ids and what an ERP needs to match
its own records — never a phone number or another masked field."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DomainEvent, emit

CUSTOMER_CREATED = "customer.created"
CUSTOMER_UPDATED = "customer.updated"
CUSTOMER_TRANSFERRED = "customer.transferred"

EVENTS = (
    DomainEvent(CUSTOMER_CREATED, _("Customer registered"), webhook=True),
    DomainEvent(CUSTOMER_UPDATED, _("Customer edited"), webhook=True),
    DomainEvent(CUSTOMER_TRANSFERRED, _("Customer handed over to another manager"), webhook=True),
)


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def customer_emit(code: str, customer, *, owner=None, **more) -> None:
    """Announce `code` about `customer` (inside the change's transaction): its id, name and
    owner's username (`owner` when the caller has the user at hand), and `more`."""
    owner = owner if owner is not None else customer.owner if customer.owner_id else None
    emit(code, customer_id=customer.pk, name=customer.name, owner=_username(owner), **more)
