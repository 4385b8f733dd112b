"""The ledger's domain events (core.registry.events, registered in apps.ready), offered to the
integrations' webhooks: the ids an ERP matches (its own external id) and the amount as a
string (a decimal, never a float)."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DomainEvent, emit

ORDER_POSTED = "order.posted"

EVENTS = (DomainEvent(ORDER_POSTED, _("Order posted"), webhook=True),)


def order_emit(order) -> None:
    """Announce a posted order (inside the posting's transaction)."""
    emit(ORDER_POSTED, order_id=order.pk, number=order.number, external_id=order.external_id,
         customer_id=order.customer_id, ordered_on=order.ordered_on.isoformat(),
         amount=f"{order.net_amount:.2f}")
