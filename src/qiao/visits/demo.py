"""Demo data for visits: the visit rules of the demo grades; visit records of the demo account
managers over the past months (some special, with commitments open, overdue, fulfilled and
followed by their return visit); their weekly visit schedules (submitted for the past weeks,
this week's submitted, next week's proposed and left a draft); the hospitality chain
(supervisor, then the department manager from ¥2,000), the managers' monthly hospitality
budgets (招待费预算) from three months back to next month, and a few requests in every state —
one over its manager's budget —; unlicensed-trading reports in every state, so each screen has
content on first start. Deterministic and idempotent."""

import random
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qiao.approvals import services as approvals
from qiao.approvals.models import Chain, ChainStep
from qiao.core import calendar
from qiao.core.history import authored_by
from qiao.core.signatures import signature_data_url
from qiao.customers.models import Contact, Customer, Grade
from qiao.org.models import Position, User

from . import intel, selectors, services, worklog
from .models import (
    HANDBOOK_TASKS,
    Commitment,
    GoingOut,
    HospitalityBudget,
    ScheduledVisit,
    UnlicensedReport,
    Visit,
    VisitRule,
    VisitSchedule,
    WorkReport,
)

# The rules of the demo grades (rank: days, visit type, tasks, customer training), as migration
# 0003 writes them for the grades that exist when it runs: 一级 weekly … 五级 quarterly.
ALL_TASKS = [task.value for task in HANDBOOK_TASKS]
RULES = {1: (7, "on_site", ALL_TASKS, True), 2: (14, "on_site", ALL_TASKS, True),
         3: (30, "on_site", ALL_TASKS, False),
         4: (60, "on_site", ["inform", "collect", "stock", "price"], False),
         5: (90, "phone", ["inform", "collect"], False)}
BIG_OF_RANK_2 = (7, "on_site", ALL_TASKS, True)
VISIT_MANAGERS = ("am01", "am02", "am03", "am05")
CUSTOMERS_PER_MANAGER = 12
DEMO_MONTHS = 4
SIGNERS = ("王建国", "李秀英", "张伟", "刘芳", "陈磊", "赵静", "孙强")
PURPOSES = ("例行走访，了解本月销售", "新品推介与陈列检查", "核对库存并建议订货", "传达本季度价格政策",
            "收集客户意见和建议")
FINDINGS = ("柜台陈列整齐，标价签齐全。", "库存偏低，畅销品断货两天。", "店面装修中，销售暂时下滑。",
            "客户对配送时间有意见。", "周边新开一家竞品门店。")
SITUATIONS = ("客户门店遭遇水管爆裂，部分商品受损。", "客户负责人变更，需要重新建立联系。",
              "客户投诉上批货品包装破损。")
COMMITMENTS = ("下周一前补送畅销品 20 件", "协调配送改为上午送达", "提供新版价格表和宣传资料",
               "安排一次店员产品培训", "反馈包装破损问题并给出处理意见")
COMPETITORS = ("竞品本月在该区域做买赠促销。", "", "竞品业务员每周来访一次。", "")


def ensure_hospitality_chain():
    chain, _ = Chain.objects.get_or_create(type_code="hospitality",
                                           defaults={"name": "招待费审批"})
    if not chain.steps.exists():
        ChainStep.objects.create(chain=chain, order=1, label="主管审批",
                                 rule=ChainStep.Rule.SUPERVISOR)
        ChainStep.objects.create(chain=chain, order=2, label="部门经理审批",
                                 rule=ChainStep.Rule.POSITION, min_amount=Decimal("2000"),
                                 position=Position.objects.filter(role__code="dept_manager").first())
    return chain


# Each demo manager's monthly hospitality budget, set by the supervisor (am03's, the regional
# manager's) and kept small for am03, whose next request goes over it.
BUDGETS = {"am01": Decimal("5000.00"), "am02": Decimal("5000.00"), "am03": Decimal("1000.00"),
           "am05": Decimal("3000.00")}
BUDGET_MONTHS_BACK = 3


def load_demo_budgets():
    """The budgets of BUDGETS from three months back to next month, where none is set."""
    this_month = selectors.month_of(timezone.localdate())
    months, month = [this_month, selectors.next_month(this_month)], this_month
    for _ in range(BUDGET_MONTHS_BACK):
        month = selectors.previous_month(month)
        months.append(month)
    for manager in User.objects.filter(username__in=BUDGETS).select_related("supervisor"):
        for month in months:
            if not HospitalityBudget.objects.filter(manager=manager, month=month,
                                                    grade__isnull=True).exists():
                budget = HospitalityBudget(manager=manager, month=month,
                                           amount=BUDGETS[manager.username])
                authored_by(budget, manager.supervisor).save()


