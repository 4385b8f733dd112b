"""The sales ledger for `make bench` (issue 14): two full years and this year of orders with
their lines on the account managers' customers — 500,000 lines at scale S, 5,000,000 at M and
L (the issue's size; `--sales-lines` sets another count) — written with bulk_create month by
month, as the ledger would hold them: seasonal (the demo's months, about 8 % more each year),
delivered within three days, 3 % cancelled before delivery, the last week's partly still
waiting; returns of 2 % of the delivered lines for each reason, some in a later month; receipts
by transfer, cash and promissory note (of the last five months' deliveries about one in twelve
unpaid and as many half paid, so some customers are overdue); every manager's monthly costs
and targets; credit files for a third of the customers. Then `services.rebuild()` builds the
fact tables, timed: the issue's "rebuilding all aggregates" figure. Deterministic (seeded).

Kept like the approval data: a row `sales` in the marker table qiao_bench_meta."""

import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tests.perf.approvals_data import read_marker, write_marker

SALES_VERSION = 1
LINES = {"demo": 50_000, "S": 500_000, "M": 5_000_000, "L": 5_000_000}
LINES_PER_ORDER = (1, 4)  # 2.5 on average
YEARS_BEFORE = 2
CANCELLED = 0.03
RETURNED = 0.02
CREDIT_FILES = 3  # one customer in three has a credit file


