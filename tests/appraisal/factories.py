"""Appraisal fixtures: a quarter (Q3 2026) of am01's sales with round figures, and a scheme."""

from datetime import date
from decimal import Decimal

from qiao.appraisal import services
from qiao.sales import services as sales_services
from qiao.sales.models import SalesTarget

from ..sales.factories import make_order, make_product

Q3 = date(2026, 7, 1)
TODAY = date(2026, 12, 7)


def make_quarter(personas, username="am01", *, scale=1):
    """Q3 2026 of `username`: orders of ¥1,000 (Aug) and ¥2,000 (Sep), targets ¥1,000, ¥1,000
    and ¥2,000, ¥1,500 collected in September (× `scale`)."""
    manager, customer = personas[username], personas.customers[username][0]
    product = make_product()
    make_order(manager, customer, lines=[(product, 10 * scale)], ordered_on=date(2026, 8, 12))
    make_order(manager, customer, lines=[(product, 20 * scale)], ordered_on=date(2026, 9, 3))
    for month, amount in ((7, 1000), (8, 1000), (9, 2000)):
        SalesTarget.objects.create(manager=manager, unit=manager.unit, month=date(2026, month, 1),
                                   amount=Decimal(amount * scale))
    sales_services.receipt_post(actor=manager, customer=customer, amount=Decimal(1500 * scale),
                                method="cash", received_on=date(2026, 9, 20))


KPIS = [
    {"source": "net_sales", "weight": 40, "target": Decimal("2500.00"), "cap": 120},
    {"source": "completion", "weight": 30, "target": Decimal("100.00"), "cap": 100},
    {"source": "collections", "weight": 20, "target": Decimal("2000.00"), "cap": 100},
    {"source": "complaint_hours", "weight": 10, "target": Decimal("24.00"), "cap": 100},
]


def make_scheme(actor, *, subject="person", kpis=None, name="客户经理季度考核", role=None):
    return services.scorecard_save(actor=actor, scorecard=None, data={
        "name": name, "role": role, "subject": subject, "period_kind": "quarter",
        "active": True, "note": ""}, kpis=KPIS if kpis is None else kpis)