@transaction.atomic
def load_demo_visits():
    load_demo_visit_records()
    load_demo_schedules()
    load_demo_work_reports()
    load_demo_unlicensed_reports()
    ensure_hospitality_chain()
    load_demo_budgets()
    users = {u.username: u for u in User.objects.filter(username__in=(
        "am01", "am02", "am03", "sup1", "region1", "deptmgr"))}
    if len(users) < 6:
        return
    day = timezone.localdate() + timedelta(days=7)

    def raise_(username, amount, purpose):
        customer = Customer.objects.filter(owner=users[username], is_deleted=False).first()
        return services.hospitality_request_create(
            actor=users[username], customer=customer, amount=Decimal(amount), date=day,
            guests="客户采购部 2 人", purpose=purpose)

    overdue = raise_("am01", "800.00", "季度走访后工作午餐")  # waiting for sup1 for four working days
    overdue.tasks.update(waiting_since=calendar.subtract_business_hours(timezone.now(), 30))
    approvals.tasks_escalate()  # sup1 reminded, region1 told
    big = raise_("am02", "3600.00", "年度订货会答谢宴")  # sup1 approved, waiting for deptmgr
    approvals.task_approve(actor=users["sup1"], task=big.tasks.get(order=1), comment="同意")
    done = raise_("am01", "2500.00", "新品推介会招待")
    approvals.task_approve(actor=users["sup1"], task=done.tasks.get(order=1))
    approvals.task_approve(actor=users["deptmgr"], task=done.tasks.get(order=2), comment="同意，控制标准")
    rejected = raise_("am02", "1200.00", "私人聚餐")
    approvals.task_reject(actor=users["sup1"], task=rejected.tasks.get(order=1),
                         comment="不属于业务招待")
    returned = raise_("am01", "1500.00", "客户答谢")
    approvals.task_return(actor=users["sup1"], task=returned.tasks.get(order=1),
                         comment="请补充来宾名单")
    raise_("am03", "1200.00", "客户年会答谢宴")  # over am03's ¥1,000: region1, then deptmgr
    withdrawn = raise_("am03", "600.00", "临时拜访")
    approvals.request_withdraw(actor=users["am03"], request=withdrawn)


def ensure_visit_rules() -> list[VisitRule]:
    """The demo grades' visit rules (by rank), created when missing, never changed once there
    (an administrator's edits in the admin stay)."""
    rules = []
    for grade in Grade.objects.filter(rank__in=RULES):
        entries = [("", RULES[grade.rank])] + ([("big", BIG_OF_RANK_2)] if grade.rank == 2 else [])
        for category, (days, method, tasks, training) in entries:
            rules.append(VisitRule.objects.get_or_create(
                grade=grade, category=category, defaults={
                    "frequency_days": days, "method": method, "tasks": tasks,
                    "training": training})[0])
    return rules


def _visit_on(manager, customer, day, rng, *, special=False, commitments=()):
    contacts = list(Contact.objects.filter(customer=customer, is_deleted=False)[:2])
    checklist = services.selectors.checklist_for(customer)
    tasks = [task for task in checklist if rng.random() < 0.8]
    signed_in = min(timezone.make_aware(datetime.combine(day, time(9 + rng.randrange(8),
                                                                   rng.randrange(60)))),
                    timezone.now())
    data = services.VisitInput(
        customer=customer, visited_on=day, signer_name=rng.choice(SIGNERS),
        signature=signature_data_url(rng.randrange(50), width=300, height=120),
        idempotency_key=uuid.UUID(int=rng.getrandbits(128)),
        kind=Visit.Kind.SPECIAL if special else Visit.Kind.REGULAR,
        situation=rng.choice(SITUATIONS) if special else "",
        planned=not special, purpose=rng.choice(PURPOSES), contacts=contacts, tasks=tasks,
        findings=rng.choice(FINDINGS), competitors=rng.choice(COMPETITORS),
        needs="希望增加畅销品的配送频次。" if rng.random() < 0.3 else "",
        suggested_order="建议补货：畅销品 2 件、新品 1 件。" if rng.random() < 0.5 else "",
        signed_in_at=signed_in, latitude=31.2 + rng.random() / 10,
        longitude=121.4 + rng.random() / 10, accuracy=float(rng.randrange(8, 60)),
        commitments=list(commitments))
    visit, _created = services.visit_record(actor=manager, data=data)
    return visit


