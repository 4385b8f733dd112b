"""Sales fixtures: products with round prices and costs, orders through the services."""

from decimal import Decimal

from django.utils import timezone

from qiao.sales import services
from qiao.sales.models import Product


def make_product(code="P1", price="100.00", cost="60.00", name=None) -> Product:
    product, _created = Product.objects.get_or_create(code=code, defaults={
        "name": name or f"产品{code}", "price": Decimal(price), "marginal_cost": Decimal(cost),
        "unit": "条"})
    return product


def make_order(actor, customer, *, lines=None, ordered_on=None, channel="visit",
               delivered_on=None, **fields):
    """An order of `lines` ([(product, quantity)], by default 10 of P1 at ¥100), posted by
    `actor`, delivered on `delivered_on` if given."""
    lines = lines or [(make_product(), 10)]
    order = services.order_post(
        actor=actor, customer=customer, lines=[(p, q, None) for p, q in lines],
        ordered_on=ordered_on or timezone.localdate(), channel=channel, **fields)
    if delivered_on is not None:
        order = services.order_deliver(actor=actor, order=order, delivered_on=delivered_on)
    return order