def ensure(vendor, seed=2026, total=None, scale="S") -> dict:
    from qiao.sales.models import OrderLine

    total = total or LINES[scale]
    wanted = {"version": SALES_VERSION, "lines": total, "seed": seed}
    meta = read_marker("sales")
    if meta and all(meta.get(k) == v for k, v in wanted.items()) \
            and OrderLine.objects.count() >= total * 0.9:
        print(f"Reusing the sales ledger of {meta['rows']['order_lines']:,} order lines "
              f"generated {meta['generated_at']} (rebuild then {meta['rebuild_seconds']} s)")
        return meta
    started = time.perf_counter()
    rows = generate(seed=seed, total=total)
    load = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    facts = rebuild_timed()
    rebuild = round(time.perf_counter() - started, 1)
    _analyze(vendor)
    meta = {**wanted, "rows": rows, "facts": facts, "load_seconds": load,
            "rebuild_seconds": rebuild,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_marker(meta, "sales")
    print(f"Generated the sales ledger in {load} s: {rows}; rebuilt the fact tables in "
          f"{rebuild} s: {facts}")
    return meta


def rebuild_timed() -> dict:
    from qiao.sales import services

    return services.rebuild()


def _analyze(vendor):
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "postgres":
            for table in ("sales_order", "sales_orderline", "sales_salesreturn", "sales_receipt",
                          "sales_managercost", "sales_salestarget", "sales_creditfile",
                          "sales_managermonth", "sales_customermonth"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def _months(today: date) -> list[date]:
    """The first days of the months from January two years ago to this one."""
    return [date(year, month, 1) for year in range(today.year - YEARS_BEFORE, today.year + 1)
            for month in range(1, 13) if date(year, month, 1) <= today]


def _weights(months, today):
    from qiao.sales.demo import SEASON

    weights = []
    for month in months:
        weight = SEASON[month.month] * (1 + 0.08 * (month.year - today.year))
        if (month.year, month.month) == (today.year, today.month):
            weight *= min(today.day, 28) / 28  # this month so far
        weights.append(weight)
    return weights


def _wipe():
    from qiao.sales.models import (
        CreditFile,
        CustomerMonth,
        ManagerCost,
        ManagerMonth,
        Order,
        OrderLine,
        Receipt,
        SalesReturn,
        SalesTarget,
    )

    for model in (Receipt, SalesReturn, OrderLine, Order, ManagerCost, SalesTarget, CreditFile,
                  ManagerMonth, CustomerMonth):
        model.objects.all()._raw_delete(model.objects.db)
    CreditFile.history.model.objects.all()._raw_delete(CreditFile.objects.db)


def generate(*, seed, total) -> dict:
    """Write the ledger (about `total` order lines); the fact tables are left to rebuild()."""
    from django.db import transaction
    from django.utils import timezone

    from qiao.customers.models import Customer
    from qiao.org.models import User
    from qiao.sales.demo import ensure_products

    rng = random.Random(seed)
    today = timezone.localdate()
    products = ensure_products()
    managers = list(User.objects.filter(position__role__code="account_manager", is_active=True)
                    .order_by("username"))
    customers: dict[int, list[tuple[int, int]]] = {}
    for pk, owner, level in (Customer.objects.filter(owner__in=managers, is_deleted=False)
                             .order_by("pk").values_list("pk", "owner_id", "secret_level")):
        customers.setdefault(owner, []).append((pk, level))
    managers = [m for m in managers if customers.get(m.pk)]
    if not managers:
        raise SystemExit("sales data: no account managers with customers")
    director = User.objects.filter(username="director").first()
    months = _months(today)
    weights = _weights(months, today)
    orders_total = total / (sum(LINES_PER_ORDER) / 2)
    counts = {"orders": 0, "order_lines": 0, "returns": 0, "receipts": 0}
    ordered_before: set[int] = set()
    with transaction.atomic():
        _wipe()
        for month, weight in zip(months, weights, strict=True):
            count = round(orders_total * weight / sum(weights))
            made = _month(rng, month, count, today, managers, customers, products, director,
                          ordered_before)
            for key, value in made.items():
                counts[key] += value
        counts["costs"] = _costs(rng, months, managers, director)
        counts["targets"] = _targets(months, managers)
        counts["credit_files"] = _credit_files(rng, customers, today, director)
    return counts


def _month(rng, month, count, today, managers, customers, products, director, ordered_before):
    from qiao.core.money import round_half_up
    from qiao.sales import demo, services
    from qiao.sales.models import (
        Channel,
        CustomerKind,
        Order,
        OrderLine,
        OrderStatus,
        Receipt,
        SalesReturn,
    )
    from qiao.sales.services import ZERO

    last_day = min(today, (month + timedelta(days=31)).replace(day=1) - timedelta(days=1))
    span = (last_day - month).days
    orders, plans = [], []
    days = sorted(rng.randint(0, span) for _ in range(count))  # in order: new, then fixed
    for i in range(count):
        manager = managers[i % len(managers)]
        customer_id, level = rng.choice(customers[manager.pk])
        day = month + timedelta(days=days[i])
        planned = [(p, rng.randint(2, 30)) for p in
                   rng.sample(products, rng.randint(*LINES_PER_ORDER))]
        amount = sum((p.price * q for p, q in planned), ZERO)
        order = Order(
            customer_id=customer_id, manager_id=manager.pk, unit_id=manager.unit_id,
            secret_level=level, ordered_on=day,
            channel=Channel.VISIT if rng.random() < 0.6 else Channel.PHONE,
            customer_kind=CustomerKind.FIXED if customer_id in ordered_before
            else CustomerKind.NEW,
            amount=amount, marginal_cost=sum((p.marginal_cost * q for p, q in planned), ZERO),
            discount=round_half_up(amount * Decimal("0.02")) if rng.random() < 0.2 else ZERO,
            commission=round_half_up(amount * Decimal("0.01")) if rng.random() < 0.1 else ZERO,
            created_by_id=manager.pk)
        if rng.random() < CANCELLED:
            order.status = OrderStatus.CANCELLED
            order.cancelled_on = min(day + timedelta(days=rng.randint(0, 2)), today)
            order.cancel_reason = rng.choice(["客户取消订货", "重复下单", "库存不足"])
        else:
            ordered_before.add(customer_id)
            delivered = day + timedelta(days=rng.randint(1, 3))
            if delivered <= today and (today - day).days > rng.randint(3, 8):
                order.status, order.delivered_on = OrderStatus.DELIVERED, delivered
        orders.append(order)
        plans.append(planned)
    made = Order.objects.bulk_create(orders, batch_size=2000)
    if made and made[0].pk is None:  # no RETURNING: read the ids back
        ids = list(Order.objects.order_by("-pk").values_list("pk", flat=True)[:len(orders)])[::-1]
        for order, pk in zip(orders, ids, strict=True):
            order.pk = order.id = pk
    lines, returns = [], []
    for order, planned in zip(orders, plans, strict=True):
        for product, quantity in planned:
            line = OrderLine(order=order, product=product, quantity=quantity,
                             price=product.price, amount=product.price * quantity,
                             unit_cost=product.marginal_cost)
            lines.append(line)
            if order.status != OrderStatus.DELIVERED or rng.random() >= RETURNED:
                continue
            returned_on = order.delivered_on + timedelta(days=rng.randint(2, 45))
            if returned_on > today:
                continue
            line.returned = rng.randint(1, max(1, quantity // 3))
            returns.append((line, returned_on))
    made_lines = OrderLine.objects.bulk_create(lines, batch_size=5000)
    if made_lines and made_lines[0].pk is None:
        ids = list(OrderLine.objects.order_by("-pk").values_list("pk", flat=True)[:len(lines)])
        for line, pk in zip(lines, ids[::-1], strict=True):
            line.pk = line.id = pk
    reasons = ("quality",) * 4 + ("late",) * 3 + ("business",) * 2 + ("other",)
    sales_returns = []
    for line, returned_on in returns:
        order = line.order
        sales_returns.append(SalesReturn(
            line_id=line.pk, customer_id=order.customer_id, manager_id=order.manager_id,
            unit_id=order.unit_id, secret_level=order.secret_level,
            returned_on=returned_on,
            quantity=line.returned, amount=services.return_amount(order, line, line.returned),
            reason=rng.choice(reasons), created_by=director))
    SalesReturn.objects.bulk_create(sales_returns, batch_size=2000)
    receipts = demo.receipts_for(rng, orders, today, director)
    Receipt.objects.bulk_create(receipts, batch_size=2000)
    return {"orders": len(orders), "order_lines": len(lines), "returns": len(sales_returns),
            "receipts": len(receipts)}


def _costs(rng, months, managers, director) -> int:
    from qiao.sales.demo import COSTS
    from qiao.sales.models import ManagerCost

    rows = [ManagerCost(manager=manager, unit_id=manager.unit_id, month=month, kind=kind,
                        amount=Decimal(rng.randint(low, high)), created_by=director)
            for month in months for manager in managers
            for kind, (low, high) in COSTS.items()]
    ManagerCost.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _targets(months, managers) -> int:
    """Each manager's standard sales of each month: the average month's orders, by the
    season, a little above (what they sell varies with how many customers they keep)."""
    from qiao.core.money import round_half_up
    from qiao.sales.demo import SEASON
    from qiao.sales.models import SalesTarget

    average = Decimal(200_000)
    rows = [SalesTarget(manager=manager, unit_id=manager.unit_id, month=month,
                        amount=round_half_up(average * Decimal(str(SEASON[month.month]))
                                             * Decimal("1.05"), 0))
            for month in months for manager in managers]
    SalesTarget.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _credit_files(rng, customers, today, director) -> int:
    from qiao.sales.models import CreditFile, CreditTerms, Rating

    files = []
    for mine in customers.values():
        for customer_id, _level in mine[::CREDIT_FILES]:
            rating = rng.choices(list(Rating.values), weights=[30, 45, 20, 5])[0]
            limit = {"A": 2_000_000, "B": 1_000_000, "C": 400_000, "D": 100_000}[rating]
            files.append(CreditFile(
                customer_id=customer_id, investigator=director,
                investigated_on=today - timedelta(days=rng.randint(30, 400)), rating=rating,
                score={"A": 90, "B": 78, "C": 64, "D": 45}[rating] + rng.randint(-5, 5),
                terms=CreditTerms.CREDIT if rating in "AB" else CreditTerms.CASH,
                credit_limit=Decimal(limit), term_days=rng.choice([15, 30, 30, 45]),
                bank_credit=rng.choice(["very_good", "good", "fair"]),
                payment_attitude=rng.choice(["prompt", "ordinary", "acceptable", "delays"]),
                premises=rng.choice(["busy", "commercial", "remote"])))
    CreditFile.objects.bulk_create(files, batch_size=2000)
    return len(files)
