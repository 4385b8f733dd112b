"""Visit records made through the real service (for these tests, the access matrix and the
no-data-loss world)."""

import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from qiao.core.signatures import signature_data_url
from qiao.visits import services

SIGNATURE = signature_data_url(3, width=300, height=120)


def visit_input(customer, **fields) -> services.VisitInput:
    """A regular visit of yesterday with everything a manager fills in, signed."""
    day = fields.pop("visited_on", timezone.localdate() - timedelta(days=1))
    data = {"customer": customer, "visited_on": day, "signer_name": "王建国",
            "signature": SIGNATURE, "idempotency_key": uuid.uuid4(), "purpose": "例行走访",
            "findings": "柜台陈列整齐。", "needs": "希望增加配送频次。", "complaints": "",
            "suggestions": "建议周末加送一次。", "competitors": "竞品本月做买赠促销。",
            "suggested_order": "畅销品 2 件", "tasks": ["inform", "collect"],
            "signed_in_at": min(timezone.make_aware(datetime.combine(day, time(10, 30))),
                                timezone.now()),
            "latitude": 31.23, "longitude": 121.47, "accuracy": 25.0}
    data.update(fields)
    return services.VisitInput(**data)


def make_visit(manager, customer, **fields):
    """A visit record of `manager` at `customer` (yesterday unless `visited_on`)."""
    visit, _created = services.visit_record(actor=manager, data=visit_input(customer, **fields))
    return visit