def load_demo_visit_records(today=None):
    """Each demo manager's first customers visited over the past months at their grade's
    frequency (now and then late, a few never visited, so some are overdue), a special visit
    now and then; commitments made on some visits: the older ones fulfilled (their return
    visits then due or made), some cancelled, the recent ones open or overdue."""
    if Visit.objects.exists():
        return
    ensure_visit_rules()
    today = today or timezone.localdate()
    start = today - timedelta(days=30 * DEMO_MONTHS)
    rules = services.selectors.rules_by_key()
    for seed, username in enumerate(VISIT_MANAGERS):
        manager = User.objects.filter(username=username).first()
        if manager is None:
            continue
        rng = random.Random(f"visits-{seed}")
        customers = list(Customer.objects.filter(owner=manager, is_deleted=False,
                                                 grade__isnull=False)
                         .select_related("grade").order_by("id")[:CUSTOMERS_PER_MANAGER])
        for n, customer in enumerate(customers):
            rule = services.selectors.rule_for(customer, rules)
            if rule is None or n % 6 == 5:
                continue  # never visited: due at once
            day = start + timedelta(days=rng.randrange(rule.frequency_days))
            while day <= today:
                if calendar.is_working_day(day):
                    promise = []
                    if rng.random() < 0.25:
                        promise = [(rng.choice(COMMITMENTS), day + timedelta(days=rng.randrange(3, 15)))]
                    _visit_on(manager, customer, day, rng, special=rng.random() < 0.08,
                              commitments=promise)
                # now and then a visit late by a few days, or skipped: overdue customers
                day += timedelta(days=rule.frequency_days + rng.choice((0, 0, 0, 2, 5)))
                if n % 4 == 3 and day > today - timedelta(days=rule.frequency_days * 2):
                    break
        # Older open commitments: most kept (a return visit then due), a few cancelled.
        old = Commitment.objects.filter(owner=manager, status=Commitment.Status.OPEN,
                                        due_on__lt=today - timedelta(days=14)).order_by("id")
        fulfilled = []
        for i, commitment in enumerate(old):
            if i % 5 == 4:
                services.commitment_cancel(actor=manager, commitment=commitment,
                                           note="客户已不需要")
            elif i % 5 != 3:  # every fifth left open: overdue
                fulfilled.append(services.commitment_fulfil(actor=manager, commitment=commitment,
                                                            note="已按承诺办理"))
        # The first one's return visit (回访) made today; the others' still due.
        if fulfilled:
            _visit_on(manager, fulfilled[0].customer, today, rng)


SCHEDULE_WEEKS_BACK = 8
SCHEDULE_COMMENTS = ("重点客户安排在周初，很好。", "请把逾期客户尽快安排上门。", "周三安排偏多，注意路线。")


def load_demo_schedules(today=None):
    """Each demo manager's visit schedules: the past weeks' submitted, made of the visits they
    recorded that week (the supervisor commenting on some); this week's proposed and
    submitted; next week's proposed from the rules and left a draft to edit."""
    if VisitSchedule.objects.exists():
        return
    today = today or timezone.localdate()
    this_week = services.selectors.week_of(today)
    supervisor = User.objects.filter(username="sup1").first()
    for seed, username in enumerate(VISIT_MANAGERS):
        manager = User.objects.filter(username=username).first()
        if manager is None:
            continue
        for back in range(SCHEDULE_WEEKS_BACK, 0, -1):
            week = this_week - timedelta(weeks=back)
            visits = list(Visit.objects.filter(author=manager, visited_on__gte=week,
                                               visited_on__lte=week + timedelta(days=6))
                          .order_by("visited_on", "id"))
            submitted = timezone.make_aware(datetime.combine(week - timedelta(days=2),
                                                             time(17, 30)))
            schedule = VisitSchedule.objects.create(
                manager=manager, unit=manager.unit, week_start=week,
                status=VisitSchedule.Status.SUBMITTED, submitted_at=submitted,
                created_at=submitted, updated_at=submitted)
            seen = set()
            for order, visit in enumerate(visits, start=1):
                if visit.customer_id in seen:
                    continue
                seen.add(visit.customer_id)
                ScheduledVisit.objects.create(schedule=schedule, customer_id=visit.customer_id,
                                              day=visit.visited_on, order=order,
                                              reason=ScheduledVisit.Reason.DUE)
            if supervisor is not None and username in ("am01", "am02") and back % 3 == 1:
                schedule.comment = SCHEDULE_COMMENTS[(seed + back) % len(SCHEDULE_COMMENTS)]
                schedule.commented_by = supervisor
                schedule.commented_at = submitted + timedelta(hours=16)
                schedule.save(update_fields=["comment", "commented_by", "commented_at"])
        current, _created = services.schedule_propose(actor=manager, week_start=this_week)
        services.schedule_submit(actor=manager, schedule=current,
                                 expected_version=current.version)
        services.schedule_propose(actor=manager, week_start=this_week + timedelta(days=7))


WORK_LOG_DAYS = 14  # the daily logs of the last two weeks' working days
WORK_SUMMARY_WEEKS = 4
REPORT_COMMENTS = ("内容具体，继续保持。", "逾期承诺请尽快兑现。", "下周重点跟进一级客户的备货。")
GOING_OUT = (("浦东新区张江镇", "走访重点客户并核对陈列"), ("闵行区七宝镇", "处理客户投诉，现场核实"))


