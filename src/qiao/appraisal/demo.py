"""Demo data of staff appraisal: a quarterly scheme for account managers and one for teams,
last quarter's appraisals of every account manager by their supervisor (or regional
manager) in every state — confirmed, submitted, returned, draft — with rewards and penalties,
each region's teams appraised by the regional manager (seed 004), and the department
manager's evaluation sheet (seed 002 篇2) scored by the director. Through the services, so
the KPIs are the demo ledger's figures."""

import random
from decimal import Decimal

from django.utils import timezone

from qiao.org.models import OrgUnit, Role, User

from . import services
from .models import Appraisal, Scorecard, Status
from .periods import previous_period

STATES = (Status.CONFIRMED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT)
EVALUATIONS = ("销售超额完成，客户维护到位。", "销售基本达标，回款需加快。",
               "新客户开发不足，访问计划执行较好。", "投诉处理及时，客户满意度高。")


def _person_scheme(actor):
    return services.scorecard_save(actor=actor, scorecard=None, data={
        "name": "客户经理季度绩效考核", "role": Role.objects.filter(code="account_manager").first(),
        "subject": "person", "period_kind": "quarter", "active": True,
        "note": "销售额、回款、访问与服务并重"}, kpis=[
        {"source": "net_sales", "weight": 30, "target": Decimal("300000.00"), "cap": 120},
        {"source": "completion", "weight": 20, "target": Decimal("100.00"), "cap": 120},
        {"source": "collections", "weight": 20, "target": Decimal("250000.00"), "cap": 100},
        {"source": "visits_on_time", "weight": 10, "target": Decimal("90.00"), "cap": 100},
        {"source": "satisfaction", "weight": 10, "target": Decimal("4.50"), "cap": 100},
        {"source": "complaint_hours", "weight": 10, "target": Decimal("24.00"), "cap": 100}])


def _unit_scheme(actor):
    return services.scorecard_save(actor=actor, scorecard=None, data={
        "name": "重客组季度考核", "role": None, "subject": "unit", "period_kind": "quarter",
        "active": True, "note": "对下一级重客部进行考核"}, kpis=[
        {"source": "net_sales", "weight": 50, "target": Decimal("600000.00"), "cap": 120},
        {"source": "collections", "weight": 30, "target": Decimal("500000.00"), "cap": 100},
        {"source": "satisfaction", "weight": 20, "target": Decimal("4.50"), "cap": 100}])


def _move(appraisal, state, evaluator, reviewer, rng, text):
    appraisal = services.appraisal_save(actor=evaluator, appraisal=appraisal, data={
        "evaluation": text, "comments": "继续保持" if state == Status.CONFIRMED else ""},
        expected_version=appraisal.version)
    if rng.random() < 0.6:
        services.line_add(actor=evaluator, appraisal=appraisal, kind="reward",
                          reason="季度新客户开发奖", amount=Decimal("500.00"), points=Decimal("3"),
                          expected_version=appraisal.version)
        appraisal.refresh_from_db()
    if rng.random() < 0.3:
        services.line_add(actor=evaluator, appraisal=appraisal, kind="penalty",
                          reason="拜访日程表迟交", points=Decimal("1"),
                          expected_version=appraisal.version)
        appraisal.refresh_from_db()
    if state == Status.DRAFT or reviewer is None:
        return appraisal
    appraisal = services.appraisal_submit(actor=evaluator, appraisal=appraisal,
                                          expected_version=appraisal.version)
    if state == Status.SUBMITTED:
        return appraisal
    return services.appraisal_review(
        actor=reviewer, appraisal=appraisal, confirm=state == Status.CONFIRMED,
        comment="" if state == Status.CONFIRMED else "请补充奖惩依据",
        expected_version=appraisal.version)


def load_demo_appraisal(*, seed=2026):
    if Scorecard.objects.exists() or Appraisal.objects.exists():
        return
    users = {u.username: u for u in User.objects.select_related("supervisor", "unit")}
    director, deptmgr = users.get("director"), users.get("deptmgr")
    if director is None or deptmgr is None:
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    quarter = previous_period("quarter", today)
    person_scheme, unit_scheme = _person_scheme(director), _unit_scheme(director)
    managers = sorted((u for name, u in users.items() if name.startswith("am") and u.is_active
                       and u.supervisor is not None), key=lambda u: u.username)
    for i, manager in enumerate(managers):
        evaluator = manager.supervisor
        appraisal = services.appraisal_draft(actor=evaluator, scorecard=person_scheme,
                                             day=quarter, person=manager, today=today)
        _move(appraisal, STATES[i % len(STATES)], evaluator, evaluator.supervisor, rng,
              EVALUATIONS[i % len(EVALUATIONS)])
    for r in range(1, 4):
        regional = users.get(f"region{r}")
        if regional is None:
            continue
        teams = OrgUnit.objects.filter(parent=regional.unit, kind=OrgUnit.Kind.TEAM).order_by("pk")
        for j, team in enumerate(teams):
            appraisal = services.appraisal_draft(actor=regional, scorecard=unit_scheme,
                                                 day=quarter, unit=team, today=today)
            _move(appraisal, (Status.CONFIRMED, Status.DRAFT)[j % 2], regional, deptmgr, rng,
                  "团队协作良好，完成季度任务。")
    sheet = services.sheet_draft(actor=director, person=deptmgr, period_kind="quarter",
                                 day=quarter, today=today)
    scores = {c.pk: rng.choice((3, 4, 4, 5)) for c in sheet.criteria.all()}
    sheet = services.appraisal_save(actor=director, appraisal=sheet, data={
        "evaluation": "部门管理规范，投诉处理及时；下属培训计划需加强。",
        "comments": "下季度重点：客户意见调查"}, scores=scores, expected_version=sheet.version)
    services.appraisal_submit(actor=director, appraisal=sheet, expected_version=sheet.version)
