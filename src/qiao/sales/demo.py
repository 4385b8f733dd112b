"""Demo data of sales and credit: the products, each account manager's orders of the last two
years and this year (seasonal: the Spring Festival and the autumn holidays sell most, summer
least; about 8 % more each year), deliveries, cancellations before delivery, returns for each
reason (some in a later month than their order), receipts by cash, transfer and promissory
note (some unpaid, so the arrears list has overdue customers), the managers' monthly costs and
targets, and credit files. The documents are written in bulk and the fact tables built by
`services.rebuild`, the same sums the postings keep — so the seasonal index and the
year-on-year figures mean something on first start."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qiao.core.money import round_half_up
from qiao.customers.models import Customer, Grade
from qiao.org.models import OrgUnit, User
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from . import bonus, credit_requests, selectors, services
from .actions import SALES_MANAGE
from .models import (
    BonusKind,
    BonusRule,
    BonusTier,
    Channel,
    CostKind,
    CreditFile,
    CreditTerms,
    CustomerKind,
    ManagerCost,
    ManagerMonth,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PriceList,
    PriceListLine,
    Product,
    Rating,
    Receipt,
    ReportStatus,
    ReturnReason,
    SalesReturn,
    SalesTarget,
)

PRODUCTS = [  # code, name, category, price per carton (条), marginal cost
    ("ZH-YH", "中华（硬）", "一类烟", "450.00", "338.00"),
    ("ZH-RH", "中华（软）", "一类烟", "650.00", "480.00"),
    ("HHL-RL", "黄鹤楼（软蓝）", "一类烟", "190.00", "142.00"),
    ("YX-R", "玉溪（软）", "一类烟", "230.00", "171.00"),
    ("FRW-Y", "芙蓉王（硬）", "二类烟", "250.00", "190.00"),
    ("LQ-XB", "利群（新版）", "二类烟", "170.00", "128.00"),
    ("NJ-XHM", "南京（炫赫门）", "二类烟", "150.00", "112.00"),
    ("YY-Z", "云烟（紫）", "三类烟", "110.00", "84.00"),
    ("HTS-JD", "红塔山（经典）", "三类烟", "100.00", "77.00"),
    ("JZ-KZ", "娇子（宽窄好运）", "三类烟", "120.00", "91.00"),
]
# How much each calendar month sells against an average month.
SEASON = {1: 1.45, 2: 1.30, 3: 0.90, 4: 0.90, 5: 0.95, 6: 0.80, 7: 0.75, 8: 0.80, 9: 1.15,
          10: 1.20, 11: 0.90, 12: 1.10}
MANAGERS = [f"am{i:02d}" for i in range(1, 13)]
ORDERS_A_MONTH = 26  # per manager in an average month
YEARS_BEFORE = 2  # complete years before this one, for the seasonal index
RETURN_REASONS = ([ReturnReason.QUALITY] * 4 + [ReturnReason.LATE] * 3
                  + [ReturnReason.BUSINESS] * 2 + [ReturnReason.OTHER])
COSTS = {CostKind.SALARY: (6000, 8000), CostKind.ALLOWANCE: (600, 900),
         CostKind.VEHICLE: (250, 350), CostKind.FUEL: (500, 1300), CostKind.TRAVEL: (300, 2000),
         CostKind.ENTERTAINMENT: (400, 3000), CostKind.GIFTS: (0, 1500)}


def ensure_products() -> list[Product]:
    for code, name, category, price, cost in PRODUCTS:
        Product.objects.get_or_create(code=code, defaults={
            "name": name, "category": category, "unit": "条", "price": Decimal(price),
            "marginal_cost": Decimal(cost)})
    return list(Product.objects.filter(active=True).order_by("code"))


def ensure_price_lists(products, today: date) -> None:
    """Two 价目表 from the first of this year: the general one (2 % off from 50 条) and the top
    grade's (5 % off, 8 % from 50 条)."""
    start = today.replace(month=1, day=1)
    lists = [(f"{start.year}年通用价目表", None, Decimal("1.00"), Decimal("0.98"))]
    top = Grade.objects.order_by("rank").first()
    if top is not None:
        lists.append((f"{start.year}年{top.name}客户价目表", top, Decimal("0.95"),
                      Decimal("0.92")))
    for name, grade, rate, bulk_rate in lists:
        if PriceList.objects.filter(name=name).exists():
            continue
        price_list = PriceList.objects.create(name=name, valid_from=start, grade=grade, active=True,
                                              note="年初定价")
        PriceListLine.objects.bulk_create(
            PriceListLine(price_list=price_list, product=product, price=round_half_up(
                product.price * share), min_quantity=quantity)
            for product in products for share, quantity in ((rate, 1), (bulk_rate, 50)))


