"""Visit records made through the real service (for these tests, the access matrix and the
no-data-loss world)."""

import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from qiao.core.signatures import signature_data_url
from qiao.customers.models import Customer
from qiao.visits import services
from qiao.visits.models import ScheduledVisit, Visit, VisitRule, VisitSchedule

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


# --- visit coverage (tests/visits/test_coverage.py, tests/e2e/test_visit_coverage.py) -----

def _month():
    """Last month: every day of it past, so visits may be dated anywhere in it."""
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def plan_week(manager, week, lines, *, submitted=True):
    """A schedule of `manager` for `week` (submitted unless told), its lines made directly."""
    schedule = VisitSchedule.objects.create(
        manager=manager, unit=manager.unit, week_start=week,
        status=VisitSchedule.Status.SUBMITTED if submitted else VisitSchedule.Status.DRAFT)
    for order, (customer, day) in enumerate(lines):
        ScheduledVisit.objects.create(schedule=schedule, customer=customer, day=day, order=order,
                                      reason=ScheduledVisit.Reason.DUE)
    return schedule


def coverage_world(personas):
    """Grade rank 1 visited every 7 days, rank 3 every 30. am01 (a1 rank 1, a2 rank 3) and
    am02 (b1 rank 1, b2 rank 3) in region 1's first team under sup1; am03 (c1, c2 rank 1) in
    its second team; am05 (d1 rank 1, d2 rank 3) in region 2. Every other customer ungraded.
    In the first full week of last month: am01 plans a1 (Mon) and a2 (Wed), visits a1 on
    Monday (on time) and a2 on Friday (done, late), and makes a special visit to a1 ten days
    after the Monday; am02 plans b1 (Tue) and never goes; am03's schedule is a draft (not
    counted) and visits c1 unplanned three days before the month's end; am05 plans and visits
    d1 on the Monday."""
    start, end = _month()
    week = start + timedelta(days=(7 - start.weekday()) % 7)
    VisitRule.objects.all().delete()
    rank = {g.rank: g for g in personas.grades}
    VisitRule.objects.create(grade=rank[1], frequency_days=7, tasks=["inform", "collect"])
    VisitRule.objects.create(grade=rank[3], frequency_days=30, tasks=["inform", "collect"])
    users = personas.users
    a1, a2 = personas.customers["am01"]
    b1, b2 = personas.customers["am02"]
    c1, c2 = personas.customers["am03"]
    d1, d2 = personas.customers["am05"]
    graded = {a1: 1, a2: 3, b1: 1, b2: 3, c1: 1, c2: 1, d1: 1, d2: 3}
    Customer._base_manager.exclude(pk__in=[c.pk for c in graded]).update(grade=None)
    long_ago = timezone.make_aware(datetime.combine(start - timedelta(days=100), time(9)))
    for customer, r in graded.items():
        Customer._base_manager.filter(pk=customer.pk).update(
            grade=rank[r], category="ordinary", created_at=long_ago)
    plan_week(users["am01"], week, [(a1, week), (a2, week + timedelta(days=2))])
    plan_week(users["am02"], week, [(b1, week + timedelta(days=1))])
    plan_week(users["am03"], week, [(c1, week)], submitted=False)
    plan_week(users["am05"], week, [(d1, week)])
    make_visit(users["am01"], a1, visited_on=week)
    make_visit(users["am01"], a2, visited_on=week + timedelta(days=4))
    make_visit(users["am01"], a1, visited_on=week + timedelta(days=10),
               kind=Visit.Kind.SPECIAL, situation="门店被水淹", planned=False)
    make_visit(users["am03"], c1, visited_on=end - timedelta(days=3), planned=False)
    make_visit(users["am05"], d1, visited_on=week)
    return {"start": start, "end": end, "week": week, "a1": a1, "a2": a2, "b1": b1,
            "b2": b2, "c1": c1, "c2": c2, "d1": d1, "d2": d2, "rank": rank}
