"""The scores against hand-computed values (SAL-10): linear to target, capped, weighted; the
KPIs' actual values read from the ledger, the visit schedules and the tickets when drafted and
frozen; rewards and penalties; the manager's sheet; a unit appraised on its figures."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from qiao.appraisal import scoring, services, sources
from qiao.appraisal.models import Appraisal
from qiao.tickets.models import Ticket
from qiao.visits.models import ScheduledVisit, VisitSchedule

from ..tickets.factories import make_ticket
from ..visits.factories import make_visit
from .factories import Q3, TODAY, make_order, make_quarter, make_scheme

pytestmark = pytest.mark.django_db
D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_scoring_rule():
    assert scoring.kpi_score(D("3000"), D("2500"), 120) == D("120.00")  # capped at 120 %
    assert scoring.kpi_score(D("4000"), D("2500"), 120) == D("120.00")
    assert scoring.kpi_score(D("1500"), D("2000"), 100) == D("75.00")
    assert scoring.kpi_score(D("2"), D("3"), 100) == D("66.67")  # halves up, to the cent
    assert scoring.kpi_score(None, D("100"), 100) == D("0.00")  # no data scores nothing
    assert scoring.kpi_score(D("-50"), D("100"), 100) == D("0.00")  # never below zero
    # less is better: 24 hours allowed, 32 taken → 75 %; 12 taken → capped
    assert scoring.kpi_score(D("32"), D("24"), 100, lower_better=True) == D("75.00")
    assert scoring.kpi_score(D("12"), D("24"), 110, lower_better=True) == D("110.00")
    assert scoring.kpi_score(D("0"), D("24"), 100, lower_better=True) == D("100.00")
    assert scoring.weighted(D("75.00"), 30) == D("22.50")
    assert scoring.weighted(D("66.67"), 15) == D("10.00")  # 10.0005 → 10.00
    assert scoring.sheet_score([5, 4, 3, 0]) == D("60.00")  # 12 of 20


def test_a_quarter_scored_by_hand(personas):
    make_quarter(personas)
    sup1 = personas["sup1"]
    appraisal = services.appraisal_draft(actor=sup1, scorecard=make_scheme(sup1), day=Q3,
                                         person=personas["am01"], today=TODAY)
    kpis = {k.source: k for k in appraisal.kpis.all()}
    # net sales 1,000 + 2,000 = 3,000 of 2,500: 120 % (capped at 120) × 40 % = 48.00
    assert (kpis["net_sales"].actual, kpis["net_sales"].score,
            kpis["net_sales"].weighted) == (D("3000.00"), D("120.00"), D("48.00"))
    # completion 3,000 of the targets 1,000 + 1,000 + 2,000 = 75 %, of 100: 75 × 30 % = 22.50
    assert (kpis["completion"].actual, kpis["completion"].weighted) == (D("75.00"), D("22.50"))
    # collections 1,500 of 2,000: 75 × 20 % = 15.00
    assert (kpis["collections"].actual, kpis["collections"].weighted) == (D("1500.00"),
                                                                          D("15.00"))
    # no complaint resolved: no data, 0
    assert (kpis["complaint_hours"].actual, kpis["complaint_hours"].weighted) == (None, D("0.00"))
    assert appraisal.score == appraisal.final_score == D("85.50")
    assert (appraisal.period_start, appraisal.period_end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert appraisal.unit_id == personas["am01"].unit_id and appraisal.evaluator == sup1
    # rewards and penalties: +5 points (and ¥500), −2 points → 88.50
    services.line_add(actor=sup1, appraisal=appraisal, kind="reward", reason="季度回款及时",
                      amount=D("500.00"), points=D("5"), expected_version=appraisal.version)
    services.line_add(actor=sup1, appraisal=appraisal, kind="penalty", reason="日程表迟交",
                      points=D("2"), expected_version=appraisal.version)
    appraisal.refresh_from_db()
    assert (appraisal.points, appraisal.final_score) == (D("3.0"), D("88.50"))
    line = appraisal.lines.get(kind="reward")
    services.line_remove(actor=sup1, appraisal=appraisal, line_id=line.pk,
                         expected_version=appraisal.version)
    appraisal.refresh_from_db()
    assert (appraisal.points, appraisal.final_score) == (D("-2.0"), D("83.50"))


def test_the_figures_are_frozen_when_drafted(personas):
    make_quarter(personas)
    sup1 = personas["sup1"]
    appraisal = services.appraisal_draft(actor=sup1, scorecard=make_scheme(sup1), day=Q3,
                                         person=personas["am01"], today=TODAY)
    make_order(personas["am01"], personas.customers["am01"][0], ordered_on=date(2026, 9, 28))
    scheme = appraisal.scorecard
    scheme.kpis.filter(source="net_sales").update(target=D("1"))
    reread = Appraisal.objects.get(pk=appraisal.pk)
    assert reread.score == D("85.50")
    assert reread.kpis.get(source="net_sales").actual == D("3000.00")


def test_a_unit_is_appraised_on_its_figures(personas):
    make_quarter(personas, "am01")
    make_quarter(personas, "am02", scale=2)
    make_quarter(personas, "am03")  # another team
    region1 = personas["region1"]
    team = personas["am01"].unit
    assert personas["am02"].unit_id == team.pk
    scheme = make_scheme(region1, subject="unit", name="组别季度考核", kpis=[
        {"source": "net_sales", "weight": 60, "target": D("12000.00"), "cap": 100},
        {"source": "collections", "weight": 40, "target": D("3000.00"), "cap": 150}])
    appraisal = services.appraisal_draft(actor=region1, scorecard=scheme, day=Q3, unit=team,
                                         today=TODAY)
    kpis = {k.source: k for k in appraisal.kpis.all()}
    # the team's net sales 3,000 + 6,000 = 9,000 of 12,000: 75 × 60 % = 45.00;
    # collections 1,500 + 3,000 = 4,500 of 3,000: 150 % (cap 150) × 40 % = 60.00
    assert (kpis["net_sales"].actual, kpis["net_sales"].weighted) == (D("9000.00"), D("45.00"))
    assert (kpis["collections"].actual, kpis["collections"].weighted) == (D("4500.00"),
                                                                          D("60.00"))
    assert appraisal.score == D("105.00") and appraisal.person is None
    assert appraisal.unit == team


def test_visits_on_time_satisfaction_and_complaint_hours(personas):
    am01, sup1 = personas["am01"], personas["sup1"]
    first, second = personas.customers["am01"]
    monday = date(2026, 8, 3)
    schedule = VisitSchedule.objects.create(manager=am01, unit=am01.unit, week_start=monday,
                                            status="submitted")
    ScheduledVisit.objects.create(schedule=schedule, customer=first, day=date(2026, 8, 5))
    ScheduledVisit.objects.create(schedule=schedule, customer=second, day=date(2026, 8, 4))
    draft = VisitSchedule.objects.create(manager=am01, unit=am01.unit,
                                         week_start=date(2026, 8, 10))  # a draft: not counted
    ScheduledVisit.objects.create(schedule=draft, customer=first, day=date(2026, 8, 11))
    make_visit(am01, first, visited_on=date(2026, 8, 5))  # on the day planned
    make_visit(am01, second, visited_on=date(2026, 8, 6))  # two days late
    # Two complaints resolved in the quarter, rated 5 and 2 when closed: on Monday 3 August
    # 2026 registered at 09:00 and resolved at 13:00 the same day, and registered at 09:00 on
    # Tuesday and resolved at 09:00 on Wednesday.
    for day, hours in ((3, (9, 13)), (4, (9, 33))):
        ticket = make_ticket(sup1, first)
        created = datetime(2026, 8, day, hours[0], tzinfo=SHANGHAI)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=created, resolved_at=created + timedelta(hours=hours[1] - hours[0]),
            status="resolved")
    for rating, day in ((5, 10), (2, 11)):
        ticket = make_ticket(sup1, second, kind="inquiry")
        Ticket.objects.filter(pk=ticket.pk).update(
            closed_at=datetime(2026, 8, day, 10, tzinfo=SHANGHAI), rating=rating, status="closed")
    context = sources.Context(sup1, am01, None, "quarter", date(2026, 7, 1), date(2026, 9, 30))
    assert sources.visits_on_time(context) == D("50.00")  # one of two on time
    assert sources.satisfaction(context) == D("3.50")  # (5 + 2) ÷ 2
    # in business hours (09:00–12:00, 13:30–18:00 on working days): Monday 09:00–13:00 is
    # 3 hours, Tuesday 09:00 to Wednesday 09:00 is 3 + 4.5 = 7.5 hours; (3 + 7.5) ÷ 2 = 5.25
    assert sources.complaint_hours(context) == D("5.25")
    # another manager's figures are not am01's
    other = sources.Context(sup1, personas["am02"], None, "quarter", date(2026, 7, 1),
                            date(2026, 9, 30))
    assert sources.visits_on_time(other) is None and sources.satisfaction(other) is None


def test_the_department_managers_sheet(personas):
    director, deptmgr = personas["director"], personas["deptmgr"]
    sheet = services.sheet_draft(actor=director, person=deptmgr, period_kind="year",
                                 day=date(2025, 5, 1), today=TODAY)
    criteria = list(sheet.criteria.all())
    assert len(criteria) == 7 + 9 + 11 + 5  # the seed's four dimensions
    assert [c.dimension for c in criteria[:1] + criteria[-1:]] == ["business", "reports"]
    assert criteria[0].text == "定期对客户进行调查，了解客户意见。"
    assert (sheet.period_start, sheet.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    scores = {c.pk: 4 for c in criteria}
    scores[criteria[0].pk] = 5
    scores[criteria[1].pk] = 0
    sheet = services.appraisal_save(actor=director, appraisal=sheet, data={"evaluation": "称职"},
                                    scores=scores, expected_version=sheet.version)
    # 30 criteria at 4, one at 5, one at 0: 125 of 160 points = 78.125 → 78.13
    assert sheet.score == D("78.13") == sheet.final_score
