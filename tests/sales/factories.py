"""Sales fixtures: products with round prices and costs, orders through the services."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from qiao.sales import services
from qiao.sales.models import PriceList, PriceListLine, Product


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


def make_price_list(name, lines, *, days=30, until=None, grade=None, channel="", active=True,
                    valid_from=None) -> PriceList:
    """A 价目表 in force from `days` ago (or `valid_from`), made directly (the services' checks
    are tested on their own): `lines` are [(product, price, from quantity)]."""
    made = PriceList.objects.create(
        name=name, valid_from=valid_from or timezone.localdate() - timedelta(days=days),
        valid_to=until, grade=grade, channel=channel, active=active)
    PriceListLine.objects.bulk_create(
        PriceListLine(price_list=made, product=product, price=Decimal(price),
                      min_quantity=quantity) for product, price, quantity in lines)
    return made


def grade_customers(personas):
    """am01's first customer made one of the top grade (一级), the second of the next one:
    (first, second, the top grade)."""
    top, second = personas.grades[0], personas.grades[1]
    first, other = personas.customers["am01"]
    first.grade, other.grade = top, second
    first.save(update_fields=["grade"])
    other.save(update_fields=["grade"])
    return first, other, top