def _months_back(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


@transaction.atomic
def load_demo_sales(*, seed=2026):
    products = ensure_products()
    ensure_price_lists(products, timezone.localdate())
    if Order.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    managers = {u.username: u for u in User.objects.filter(username__in=MANAGERS)}
    director = User.objects.filter(username="director").first()
    if not managers or director is None:
        return
    customers = {name: list(Customer.objects.filter(is_deleted=False, owner=manager)
                            .order_by("pk")[:60])
                 for name, manager in managers.items()}
    months = _months_back(today, 12 * YEARS_BEFORE + today.month)
    orders, plans = _orders(rng, months, today, managers, customers, products)
    Order.objects.bulk_create(orders, batch_size=1000)
    lines = [line for order, planned in zip(orders, plans, strict=True)
             for line in _lines(order, planned)]
    OrderLine.objects.bulk_create(lines, batch_size=2000)
    SalesReturn.objects.bulk_create(_returns(rng, lines, today, director), batch_size=1000)
    Receipt.objects.bulk_create(receipts_for(rng, orders, today, director), batch_size=1000)
    ManagerCost.objects.bulk_create(_costs(rng, months, managers, director), batch_size=1000)
    SalesTarget.objects.bulk_create(_targets(months, managers), batch_size=1000)
    CreditFile.objects.bulk_create(_credit_files(rng, customers, today, director),
                                   batch_size=1000)
    services.rebuild()
    _reports(rng, today, managers, director)
    _dunning(rng, today, managers)
    credit_requests.ensure_chain()
    _bonuses(months, today, director)
    _annual_plans(today, managers, director)


def _bonuses(months, today, director):
    """奖金规则 in the handbook's spirit (第17–20条): below 80 % of the standard sales no
    performance bonus, 80–100 % 1 % of net sales, from 100 % 2 %; rank bonuses for the first
    three of the month and of the year. The months before last confirmed (so their rates are
    clawed back when their orders come back), last month's run a draft to confirm."""
    rule = BonusRule.objects.create(
        effective_from=months[0], monthly_first=Decimal("1000"), monthly_second=Decimal("600"),
        monthly_third=Decimal("300"), annual_first=Decimal("10000"),
        annual_second=Decimal("6000"), annual_third=Decimal("3000"),
        note="客户开发激励制度 第17–20条")
    BonusTier.objects.bulk_create([
        BonusTier(rule=rule, completion_from=Decimal(80), completion_to=Decimal(100),
                  rate=Decimal("1.00")),
        BonusTier(rule=rule, completion_from=Decimal(100), completion_to=None,
                  rate=Decimal("2.00"))])
    last_month = months[-2] if len(months) > 1 else months[-1]
    for month in months[-4:-2]:
        run, _made = bonus.run_draft(BonusKind.MONTH, month)
        bonus.run_confirm(actor=director, run=run, expected_version=run.version)
    if last_month.year < today.year:
        bonus.run_draft(BonusKind.YEAR, last_month)
    bonus.run_draft(BonusKind.MONTH, last_month)


RESULTS = ("客户答应月底前付清", "财务负责人出差，下周再联系", "客户称资金紧张，申请分期",
           "已寄送催款函，客户签收", "短信已发送，未回复")


def _dunning(rng, today, managers):
    """Dunning on the most overdue customers of each manager: actions, a promise kept, one broken
    (escalated by the daily pass) and one still open (CRD-3)."""
    for manager in managers.values():
        lines = selectors.arrears(manager, manager=manager, today=today)["lines"][:4]
        for index, line in enumerate(lines):
            customer, owed = line["customer"], line["receivable"]
            acted = today - timedelta(days=40 - index * 8)
            first = services._first_debt_day(customer)
            if first is None or acted < first:
                continue
            for step, method in enumerate(("phone", "sms", "visit")[:1 + index % 3]):
                services.dunning_record(
                    actor=manager, customer=customer, method=method,
                    acted_on=acted + timedelta(days=step * 5), result=rng.choice(RESULTS))
            amount = round_half_up(min(owed, owed * Decimal("0.4")))
            if amount <= 0:
                continue
            if index == 0:  # kept: paid within the promised time
                services.promise_record(
                    actor=manager, customer=customer, amount=amount,
                    promised_on=acted, due_on=acted + timedelta(days=10))
                services.receipt_post(actor=manager, customer=customer, amount=amount,
                                      method="transfer", received_on=acted + timedelta(days=7))
            elif index == 1:  # broken: the date passed with nothing paid
                services.promise_record(
                    actor=manager, customer=customer, amount=amount,
                    promised_on=acted, due_on=acted + timedelta(days=14))
            else:  # open: due in the coming days
                services.promise_record(
                    actor=manager, customer=customer, amount=amount,
                    promised_on=today - timedelta(days=2), due_on=today + timedelta(days=12))
    services.dunning_daily(today)


def _reports(rng, today, managers, director):
    """Last month's drafts (one already submitted and one returned), earlier months accepted."""
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    earlier = (last - timedelta(days=1)).replace(day=1)
    for i, manager in enumerate(managers.values()):
        reviewer = manager.supervisor or director
        old = services.report_draft(manager, earlier)
        old.problems = rng.choice(["部分客户资金紧张，回款放缓；已约定分期回款。",
                                   "中秋前备货不足，畅销品断档两天；已与仓库确认安全库存。"])
        old.forecast = "预计下月与本月基本持平，节前备货会带动畅销品。"
        old.status, old.submitted_at = ReportStatus.ACCEPTED, timezone.now()
        old.figures = selectors.frozen_figures(old)
        old.reviewer, old.reviewed_at, old.review_comment = reviewer, timezone.now(), "同意。"
        old.save()
        report = services.report_draft(manager, last)
        if i % 4 == 1:
            report.problems = "个别客户反映送货不及时，已与物流协调固定送货日。"
            report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
            report.figures = selectors.frozen_figures(report)
            report.save()
        elif i % 4 == 2:
            report.problems = "销量下降。"
            report.status, report.reviewer = ReportStatus.RETURNED, reviewer
            report.review_comment = "请补充下降原因和具体措施。"
            report.save()


def _orders(rng, months, today, managers, customers, products):
    orders, plans, ordered_before = [], [], set()
    for month in months:
        growth = 1 + 0.08 * (month.year - months[-1].year)  # this year's level is 1
        for name, manager in managers.items():
            mine = customers.get(name) or []
            if not mine:
                continue
            count = round(ORDERS_A_MONTH * SEASON[month.month] * growth * rng.uniform(0.85, 1.15))
            for _ in range(count):
                day = month + timedelta(days=rng.randint(0, 27))
                if day > today:
                    continue
                customer = rng.choice(mine)
                planned = [(product, rng.randint(2, 30)) for product in
                           rng.sample(products, rng.randint(1, 3))]
                amount = sum((p.price * q for p, q in planned), Decimal(0))
                order = Order(
                    customer=customer, manager=manager, unit_id=manager.unit_id,
                    secret_level=customer.secret_level, ordered_on=day,
                    channel=Channel.VISIT if rng.random() < 0.6 else Channel.PHONE,
                    customer_kind=(CustomerKind.FIXED if customer.pk in ordered_before
                                   else CustomerKind.NEW),
                    amount=amount, marginal_cost=sum((p.marginal_cost * q for p, q in planned),
                                                     Decimal(0)),
                    discount=round_half_up(amount * Decimal("0.02")) if rng.random() < 0.2
                    else Decimal(0),
                    commission=round_half_up(amount * Decimal("0.01")) if rng.random() < 0.1
                    else Decimal(0),
                    created_by=manager)
                _fate(rng, order, today)
                if order.status != OrderStatus.CANCELLED:
                    ordered_before.add(customer.pk)
                orders.append(order)
                plans.append(planned)
    pairs = sorted(zip(orders, plans, strict=True), key=lambda pair: pair[0].ordered_on)
    return [order for order, _ in pairs], [planned for _, planned in pairs]


def _fate(rng, order, today):
    """Older orders are delivered within three days (3 % cancelled before); the last week's
    are partly still waiting."""
    if rng.random() < 0.03:
        order.status = OrderStatus.CANCELLED
        order.cancelled_on = min(order.ordered_on + timedelta(days=rng.randint(0, 2)), today)
        order.cancel_reason = rng.choice(["客户取消订货", "重复下单", "库存不足"])
        return
    delivered = order.ordered_on + timedelta(days=rng.randint(1, 3))
    if delivered <= today and (today - order.ordered_on).days > rng.randint(3, 8):
        order.status, order.delivered_on = OrderStatus.DELIVERED, delivered


def _lines(order, planned):
    return [OrderLine(order=order, product=product, quantity=quantity, price=product.price,
                      amount=product.price * quantity, unit_cost=product.marginal_cost)
            for product, quantity in planned]


def _returns(rng, lines, today, director):
    returns = []
    for line in lines:
        order = line.order
        if order.status != OrderStatus.DELIVERED or rng.random() > 0.04:
            continue
        day = order.delivered_on + timedelta(days=rng.randint(2, 45))
        if day > today:
            continue
        quantity = rng.randint(1, max(1, line.quantity // 3))
        line.returned = quantity
        returns.append(SalesReturn(
            line=line, customer_id=order.customer_id, manager_id=order.manager_id,
            unit_id=order.unit_id, secret_level=order.secret_level, returned_on=day,
            quantity=quantity, amount=services.return_amount(order, line, quantity),
            reason=rng.choice(RETURN_REASONS), created_by=director))
    OrderLine.objects.bulk_update([r.line for r in returns], ["returned"], batch_size=1000)
    return returns


def receipts_for(rng, orders, today, director):
    """Delivered orders are paid 5–45 days after delivery; of the last five months' about one
    in twelve is left unpaid and as many half paid, so some customers are overdue."""
    receipts = []
    for order in orders:
        if order.status != OrderStatus.DELIVERED:
            continue
        recent = (today - order.delivered_on).days < 150  # older debts were all collected
        if recent and rng.random() < 0.08:
            continue
        day = order.delivered_on + timedelta(days=rng.randint(5, 45))
        if day > today:
            continue
        amount = order.amount - order.discount
        if recent and rng.random() < 0.08:
            amount = round_half_up(amount * Decimal("0.5"))
        method = rng.choices([PaymentMethod.TRANSFER, PaymentMethod.CASH, PaymentMethod.NOTE],
                             weights=[60, 25, 15])[0]
        receipt = Receipt(customer_id=order.customer_id, manager_id=order.manager_id,
                          unit_id=order.unit_id, secret_level=order.secret_level, order=order,
                          received_on=day, method=method, amount=amount, created_by=director)
        if method == PaymentMethod.NOTE:
            receipt.note_due = day + timedelta(days=rng.choice([30, 45, 60, 90]))
            receipt.note_interest = services.note_interest(
                amount, shipped_on=order.delivered_on, due=receipt.note_due)
        receipts.append(receipt)
    return receipts


def _costs(rng, months, managers, director):
    return [ManagerCost(manager=manager, unit_id=manager.unit_id, month=month, kind=kind,
                        amount=Decimal(rng.randint(low, high)), created_by=director)
            for month in months for manager in managers.values()
            for kind, (low, high) in COSTS.items()]


def _targets(months, managers):
    """月标准销售额: an average month's sales this year, by the season, a little above."""
    average = Decimal(ORDERS_A_MONTH) * Decimal("7600")
    return [SalesTarget(manager=manager, unit_id=manager.unit_id, month=month,
                        amount=round_half_up(average * Decimal(str(SEASON[month.month]))
                                             * Decimal("1.05"), 0))
            for month in months[-13:] for manager in managers.values()]


def _credit_files(rng, customers, today, director):
    files = []
    for mine in customers.values():
        for customer in mine[: len(mine) // 2]:
            rating = rng.choices(list(Rating.values), weights=[30, 45, 20, 5])[0]
            limit = {"A": 200_000, "B": 100_000, "C": 40_000, "D": 10_000}[rating]
            files.append(CreditFile(
                customer=customer, investigator=customer.owner or director,
                investigated_on=today - timedelta(days=rng.randint(30, 400)), rating=rating,
                score={"A": 90, "B": 78, "C": 64, "D": 45}[rating] + rng.randint(-5, 5),
                terms=CreditTerms.CREDIT if rating in "AB" else CreditTerms.CASH,
                credit_limit=Decimal(limit), term_days=rng.choice([15, 30, 30, 45]),
                bank_credit=rng.choice(["very_good", "good", "fair"]),
                payment_attitude=rng.choice(["prompt", "ordinary", "acceptable", "delays"]),
                premises=rng.choice(["busy", "commercial", "remote"]),
                guaranteed=rating in "CD" and rng.random() < 0.5))
    return files


MEASURES = (("每周拜访三家重点客户，了解备货和动销", 2, "done"),
            ("节前与客户确定备货计划，畅销品提前锁定库存", 5, "open"),
            ("开发两家新零售户，首单在本季度内完成", 8, "open"))


def _annual_plans(today, managers, director):
    """This year's target split (年度销售目标分解) and personal sales plans: each manager's
    target is last year's net sales and 8 %, rounded to the hundred; teams, regions and the
    company add them up, then the director and each region's manager and supervisor split
    them down through the services. Plans: a quarter accepted, one submitted, one returned
    with a comment, the rest drafts; the minimum gross margin rate is 20 %, 27 % for one
    manager (above their margin, so the warning shows)."""
    year = today.year
    last_year = dict(ManagerMonth.objects.filter(month__year=year - 1)
                     .values("manager_id").annotate(net=selectors._money(selectors._net_sales()))
                     .values_list("manager_id", "net"))
    mine = {m.pk: round_half_up(Decimal(last_year.get(m.pk) or 0) * Decimal("1.08") / 100, 0)
            * 100 for m in managers.values()}
    units = list(OrgUnit.objects.order_by("path"))
    company = next((u for u in units if u.kind == OrgUnit.Kind.COMPANY), None)
    if company is None:
        return

    def total(unit) -> Decimal:
        if unit.kind == OrgUnit.Kind.TEAM:
            return sum((mine.get(m.pk, Decimal(0)) for m in services.team_managers([unit.pk])),
                       Decimal(0))
        return sum((total(child) for child in services.child_units(unit, units)), Decimal(0))

    services.annual_target_set(actor=director, year=year, unit=company, amount=total(company))

    def split(unit):
        if unit.kind == OrgUnit.Kind.TEAM:
            shares = {m: mine.get(m.pk, Decimal(0)) for m in services.team_managers([unit.pk])}
        else:
            shares = {child: total(child) for child in services.child_units(unit, units)}
        splitter = director if unit.manager is None or unit.kind == OrgUnit.Kind.COMPANY \
            else unit.manager
        services.annual_split(actor=splitter, year=year, unit=unit, amounts=shares)
        if unit.kind != OrgUnit.Kind.TEAM:
            for child in shares:
                split(child)

    split(company)
    quarters = [sum((Decimal(str(SEASON[m])) for m in range(q * 3 + 1, q * 3 + 4)), Decimal(0))
                for q in range(4)]
    for i, manager in enumerate(managers.values()):
        reviewer = first_reviewer(manager) or director
        plan = services.plan_open(manager, year)
        amounts = services.proportional(mine.get(manager.pk, Decimal(0)), quarters)
        data = {f"q{n + 1}": amount for n, amount in enumerate(amounts)}
        data["summary"] = "稳住现有重点客户，节前备货冲量；加大新客户开发，回款按月跟进。"
        measures = [{"text": text, "due_on": date(year, month, 28), "status": status}
                    for text, month, status in MEASURES]
        submit = i % 4 in (0, 1, 2)
        plan = services.plan_save(actor=manager, plan=plan, data=data, measures=measures,
                                  expected_version=plan.version, submit=submit)
        if i % 4 in (0, 2):
            plan = services.plan_review(
                actor=reviewer, plan=plan, accept=i % 4 == 0,
                comment="" if i % 4 == 0 else "第三季度措施不够具体，请补充新客户名单。",
                expected_version=plan.version)
        services.plan_margin_set(actor=reviewer, plan=plan,
                                 min_margin=Decimal("27.00") if i == 3 else Decimal("20.00"),
                                 expected_version=plan.version)


def first_reviewer(manager):
    return first_superior(manager, lambda person: can(person, SALES_MANAGE))