def load_demo_work_reports(today=None):
    """Each demo manager's daily logs of the last two weeks' working days and weekly summaries
    of the last four weeks, drafted from their visits and submitted (sup1 commenting on some of
    am01's and am02's); am01 out of the office now, am02 back from going out yesterday."""
    if WorkReport.objects.exists():
        return
    today = today or timezone.localdate()
    supervisor = User.objects.filter(username="sup1").first()
    for seed, username in enumerate(VISIT_MANAGERS):
        manager = User.objects.filter(username=username).first()
        if manager is None:
            continue
        days = [today - timedelta(days=back) for back in range(WORK_LOG_DAYS, 0, -1)]
        periods = [(WorkReport.Period.DAY, day) for day in days if day.weekday() < 5] + [
            (WorkReport.Period.WEEK, today - timedelta(weeks=back))
            for back in range(WORK_SUMMARY_WEEKS, 0, -1)]
        for number, (period, day) in enumerate(periods):
            report = worklog.report_draft(actor=manager, period=period, day=day)
            report = worklog.report_submit(actor=manager, report=report,
                                           expected_version=report.version)
            if supervisor is not None and username in ("am01", "am02") and number % 3 == 0:
                worklog.report_comment(
                    actor=supervisor, report=report, expected_version=report.version,
                    comment=REPORT_COMMENTS[(seed + number) % len(REPORT_COMMENTS)])
    _demo_going_out(today)


def _demo_going_out(today):
    people = {u.username: u for u in User.objects.filter(username__in=("am01", "am02"))}
    if len(people) < 2:
        return
    now = timezone.now()
    place, purpose = GOING_OUT[0]
    worklog.going_out_register(actor=people["am01"], place=place, purpose=purpose,
                               leaves_at=now - timedelta(hours=1), until=now + timedelta(hours=3))
    place, purpose = GOING_OUT[1]
    yesterday = timezone.make_aware(datetime.combine(today - timedelta(days=1), time(9, 30)))
    going = worklog.going_out_register(actor=people["am02"], place=place, purpose=purpose,
                                       leaves_at=yesterday, until=yesterday + timedelta(hours=6))
    worklog.going_out_return(actor=people["am02"], going_out=going)
    GoingOut.objects.filter(pk=going.pk).update(returned_at=yesterday + timedelta(hours=5))
# Unlicensed trading seen on visits (无证经营): (manager, place, operator, what was seen, days
# ago, how far it went: 0 reported, 1 passed on, 2 handled).
UNLICENSED = (
    ("am01", "解放路 18 号旁报刊亭", "报刊亭摊主",
     "报刊亭柜台下私售整条卷烟，未见烟草专卖零售许可证。", 20, 2),
    ("am02", "城东农贸市场 B 区 12 号", "干货摊位", "干货摊位夹带零售卷烟，价格明显低于指导价。", 12, 2),
    ("am03", "新华小区北门", "", "流动三轮车在小区门口售烟，傍晚出现。", 6, 1),
    ("am01", "人民路 66 号便利店", "好邻居便利店", "店内另设柜台售烟，许可证登记地址与实际不符。", 3, 1),
    ("am05", "火车站南广场", "", "多名流动人员兜售散装卷烟。", 2, 0),
    ("am02", "建设路 9 号棋牌室", "聚友棋牌室", "棋牌室前台向顾客出售卷烟。", 1, 0),
)
PASSED_TO = "市烟草专卖局稽查支队"
OUTCOMES = ("专卖局已立案查处，暂扣卷烟 35 条，责令停止经营。", "经查属实，已没收卷烟并处罚款。")


def load_demo_unlicensed_reports(today=None):
    """A handful of unlicensed-trading reports from the demo managers' visits, in every state:
    the older ones passed on by the regional manager and handled, the newest just reported."""
    if UnlicensedReport.objects.exists():
        return
    today = today or timezone.localdate()
    for n, (username, place, operator, seen, days_ago, step) in enumerate(UNLICENSED):
        manager = User.objects.filter(username=username).first()
        if manager is None:
            continue
        observed = today - timedelta(days=days_ago)
        visit = Visit.objects.filter(author=manager, visited_on__lte=observed).first()
        report = intel.report_submit(actor=manager, visit=visit, place=place, operator=operator,
                                     description=seen, observed_on=observed)
        handler = intel.handler_of(manager)
        if step >= 1 and handler is not None:
            report = intel.report_pass_on(actor=handler, report=report, passed_to=PASSED_TO,
                                          passed_on=min(observed + timedelta(days=1), today))
            if step == 2:
                intel.report_handle(actor=handler, report=report,
                                    outcome=OUTCOMES[n % len(OUTCOMES)])
