"""Every read of the sales ledger on behalf of a user, through `visible_to(user)`.

The figures come from the fact tables (`ManagerMonth`, `CustomerMonth`), summed over the rows
the viewer may see, so a total is always the sum of the rows behind it. `derive` turns a row of
sums into the handbook's figures (seed 001 第4–8条):

- returns = the four reasons; net sales (实销额) = orders − cancellations − returns − discounts
- gross margin (销售毛利) = net sales − the marginal cost of what stayed sold
- costs = the seven cost items; net profit (销售净利润) = gross margin + the notes' interest gain
  (a loss is negative) − commissions − costs
- receivable (应收账款) at a month's end = every net sale up to it − every collection up to it
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from qiao.core.money import format_cny, round_half_up
from qiao.customers.models import Customer
from qiao.org.models import OrgUnit, User
from qiao.org.permissions import can
from qiao.org.scope import resolved_scope, staff_in_scope_q

from .actions import SALES_MANAGE, SALES_POST
from .models import (
    COST_FIGURES,
    MANAGER_FIGURES,
    ORDER_PREFIX,
    AnnualTarget,
    ArrearsEscalation,
    CreditFile,
    CustomerMonth,
    DunningAction,
    ManagerCost,
    ManagerMonth,
    Order,
    OrderLine,
    OrderStatus,
    PaymentPromise,
    PriceList,
    PriceListLine,
    Product,
    ProductMonth,
    PromiseStatus,
    Receipt,
    ReportStatus,
    SalesPlan,
    SalesReport,
    SalesReturn,
    SalesTarget,
)
from .scopes import credited_to_visible
from .services import (
    child_units,
    line_discounts,
    may_split,
    month_of,
    proportional,
    split_children_kind,
    spread_of,
    team_managers,
)

ZERO = Decimal("0.00")
RETURN_FIGURES = ("returns_late", "returns_business", "returns_quality", "returns_other")
SUMMED = (*MANAGER_FIGURES, "order_count")
AGEING_BUCKETS = (30, 60, 90)  # days overdue: 1–30, 31–60, 61–90, over 90


def _money(expression):
    return Coalesce(Sum(expression), Value(ZERO),
                    output_field=DecimalField(max_digits=18, decimal_places=2))


def _cents(value):
    """A database sum to the cent: SQLite's sums of decimals come back with float-like tails
    (Decimal('68033.800000000000')), which would show and compare as such."""
    return round_half_up(value) if isinstance(value, Decimal) else value


def _sums():
    return {name: _money(name) for name in MANAGER_FIGURES} | {
        "order_count": Coalesce(Sum("order_count"), 0)}


def derive(row: dict) -> dict:
    """The handbook's figures from a row of sums (see the module's docstring)."""
    row = {name: _cents(value) for name, value in row.items()}
    returns = sum((row[name] for name in RETURN_FIGURES), ZERO)
    net_sales = row["orders"] - row["cancellations"] - returns - row["discounts"]
    costs = sum((row[name] for name in COST_FIGURES), ZERO)
    gross_margin = net_sales - row["marginal_cost"]
    return {**row, "returns": returns, "fixed_orders": row["orders"] - row["new_orders"],
            "net_sales": net_sales, "costs": costs, "gross_margin": gross_margin,
            "margin_rate": percent(gross_margin, net_sales),
            "net_profit": gross_margin + row["note_interest"] - row["commissions"] - costs}


def percent(part, whole):
    return round_half_up(Decimal(100) * part / whole, 1) if whole else None


def empty_figures() -> dict:
    return derive(dict.fromkeys(MANAGER_FIGURES, ZERO) | {"order_count": 0})


def _months(user, manager=None, unit=None):
    rows = ManagerMonth.objects.visible_to(user)
    if manager is not None:
        rows = rows.filter(manager=manager)
    if unit is not None:
        rows = rows.filter(Q(unit__path__startswith=unit.path))
    return rows


def figures(user, month: date, *, manager=None, unit=None) -> dict:
    """The month's figures over what `user` sees (of one manager or unit if given), with the
    receivable at the month's end and the target and its completion."""
    month = month_of(month)
    rows = _months(user, manager, unit)
    result = derive(rows.filter(month=month).aggregate(**_sums()))
    balance = rows.filter(month__lte=month).aggregate(
        sold=_money(F("orders") - F("cancellations") - F("returns_late") - F("returns_business")
                    - F("returns_quality") - F("returns_other") - F("discounts")),
        paid=_money("collections"))
    targets = SalesTarget.objects.visible_to(user).filter(month=month)
    if manager is not None:
        targets = targets.filter(manager=manager)
    if unit is not None:
        targets = targets.filter(unit__path__startswith=unit.path)
    target = _cents(targets.aggregate(total=_money("amount"))["total"])
    return {**result, "month": month, "receivable": _cents(balance["sold"] - balance["paid"]),
            "target": target, "completion": percent(result["net_sales"], target)}


def trend(user, month: date, *, count=12, manager=None, unit=None) -> list[dict]:
    """The `count` months up to `month`: net sales, collections, target (the desk's chart)."""
    end = month_of(month)
    start = _shift(end, -(count - 1))
    rows = (_months(user, manager, unit).filter(month__gte=start, month__lte=end)
            .values("month").annotate(**_sums()))
    by_month = {row["month"]: derive(row) for row in rows}
    targets = SalesTarget.objects.visible_to(user).filter(month__gte=start, month__lte=end)
    if manager is not None:
        targets = targets.filter(manager=manager)
    if unit is not None:
        targets = targets.filter(unit__path__startswith=unit.path)
    target_of = dict(targets.values("month").annotate(total=_money("amount"))
                     .values_list("month", "total"))
    empty = empty_figures()
    return [{"month": m, "net_sales": by_month.get(m, empty)["net_sales"],
             "collections": by_month.get(m, empty)["collections"],
             "target": _cents(target_of.get(m, ZERO))}
            for m in (_shift(start, i) for i in range(count))]


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def performance(user, month: date, *, by="manager", unit=None) -> dict:
    """月度销售实绩统计表 (by="manager") or 月度组别销售实绩统计表 (by="unit"): one row per
    manager or unit the user sees, with targets, completion and the receivable at month end;
    the total row is the sum of the rows."""
    month = month_of(month)
    key = "manager_id" if by == "manager" else "unit_id"
    rows = _months(user, unit=unit)
    monthly = {row[key]: derive(row) for row in
               rows.filter(month=month).values(key).annotate(**_sums())}
    balances = dict(rows.filter(month__lte=month).values(key).annotate(
        balance=_money(F("orders") - F("cancellations") - F("returns_late")
                       - F("returns_business") - F("returns_quality") - F("returns_other")
                       - F("discounts") - F("collections"))).values_list(key, "balance"))
    targets = SalesTarget.objects.visible_to(user).filter(month=month)
    if unit is not None:
        targets = targets.filter(unit__path__startswith=unit.path)
    target_of = dict(targets.values(key).annotate(total=_money("amount"))
                     .values_list(key, "total"))
    keys = {*monthly, *target_of, *(k for k, balance in balances.items() if balance)}
    names = _names(by, keys)
    lines = []
    for k in keys:
        line = monthly.get(k) or empty_figures()
        target = _cents(target_of.get(k, ZERO))
        lines.append({**line, "key": k, "name": names.get(k, "—"), "target": target,
                      "completion": percent(line["net_sales"], target),
                      "receivable": _cents(balances.get(k, ZERO))})
    lines.sort(key=lambda line: (-line["net_sales"], line["name"]))
    for rank, line in enumerate(lines, 1):
        line["rank"] = rank
    total = _total(lines)
    return {"month": month, "by": by, "lines": lines, "total": total}


def _names(by, keys):
    if by == "manager":
        return {u.pk: str(u) for u in User.objects.filter(pk__in=keys)}
    return dict(OrgUnit.objects.filter(pk__in=keys).values_list("pk", "name"))


def _total(lines) -> dict:
    total = _total_of(lines, ("target", "receivable"))
    total["completion"] = percent(total["net_sales"], total["target"])
    return total


def seasonal_index(user, last_year: int, *, years=2, unit=None, manager=None) -> dict:
    """销售额季节变动指数计算表: net sales of each calendar month over `years` years; a month's
    index is its average over the years ÷ the average month × 100 (the simple-average method:
    above 100 a peak month, below an off month)."""
    first = last_year - years + 1
    rows = (_months(user, manager, unit).filter(month__gte=date(first, 1, 1),
                                            month__lte=date(last_year, 12, 1))
            .values("month").annotate(**_sums()))
    by_month = {(row["month"].year, row["month"].month): derive(row)["net_sales"]
                for row in rows}
    table = []
    for m in range(1, 13):
        values = [by_month.get((y, m), ZERO) for y in range(first, last_year + 1)]
        table.append({"month": m, "values": values, "total": sum(values, ZERO),
                      "average": round_half_up(sum(values, ZERO) / years)})
    grand = sum((row["total"] for row in table), ZERO)
    average_month = grand / (12 * years)
    for row in table:
        row["index"] = percent(row["total"] / years, average_month) if average_month else None
    return {"years": list(range(first, last_year + 1)), "rows": table,
            "totals": [sum((row["values"][i] for row in table), ZERO) for i in range(years)],
            "grand": grand, "average_month": round_half_up(average_month)}


def ranking(month: date) -> list[dict]:
    """Every manager with sales in the month, best net sales first, with their rank and name
    (one query): published company-wide — the top three on every desk (seed 第16条 列表公布前三名)
    and each manager's own place — names and amounts only, never a customer."""
    rows = (ManagerMonth.objects.filter(month=month_of(month))
            .values("manager_id", "manager__display_name", "manager__username")
            .annotate(**_sums()))
    ranked = sorted((derive(row) for row in rows),
                    key=lambda row: (-row["net_sales"], row["manager_id"]))
    return [{"rank": i, "manager_id": row["manager_id"], "net_sales": row["net_sales"],
             "name": row["manager__display_name"] or row["manager__username"]}
            for i, row in enumerate(ranked, 1)]


def top_three(ranking) -> list[dict]:
    """The ranking's first three, if they sold anything (第16条: published on every desk)."""
    return [row for row in ranking[:3] if row["net_sales"] > 0]


# --- documents -----------------------------------------------------------------------------------

def order_list(user, *, q="", status="", channel="", manager=None, month=None):
    orders = Order.objects.visible_to(user)
    if q:
        number = q.upper().removeprefix(ORDER_PREFIX)
        by_number = (Q(pk=int(number)) if number.isascii() and number.isdigit()
                     and len(number) <= 12 else Q(pk=None))
        orders = orders.filter(by_number | Q(external_id=q) | Q(customer__name__contains=q))
    if status:
        orders = orders.filter(status=status)
    if channel:
        orders = orders.filter(channel=channel)
    if manager is not None:
        orders = orders.filter(manager=manager)
    if month is not None:
        orders = orders.filter(ordered_on__gte=month_of(month),
                               ordered_on__lt=_shift(month_of(month), 1))
    return orders.select_related("customer", "manager").order_by("-ordered_on", "-id")


def order_get(user, pk) -> Order:
    order = (Order.objects.visible_to(user).select_related("customer", "manager", "unit")
             .filter(pk=pk).first())
    if order is None:
        raise Http404
    return order


def order_lines(order):
    return order.lines.select_related("product").order_by("id")


def order_returns(order):
    return (SalesReturn.objects.filter(line__order=order).select_related("line__product")
            .order_by("returned_on", "id"))


def order_receipts(order):
    return order.receipts.order_by("received_on", "id")


def order_line_get(user, pk):
    line = (OrderLine.objects.filter(pk=pk, order__in=Order.objects.visible_to(user))
            .select_related("order__customer", "product").first())
    if line is None:
        raise Http404
    return line


def receipt_list(user):
    return (Receipt.objects.visible_to(user).select_related("customer", "manager")
            .order_by("-received_on", "-id"))


def products():
    return Product.objects.filter(active=True).order_by("code")


class PriceBook:
    """The lines of the price lists (价目表) in use for some products between two days, read in
    one query, to resolve any number of order lines' prices in Python: the most specific list
    in force on the day (for the customer's grade, for the order channel, then the one in force
    from the latest day), and its line for the largest quantity the line reaches; with none,
    the product's own list price."""

    def __init__(self, product_ids, first: date, last: date):
        self.lines: dict = defaultdict(list)
        for line in (PriceListLine.objects.select_related("price_list")
                     .filter(product_id__in=set(product_ids), price_list__active=True,
                             price_list__valid_from__lte=last)
                     .filter(Q(price_list__valid_to__isnull=True)
                             | Q(price_list__valid_to__gte=first))):
            self.lines[line.product_id].append(line)

    def line(self, customer, product, on_date, quantity, channel=""):
        """The price-list line that prices `quantity` of `product` for `customer`, or None."""
        def applies(line):
            price_list = line.price_list
            return (price_list.valid_from <= on_date
                    and (price_list.valid_to is None or on_date <= price_list.valid_to)
                    and price_list.grade_id in (None, customer.grade_id)
                    and price_list.channel in ("", channel)
                    and line.min_quantity <= quantity)

        def rank(line):
            price_list = line.price_list
            return (price_list.grade_id is not None, price_list.channel != "",
                    price_list.valid_from, price_list.pk, line.min_quantity)

        return max(filter(applies, self.lines[product.pk]), key=rank, default=None)

    def price(self, customer, product, on_date, quantity=1, channel="") -> Decimal:
        line = self.line(customer, product, on_date, quantity, channel)
        return product.price if line is None else line.price


def price_for(customer, product, on_date, quantity=1, channel="") -> Decimal:
    """The unit price of `quantity` of `product` for `customer` on `on_date` (PriceBook)."""
    return PriceBook([product.pk], on_date, on_date).price(customer, product, on_date, quantity,
                                                         channel)


def prices_for(customer, products, on_date, quantity=1, channel="") -> dict:
    """price_for of each of `products`, by product id, in one query."""
    products = list(products)
    book = PriceBook([product.pk for product in products], on_date, on_date)
    return {product.pk: book.price(customer, product, on_date, quantity, channel)
            for product in products}


def price_lists():
    """Every price list, the latest first, with its grade and number of lines."""
    return (PriceList.objects.select_related("grade").annotate(line_count=Count("lines"))
            .order_by("-active", "-valid_from", "name"))


def price_list_get(pk) -> PriceList:
    price_list = PriceList.objects.select_related("grade").filter(pk=pk).first()
    if price_list is None:
        raise Http404
    return price_list


def price_list_lines(price_list):
    return price_list.lines.select_related("product").order_by("product__code", "min_quantity")


def product_prices(on_date) -> list[tuple]:
    """The products on sale, each with its list price and the lines of the lists in force on
    `on_date` ([(product, [line, …])], each line with its list), in two queries."""
    rows = list(products())
    book = PriceBook([product.pk for product in rows], on_date, on_date)
    return [(product, sorted(book.lines[product.pk],
                             key=lambda line: (line.price_list.name, line.min_quantity)))
            for product in rows]


def customer_orders(user, customer, limit=20):
    return list(Order.objects.visible_to(user).filter(customer=customer)
                .select_related("manager").order_by("-ordered_on", "-id")[:limit])


def customer_receipts(user, customer, limit=20):
    return list(Receipt.objects.visible_to(user).filter(customer=customer)
                .order_by("-received_on", "-id")[:limit])


def receipt_get(user, pk) -> Receipt:
    receipt = Receipt.objects.visible_to(user).select_related("customer").filter(pk=pk).first()
    if receipt is None:
        raise Http404
    return receipt


# --- credit --------------------------------------------------------------------------------------

def latest_credit_file(customer):
    return latest_credit_files([customer.pk]).get(customer.pk)


def latest_credit_files(customer_ids) -> dict:
    """{customer id: its latest credit investigation} of those of `customer_ids` that had one."""
    latest = {}
    for credit_file in (CreditFile.objects.filter(customer_id__in=customer_ids)
                        .select_related("investigator")
                        .order_by("customer_id", "investigated_on", "id")):
        latest[credit_file.customer_id] = credit_file
    return latest


def receivables_of(customer_ids) -> dict:
    """{customer id: what it owes now} (sold less collected, the fact table's months summed)."""
    totals = (CustomerMonth.objects.filter(customer_id__in=customer_ids).values("customer_id")
              .annotate(total=_money(F("net_sales") - F("collections")))
              .values_list("customer_id", "total"))
    owed = {customer_id: _cents(total) for customer_id, total in totals}
    return {customer_id: owed.get(customer_id, ZERO) for customer_id in customer_ids}


def customer_receivable(customer) -> Decimal:
    return receivables_of([customer.pk])[customer.pk]


def term_days(credit_file) -> int:
    if credit_file is not None:
        return credit_file.term_days
    return getattr(settings, "QIAO_CREDIT_TERM_DAYS", 30)


def customer_credit(customer, today=None) -> dict:
    """The customer's latest credit file, receivable, what of it is overdue and by how long."""
    return credits_of([customer.pk], today)[customer.pk]


def credits_of(customer_ids, today=None) -> dict:
    """customer_credit of each of `customer_ids` (on `today`), read together."""
    files = latest_credit_files(customer_ids)
    receivables = receivables_of(customer_ids)
    ageing = ageing_of(customer_ids, files, today)
    credits = {}
    for pk in customer_ids:
        credit_file, receivable = files.get(pk), receivables[pk]
        buckets = ageing.get(pk, _no_ageing())
        credits[pk] = {"file": credit_file, "receivable": receivable,
                       "overdue": buckets["overdue"], "ageing": buckets,
                       "available": (credit_file.credit_limit - receivable) if credit_file
                       else None}
    return credits


def _no_ageing():
    return {"current": ZERO, "overdue": ZERO, **{f"d{b}": ZERO for b in AGEING_BUCKETS},
            "over": ZERO, "oldest_days": 0}


def _orders_owed(customer_ids):
    """The customers' orders that count (not cancelled), oldest delivery first, each with what
    was returned of it."""
    returned = (SalesReturn.objects.filter(line__order=OuterRef("pk")).values("line__order")
                .annotate(total=Sum("amount")).values("total"))
    return (Order.objects.filter(customer_id__in=customer_ids)
            .exclude(status=OrderStatus.CANCELLED)
            .annotate(returned=Coalesce(Subquery(returned), Value(ZERO),
                                        output_field=DecimalField(max_digits=18,
                                                                  decimal_places=2)))
            .order_by("customer_id", F("delivered_on").asc(nulls_last=True), "id"))


def ageing_of(customer_ids, files: dict, today=None) -> dict:
    """Each customer's open amount by how long it is overdue: collections pay the oldest
    deliveries first (first in, first out); a delivery's unpaid rest is overdue the payment
    term of the customer's latest credit file (`files`: latest_credit_files; the default term
    without one) after it was delivered (an order not yet delivered is not due)."""
    # The returns summed per order in one grouped query (a subquery per order, as the desk's
    # one-query `my_overdue` reads them for one manager's customers, was most of the
    # director's arrears list).
    returned = dict(SalesReturn.objects.filter(line__order__customer_id__in=customer_ids)
                    .values("line__order_id").annotate(total=Sum("amount"))
                    .values_list("line__order_id", "total"))
    orders = (Order.objects.filter(customer_id__in=customer_ids)
              .exclude(status=OrderStatus.CANCELLED)
              .order_by("customer_id", F("delivered_on").asc(nulls_last=True), "id")
              .values_list("id", "customer_id", "delivered_on", "amount", "discount"))
    paid = {customer_id: _cents(total) for customer_id, total in
            CustomerMonth.objects.filter(customer_id__in=customer_ids).values("customer_id")
            .annotate(total=_money("collections")).values_list("customer_id", "total")}
    return _fifo(((customer_id, delivered_on, amount - discount - returned.get(order_id, ZERO),
                   term_days(files.get(customer_id)))
                  for order_id, customer_id, delivered_on, amount, discount in orders),
                 paid, today)


def _fifo(rows, paid: dict, today=None) -> dict:
    """The ageing of rows (customer id, delivered on, amount owed, payment term) in the order
    collections pay them, `paid` the customers' collections."""
    today = today or timezone.localdate()
    result: dict = {}
    for customer_id, delivered_on, owed, term in rows:
        buckets = result.setdefault(customer_id, _no_ageing())
        owed = _cents(owed)
        covered = min(owed, paid.get(customer_id, ZERO))
        paid[customer_id] = paid.get(customer_id, ZERO) - covered
        open_amount = owed - covered
        if open_amount <= 0:
            continue
        days = (today - delivered_on).days - term if delivered_on else -1
        if days <= 0:
            buckets["current"] += open_amount
            continue
        buckets["overdue"] += open_amount
        buckets["oldest_days"] = max(buckets["oldest_days"], days)
        bucket = next((f"d{b}" for b in AGEING_BUCKETS if days <= b), "over")
        buckets[bucket] += open_amount
    return result


def arrears(user, *, unit=None, manager=None, overdue_only=True, today=None):
    """客户货款回收分析表: the customers `user` sees who owe money, with the ageing of what they
    owe, the most overdue first."""
    customers = Customer.objects.visible_to(user)
    if manager is not None:
        customers = customers.filter(owner=manager)
    if unit is not None:
        customers = customers.filter(owner_unit__path__startswith=unit.path)
    balances = (CustomerMonth.objects.filter(customer__in=customers.values("pk"))
                .values("customer_id").annotate(balance=_money(F("net_sales") - F("collections")))
                .filter(balance__gt=0))
    balance_of = dict(balances.values_list("customer_id", "balance"))
    ids = list(balance_of)
    latest = latest_credit_files(ids)
    ageing = ageing_of(ids, latest, today)
    people = Customer.objects.filter(pk__in=ids).select_related("owner")
    lines = []
    for customer in people:
        buckets = ageing.get(customer.pk, _no_ageing())
        if overdue_only and not buckets["overdue"]:
            continue
        credit_file = latest.get(customer.pk)
        lines.append({"customer": customer, "receivable": _cents(balance_of[customer.pk]),
                      **buckets,
                      "limit": credit_file.credit_limit if credit_file else None,
                      "rating": credit_file.rating if credit_file else ""})
    collection = collection_state([line["customer"].pk for line in lines])
    for line in lines:
        line.update(collection.get(line["customer"].pk, {}))
    lines.sort(key=lambda line: (-line["oldest_days"], -line["overdue"], line["customer"].pk))
    total = {name: sum((line[name] for line in lines), ZERO)
             for name in ("receivable", "current", "overdue", "over",
                          *(f"d{b}" for b in AGEING_BUCKETS))}
    return {"lines": lines, "total": total}


# --- arrears collection (欠费催缴, CRD-3) -----------------------------------------------------------

def collection_state(customer_ids) -> dict:
    """{customer id: {"last_action", "open_promise", "escalation"}} for the arrears list: the
    latest dunning action, the earliest open promise and the open escalation of each (three
    queries whatever the number of customers)."""
    state: dict = {pk: {"last_action": None, "open_promise": None, "escalation": None}
                   for pk in customer_ids}
    for action in (DunningAction.objects.filter(customer_id__in=customer_ids)
                   .select_related("actor").order_by("customer_id", "acted_on", "id")):
        state[action.customer_id]["last_action"] = action
    for promise in (PaymentPromise.objects.filter(customer_id__in=customer_ids,
                                                  status=PromiseStatus.OPEN)
                    .order_by("customer_id", "-due_on", "-id")):
        state[promise.customer_id]["open_promise"] = promise
    for escalation in (ArrearsEscalation.objects.filter(customer_id__in=customer_ids,
                                                        closed_on__isnull=True)
                       .select_related("escalated_to").order_by("customer_id", "id")):
        state[escalation.customer_id]["escalation"] = escalation
    return state


def dunning_actions(user, customer=None):
    actions = DunningAction.objects.visible_to(user).select_related("customer", "actor")
    if customer is not None:
        actions = actions.filter(customer=customer)
    return actions.order_by("-acted_on", "-id")


def payment_promises(user, customer=None, status=""):
    promises = PaymentPromise.objects.visible_to(user).select_related("customer", "created_by")
    if customer is not None:
        promises = promises.filter(customer=customer)
    if status:
        promises = promises.filter(status=status)
    return promises.order_by("-promised_on", "-id")


def my_overdue(user, today=None) -> dict:
    """The desk's arrears of the customers `user` manages: what is overdue, how many customers
    owe it, how many of their promises were broken in the last 30 days — in one query (the
    desk's budget): their orders with the returns, each customer's collections and latest
    payment term, and the broken promises' count, as subqueries; the ageing as `ageing_of`."""
    today = today or timezone.localdate()
    money = DecimalField(max_digits=18, decimal_places=2)
    collected = (CustomerMonth.objects.filter(customer_id=OuterRef("customer_id"))
                 .order_by().values("customer_id").annotate(total=Sum("collections"))
                 .values("total"))
    term = (CreditFile.objects.filter(customer_id=OuterRef("customer_id"))
            .order_by("-investigated_on", "-id").values("term_days")[:1])
    broken = (PaymentPromise.objects.filter(
        customer__owner=user, status=PromiseStatus.BROKEN,
        settled_on__gte=today - timedelta(days=30))
        .order_by().values("status").annotate(count=Count("pk")).values("count"))
    rows = list(_orders_owed(Customer.objects.filter(owner=user, is_deleted=False).values("pk"))
                .annotate(collected=Coalesce(Subquery(collected), Value(ZERO),
                                             output_field=money),
                          term=Coalesce(Subquery(term), Value(term_days(None))),
                          broken=Coalesce(Subquery(broken), Value(0)))
                .values_list("customer_id", "delivered_on", "amount", "discount", "returned",
                             "collected", "term", "broken"))
    paid = {row[0]: _cents(row[5]) for row in rows}
    ageing = _fifo(((row[0], row[1], row[2] - row[3] - row[4], row[6]) for row in rows),
                   paid, today)
    overdue = [row["overdue"] for row in ageing.values() if row["overdue"] > 0]
    return {"overdue": _cents(sum(overdue, ZERO)), "customers": len(overdue),
            "broken": rows[0][7] if rows else 0}



# --- targets and costs ---------------------------------------------------------------------------

def targets_of(user, month: date) -> dict:
    """{manager id: standard sales} of the month, for the managers `user` sees."""
    return dict(SalesTarget.objects.visible_to(user).filter(month=month_of(month))
                .values_list("manager_id", "amount"))


def recent_costs(user, limit=20):
    return list(ManagerCost.objects.visible_to(user).select_related("manager")
                .order_by("-created_at", "-id")[:limit])


# --- the customer page's tab (CUS-10 客户销售信息表) ------------------------------------------------

def customer_months(customer, months=12, today=None) -> list[dict]:
    """The customer's last `months` months: net sales, collections and the receivable after each."""
    end = month_of(today or timezone.localdate())
    start = _shift(end, -(months - 1))
    rows = CustomerMonth.objects.filter(customer=customer)
    before = rows.filter(month__lt=start).aggregate(sold=_money("net_sales"),
                                                    paid=_money("collections"))
    balance = _cents(before["sold"] - before["paid"])
    by_month = {row.month: row for row in rows.filter(month__gte=start, month__lte=end)}
    result = []
    for month in (_shift(start, i) for i in range(months)):
        row = by_month.get(month)
        sold, paid = (row.net_sales, row.collections) if row else (ZERO, ZERO)
        balance += sold - paid
        result.append({"month": month, "net_sales": sold, "collections": paid,
                       "margin": sold - (row.marginal_cost if row else ZERO),
                       "receivable": balance})
    return result


def customer_tab(user, customer) -> dict:
    return {"orders": customer_orders(user, customer), "receipts": customer_receipts(user, customer),
            "dunning": list(dunning_actions(user, customer)[:10]),
            "promises": list(payment_promises(user, customer)[:10]),
            "escalation": ArrearsEscalation.objects.filter(customer=customer,
                                                           closed_on__isnull=True).first(),
            "credit": customer_credit(customer), "months": customer_months(customer),
            "can_post": can(user, SALES_POST), "can_manage": can(user, SALES_MANAGE)}


# --- the monthly sales analysis report (SAL-9) ---------------------------------------------------

def report_list(user, *, month=None, status=""):
    reports = SalesReport.objects.visible_to(user).select_related("manager", "reviewer")
    if month is not None:
        reports = reports.filter(month=month_of(month))
    if status:
        reports = reports.filter(status=status)
    return reports.order_by("-month", "manager__username")


def report_get(user, pk) -> SalesReport:
    report = (SalesReport.objects.visible_to(user).select_related("manager", "reviewer", "unit")
              .filter(pk=pk).first())
    if report is None:
        raise Http404
    return report


def waiting_report(user):
    """The user's own report still to be handed in (draft or returned), the oldest first."""
    return (SalesReport.objects.filter(manager=user, status__in=(
        ReportStatus.DRAFT, ReportStatus.RETURNED)).order_by("month").first())


def forecast_suggestion(manager, month: date) -> tuple[Decimal | None, str]:
    """Next month's net sales from the last three months' average, moved by the seasonal index
    of the last two complete years (the manager's own figures); the text says how."""
    month = month_of(month)
    recent = [row["net_sales"] for row in trend(manager, month, count=3, manager=manager)]
    if not any(recent):
        return None, ""
    average = sum(recent, ZERO) / 3
    index = seasonal_index(manager, month.year - 1, years=2, manager=manager)["rows"]
    following = _shift(month, 1)
    factor_of = {row["month"]: row["index"] for row in index}
    last_three = [factor_of.get(_shift(month, -i).month) for i in range(3)]
    if factor_of.get(following.month) and all(last_three):
        amount = round_half_up(average * factor_of[following.month]
                               / (sum(last_three, ZERO) / 3))
        text = gettext("Last three months' average net sales %(average)s; with the seasonal "
                       "index (next month %(next)s, the last three %(recent)s) next month's net "
                       "sales are forecast at about %(amount)s.") % {
            "average": format_cny(average), "next": factor_of[following.month],
            "recent": round_half_up(sum(last_three, ZERO) / 3, 1), "amount": format_cny(amount)}
    else:
        amount = round_half_up(average)
        text = gettext("Last three months' average net sales %(average)s: next month's net "
                       "sales are forecast at about the same.") % {"average": format_cny(average)}
    return amount, text


def frozen_figures(report) -> dict:
    """The report's figures as submitted (amounts as text, to the cent)."""
    month = figures(report.manager, report.month, manager=report.manager)
    return {name: (str(value) if isinstance(value, Decimal) else value)
            for name, value in month.items() if name != "month"}


def _changes(rows, limit):
    """The biggest rises and falls of (name, before, now) rows."""
    moved = sorted(((now - before, name, before, now) for name, before, now in rows
                    if now != before), key=lambda row: row[0])
    fields = ("change", "name", "before", "now")
    return {"falls": [dict(zip(fields, row, strict=True)) for row in moved[:limit] if row[0] < 0],
            "rises": [dict(zip(fields, row, strict=True)) for row in moved[::-1][:limit]
                      if row[0] > 0]}


def report_context(report, limit=5) -> dict:
    """What the report's page shows beside the manager's text: (a) the month's figures (as
    submitted once it is), the biggest changes by customer and by product against the month
    before, (c) complaints from the service desk and opinions from visits, (d) the forecast."""
    from qiao.tickets.selectors import complaints_of_owner
    from qiao.visits.selectors import opinions_of

    manager, month = report.manager, report.month
    before, after = _shift(month, -1), _shift(month, 1)
    shown = report.figures or frozen_figures(report)
    customers = defaultdict(lambda: [ZERO, ZERO])
    for row in (CustomerMonth.objects.filter(customer__owner=manager, month__in=(before, month))
                .values("customer__name", "month", "net_sales")):
        customers[row["customer__name"]][row["month"] == month] += _cents(row["net_sales"])
    products = defaultdict(lambda: [ZERO, ZERO])
    for row in (OrderLine.objects.filter(order__manager=manager, order__ordered_on__gte=before,
                                         order__ordered_on__lt=after)
                .exclude(order__status=OrderStatus.CANCELLED)
                .values("product__name", "order__ordered_on__month").annotate(total=_money("amount"))):
        products[row["product__name"]][row["order__ordered_on__month"] == month.month] += \
            _cents(row["total"])
    return {"figures": {name: Decimal(value) if isinstance(value, str) else value
                        for name, value in shown.items()},
            "by_customer": _changes([(n, b, a) for n, (b, a) in customers.items()], limit),
            "by_product": _changes([(n, b, a) for n, (b, a) in products.items()], limit),
            "complaints": complaints_of_owner(manager, month, after),
            "opinions": opinions_of(manager, month, after), "before": before}


# --- the other statistics of 第11, 12 and 21条 ----------------------------------------------------
#
# Each reads a fact table summed over what the viewer sees: a manager their own figures, a
# supervisor or region their units' (ManagerMonth and ProductMonth by the manager a sale was
# credited to; CustomerMonth by the customers the viewer sees now). A page's total is the sum of
# its rows, except the customer tables', which show the biggest `limit` customers and total
# them all.

GROUP_KEYS = {"manager": "manager_id", "unit": "unit_id"}
DEVELOPMENT_COSTS = ("cost_salary", "cost_allowance", "cost_vehicle", "cost_fuel", "cost_travel")
OTHER_COSTS = ("cost_entertainment", "cost_gifts")  # 第7条: 开发费用, then 其他费用
CUSTOMER_LIMIT = 100


def _net_sales():
    return (F("orders") - F("cancellations") - F("returns_late") - F("returns_business")
            - F("returns_quality") - F("returns_other") - F("discounts"))


def _when(condition, expression):
    return Case(When(condition, then=expression), default=Value(ZERO),
                output_field=DecimalField(max_digits=18, decimal_places=2))


def period_of(month: date, period: str) -> tuple[date, date]:
    """The months a statistic covers: the month, or the year up to it (本年累计)."""
    month = month_of(month)
    return (month.replace(month=1) if period == "year" else month), month


def _year_before(day: date) -> date:
    return _shift(day, -12)


def _total_of(lines, extra=()) -> dict:
    """The total row of `lines` (each a derived row): their sums derived again, and `extra`
    figures summed as they are."""
    total = derive({name: sum((line[name] for line in lines), ZERO) for name in SUMMED})
    for name in extra:
        total[name] = sum((line[name] for line in lines), ZERO)
    return total


def _grouped(rows, key, start, end) -> dict:
    """{key: the handbook's figures} of the months `start`..`end`."""
    return {row[key]: derive(row) for row in rows.filter(month__gte=start, month__lte=end)
            .values(key).annotate(**_sums())}


def _assessed(line: dict) -> dict:
    """A line of 年度业务绩效及费用考核表 / 销售管理费用分解表: the completion, the cost ratio,
    the development and other costs, and each cost item's share of the costs."""
    line["completion"] = percent(line["net_sales"], line.get("target", ZERO))
    line["cost_ratio"] = percent(line["costs"], line["net_sales"])
    line["development_costs"] = sum((line[name] for name in DEVELOPMENT_COSTS), ZERO)
    line["other_costs"] = sum((line[name] for name in OTHER_COSTS), ZERO)
    for name in COST_FIGURES:
        line[f"share_{name}"] = percent(line[name], line["costs"])
    return line


def annual(user, year: int, *, by="manager") -> dict:
    """年度业务绩效及费用考核表: each manager's (or unit's) year — net sales against the year's
    targets, gross margin, each cost item of 第7条, the costs against the sales and the net
    profit; the best net profit first."""
    start, end = date(year, 1, 1), date(year, 12, 1)
    key = GROUP_KEYS[by]
    sums = _grouped(_months(user), key, start, end)
    target_of = dict(SalesTarget.objects.visible_to(user).filter(month__gte=start, month__lte=end)
                     .values(key).annotate(total=_money("amount")).values_list(key, "total"))
    keys = {*sums, *target_of}
    names = _names(by, keys)
    lines = [_assessed({**(sums.get(k) or empty_figures()), "key": k, "name": names.get(k, "—"),
                        "target": _cents(target_of.get(k, ZERO))}) for k in keys]
    lines.sort(key=lambda line: (-line["net_profit"], line["name"]))
    return {"year": year, "by": by, "lines": lines,
            "total": _assessed(_total_of(lines, ("target",)))}


def cost_breakdown(user, month: date, *, by="manager", period="month") -> dict:
    """销售管理费用分解表: each manager's (or unit's) costs by item in the month or the year to
    it, each item's share of their costs, and the costs against their net sales."""
    start, end = period_of(month, period)
    key = GROUP_KEYS[by]
    sums = _grouped(_months(user), key, start, end)
    names = _names(by, set(sums))
    lines = [_assessed({**row, "key": k, "name": names.get(k, "—")})
             for k, row in sums.items() if row["costs"] or row["net_sales"]]
    lines.sort(key=lambda line: (-line["costs"], line["name"]))
    return {"start": start, "end": end, "by": by, "lines": lines,
            "total": _assessed(_total_of(lines))}


def _products(user):
    return ProductMonth.objects.visible_to(user)


def _product_line(row, name) -> dict:
    net_sales, cost = _cents(row["net_sales"]), _cents(row["marginal_cost"])
    return {"key": row["product_id"], "name": name, "quantity": row["quantity"],
            "net_sales": net_sales, "marginal_cost": cost, "gross_margin": net_sales - cost,
            "margin_rate": percent(net_sales - cost, net_sales)}


def _product_name(row) -> str:
    return f"{row['product__code']} {row['product__name']}"


def product_mix(user, month: date, *, period="month") -> dict:
    """产品构成分析表: each product's quantity, net sales and their share of the total, gross
    margin and margin rate, in the month or the year to it; the biggest sales first."""
    start, end = period_of(month, period)
    rows = (_products(user).filter(month__gte=start, month__lte=end)
            .values("product_id", "product__code", "product__name")
            .annotate(quantity=Coalesce(Sum("quantity"), 0), net_sales=_money("net_sales"),
                      marginal_cost=_money("marginal_cost")))
    lines = [_product_line(row, _product_name(row)) for row in rows]
    lines = [line for line in lines if line["quantity"] or line["net_sales"]]
    net_sales = sum((line["net_sales"] for line in lines), ZERO)
    cost = sum((line["marginal_cost"] for line in lines), ZERO)
    for line in lines:
        line["share"] = percent(line["net_sales"], net_sales)
    lines.sort(key=lambda line: (-line["net_sales"], line["name"]))
    total = {"quantity": None, "net_sales": net_sales, "marginal_cost": cost,
             "gross_margin": net_sales - cost, "margin_rate": percent(net_sales - cost, net_sales),
             "share": percent(net_sales, net_sales)}
    return {"start": start, "end": end, "lines": lines, "total": total}


PROFIT_FIGURES = ("net_sales", "gross_margin", "costs", "other", "net_profit")
EFFECTS = ("volume_effect", "margin_effect", "cost_effect", "other_effect")


def profit_change(before: dict, now: dict) -> dict:
    """The change of the net profit from `before` to `now` (two derived rows), taken apart:
    - volume effect: the change of net sales at the earlier margin rate, (S₁ − S₀) × GM₀ / S₀
      (all of the gross margin's change when there were no sales before);
    - margin effect: the rest of the gross margin's change (prices, discounts, product mix);
    - cost effect: the costs' change, with its sign turned (more costs, less profit);
    - other: the change of the notes' interest less the commissions.
    The four add up to the change to the cent."""
    line = {}
    for name in ("net_sales", "gross_margin", "costs", "net_profit"):
        line[f"{name}_0"], line[f"{name}_1"] = before[name], now[name]
    line["other_0"] = before["note_interest"] - before["commissions"]
    line["other_1"] = now["note_interest"] - now["commissions"]
    margin_change = now["gross_margin"] - before["gross_margin"]
    if before["net_sales"]:
        volume = round_half_up((now["net_sales"] - before["net_sales"]) * before["gross_margin"]
                               / before["net_sales"])
    else:
        volume = margin_change
    line.update(change=now["net_profit"] - before["net_profit"], volume_effect=volume,
                margin_effect=margin_change - volume, cost_effect=before["costs"] - now["costs"],
                other_effect=line["other_1"] - line["other_0"])
    return _change_rates(line)


def _change_rates(line):
    line["sales_growth"] = percent(line["net_sales_1"] - line["net_sales_0"], line["net_sales_0"])
    return line


def profit_analysis(user, month: date, *, compare="year", by="manager") -> dict:
    """销售总利润增减分析表: each manager's (or unit's) month against the same month last year
    (compare="year") or last month ("month"), the change of the net profit and its effects
    (`profit_change`); the total row is the sum of the rows, effects included."""
    month = month_of(month)
    base = _year_before(month) if compare == "year" else _shift(month, -1)
    key = GROUP_KEYS[by]
    rows = _months(user)
    now, before = _grouped(rows, key, month, month), _grouped(rows, key, base, base)
    keys = {*now, *before}
    names = _names(by, keys)
    empty = empty_figures()
    lines = [{**profit_change(before.get(k, empty), now.get(k, empty)), "key": k,
              "name": names.get(k, "—")} for k in keys]
    lines.sort(key=lambda line: (line["change"], line["name"]))
    summed = [f"{name}_{i}" for name in PROFIT_FIGURES for i in (0, 1)]
    total = _change_rates({name: sum((line[name] for line in lines), ZERO)
                           for name in (*summed, "change", *EFFECTS)})
    return {"month": month, "base": base, "compare": compare, "by": by, "lines": lines,
            "total": total}


def _compared(now, last, ago) -> dict:
    now, last, ago = _cents(now), _cents(last), _cents(ago)
    return {"now": now, "last": last, "ago": ago, "vs_last": now - last,
            "vs_last_rate": percent(now - last, last), "vs_ago": now - ago,
            "vs_ago_rate": percent(now - ago, ago)}


def _three_months(month, expression):
    base = {"now": month, "last": _shift(month, -1), "ago": _year_before(month)}
    return base, {name: _money(_when(Q(month=day), expression)) for name, day in base.items()}


def comparison(user, month: date, *, by="manager", limit=CUSTOMER_LIMIT) -> dict:
    """个人业绩统计比较表 (by manager or unit) and 客户业绩统计比较表 (by="customer"): net
    sales of the month against last month and the same month last year, the changes and their
    rates. The customer table shows the `limit` biggest of the month; its total is all of
    them."""
    month = month_of(month)
    if by == "customer":
        months, sums = _three_months(month, F("net_sales"))
        rows = (CustomerMonth.objects.visible_to(user).filter(month__in=list(months.values()))
                .values("customer_id"))
        grouped = (rows.values("customer_id", "customer__name").annotate(**sums)
                   .order_by("-now", "-last", "customer_id"))
        lines = [{**_compared(row["now"], row["last"], row["ago"]), "key": row["customer_id"],
                  "name": row["customer__name"]} for row in grouped[:limit]]
        totals = rows.aggregate(**sums, count=Count("customer_id", distinct=True))
        total = _compared(totals["now"], totals["last"], totals["ago"])
        return {"month": month, "by": by, "lines": lines, "total": total,
                "count": totals["count"], "limit": limit, **months}
    key = GROUP_KEYS[by]
    months, sums = _three_months(month, _net_sales())
    grouped = (_months(user).filter(month__in=list(months.values())).values(key)
               .annotate(**sums))
    names = _names(by, {row[key] for row in grouped})
    lines = [{**_compared(row["now"], row["last"], row["ago"]), "key": row[key],
              "name": names.get(row[key], "—")} for row in grouped]
    lines.sort(key=lambda line: (-line["now"], line["name"]))
    total = _compared(*(sum((line[name] for line in lines), ZERO)
                        for name in ("now", "last", "ago")))
    return {"month": month, "by": by, "lines": lines, "total": total, "count": len(lines),
            "limit": None, **months}


def _running(values) -> list:
    total, result = ZERO, []
    for value in values:
        total += value
        result.append(total)
    return result


def _monthly(running) -> list:
    """The months' own values of a running total."""
    return [value - (running[i - 1] if i else ZERO) for i, value in enumerate(running)]


def _cumulated(key, name, by_month: dict, months, last_year) -> dict:
    cumulative = _running([_cents(by_month.get(m, ZERO)) for m in months])
    now, before = cumulative[-1], _cents(last_year)
    return {"key": key, "name": name, "cumulative": cumulative, "now": now, "before": before,
            "change": now - before, "growth": percent(now - before, before)}


def cumulative(user, month: date, *, by="manager", limit=CUSTOMER_LIMIT) -> dict:
    """个人每月业绩累计比较表 (by manager or unit) and 客户业绩累计比较表 (by="customer"): net
    sales added up month by month from January to `month`, against the same months last year,
    the growth and its rate. The customer table shows the `limit` biggest of the year; its total
    is all of them."""
    end = month_of(month)
    start = end.replace(month=1)
    months = [_shift(start, i) for i in range(end.month)]
    last_start, last_end = _year_before(start), _year_before(end)
    if by == "customer":
        rows = CustomerMonth.objects.visible_to(user)
        this_year = rows.filter(month__gte=start, month__lte=end)
        top = list(this_year.values("customer_id", "customer__name")
                   .annotate(total=_money("net_sales")).order_by("-total", "customer_id")[:limit])
        ids = [row["customer_id"] for row in top]
        by_month: dict = defaultdict(dict)
        for row in (this_year.filter(customer_id__in=ids).values("customer_id", "month")
                    .annotate(total=_money("net_sales"))):
            by_month[row["customer_id"]][row["month"]] = row["total"]
        before = dict(rows.filter(customer_id__in=ids, month__gte=last_start,
                                  month__lte=last_end).values("customer_id")
                      .annotate(total=_money("net_sales")).values_list("customer_id", "total"))
        lines = [_cumulated(row["customer_id"], row["customer__name"],
                            by_month[row["customer_id"]], months,
                            before.get(row["customer_id"], ZERO)) for row in top]
        all_months = dict(this_year.values("month").annotate(total=_money("net_sales"))
                          .values_list("month", "total"))
        all_before = rows.filter(month__gte=last_start, month__lte=last_end).aggregate(
            total=_money("net_sales"))["total"]
        total = _cumulated(None, "", all_months, months, all_before)
        count = this_year.values("customer_id").distinct().count()
    else:
        key = GROUP_KEYS[by]
        rows = _months(user)
        by_month = defaultdict(dict)
        for row in (rows.filter(month__gte=start, month__lte=end).values(key, "month")
                    .annotate(total=_money(_net_sales()))):
            by_month[row[key]][row["month"]] = row["total"]
        before = dict(rows.filter(month__gte=last_start, month__lte=last_end).values(key)
                      .annotate(total=_money(_net_sales())).values_list(key, "total"))
        keys = {*by_month, *before}
        names = _names(by, keys)
        lines = [_cumulated(k, names.get(k, "—"), by_month.get(k, {}), months,
                            before.get(k, ZERO)) for k in keys]
        lines.sort(key=lambda line: (-line["now"], line["name"]))
        summed = [sum((line["cumulative"][i] for line in lines), ZERO)
                  for i in range(len(months))]
        total = _cumulated(None, "", dict(zip(months, _monthly(summed), strict=True)), months,
                           sum((line["before"] for line in lines), ZERO))
        count, limit = len(lines), None
    return {"month": end, "by": by, "months": months, "lines": lines, "total": total,
            "count": count, "limit": limit}


def growth(user, month: date, *, by="industry") -> dict:
    """各业种销售总额增长一览表 (by the customers' industry) and 产品销售额增长一览表 (by
    product): net sales of this year up to `month` against the same months last year, the
    growth, its rate and each row's share of this year's sales."""
    end = month_of(month)
    start = end.replace(month=1)
    last_start, last_end = _year_before(start), _year_before(end)
    if by == "industry":
        rows, group = CustomerMonth.objects.visible_to(user), ("customer__industry",)
    else:
        rows, group = _products(user), ("product_id", "product__code", "product__name")
    # Each year in its own reading: one range each uses the (customer, month) index better than
    # an OR of both (SQLite; measured at scale S).
    found: dict = {}
    for name, (first, last) in (("now", (start, end)), ("before", (last_start, last_end))):
        for row in (rows.filter(month__gte=first, month__lte=last).values(*group)
                    .annotate(total=_money("net_sales"))):
            entry = found.setdefault(tuple(row[field] for field in group),
                                     {"now": ZERO, "before": ZERO})
            entry[name] = row["total"]
    if by == "industry":
        labels = dict(Customer.Industry.choices)
        named = [(key[0] or "", str(labels.get(key[0], gettext("Not given"))), row)
                 for key, row in found.items()]
    else:
        named = [(key[0], f"{key[1]} {key[2]}", row) for key, row in found.items()]
    lines = []
    for key, name, row in named:
        now, before = _cents(row["now"]), _cents(row["before"])
        if now or before:
            lines.append({"key": key, "name": name, "now": now, "before": before,
                          "change": now - before, "growth": percent(now - before, before)})
    now = sum((line["now"] for line in lines), ZERO)
    before = sum((line["before"] for line in lines), ZERO)
    for line in lines:
        line["share"] = percent(line["now"], now)
    lines.sort(key=lambda line: (-line["now"], line["name"]))
    total = {"now": now, "before": before, "change": now - before,
             "growth": percent(now - before, before), "share": percent(now, now)}
    return {"start": start, "end": end, "last_start": last_start, "last_end": last_end,
            "by": by, "lines": lines, "total": total}


# --- the sales dashboard (销售看板) and its drill-down --------------------------------------------
#
# Every figure of the dashboard is one of the figures above (ManagerMonth, ProductMonth, the
# targets, the arrears list), and each links to the documents behind it (`movements`,
# `receivable_rows`, or the arrears list), read in the figures' own scope
# (`scopes.credited_to_visible`): the rows a viewer is shown add up to the number they clicked.

TOP_PRODUCTS = 10
DRILL_FIGURES = ("net_sales", "collections", "receivable")


def sees_others(user) -> bool:
    """Whether the user's sales scope holds more than themselves (the dashboard is theirs)."""
    kind, ids = resolved_scope(user)
    return kind in ("all", "units") or (kind == "owners" and len(ids) > 1)


def visible_staff(user):
    """The staff within the viewer's scope, those who left included (their months stay)."""
    return User.objects.filter(staff_in_scope_q(user)).order_by("username")


def dashboard_units(user):
    """The units a viewer may narrow the dashboard to: those of their scope."""
    kind, ids = resolved_scope(user)
    units = OrgUnit.objects.all()
    if kind == "units":
        units = units.filter(pk__in=ids)
    elif kind == "owners":
        units = units.filter(pk__in=User.objects.filter(pk__in=ids).values("unit_id"))
    elif kind != "all":
        units = units.none()
    return units.order_by("path")


def _base_unit(user, unit):
    """The unit whose next level the dashboard breaks the sales down by: the chosen one, else
    the viewer's own (within their scope), else none (the top of the tree)."""
    if unit is not None:
        return unit
    kind, ids = resolved_scope(user)
    if user.unit_id and (kind in ("all", "owners") or (kind == "units" and user.unit_id in ids)):
        return user.unit
    return None


def _level_below(user, unit) -> tuple:
    """The unit the sales are broken down under and its child units: `_base_unit`, passing
    down through levels of a single unit (the company → its one department), a query a level."""
    base = _base_unit(user, unit)
    while True:
        children = list(OrgUnit.objects.filter(parent=base).order_by("sort_order", "name")
                        if base is not None else OrgUnit.objects.filter(parent__isnull=True)
                        .order_by("sort_order", "name"))
        if len(children) != 1:
            return base, children
        base = children[0]


def by_unit(user, month: date, unit=None) -> dict:
    """Net sales of the month by the units one level below `unit` (or the viewer's unit), and
    what was credited to no unit below it ("rest"); the lines add up to the month's net sales.
    Below a unit without units (a supervisor's team), by account manager. Two queries."""
    month = month_of(month)
    base, children = _level_below(user, unit)
    if not children:
        people = (_months(user, unit=unit).filter(month=month)
                  .values("manager_id", "manager__display_name", "manager__username")
                  .annotate(net_sales=_money(_net_sales())))
        lines = [{"manager_id": row["manager_id"], "net_sales": _cents(row["net_sales"]),
                  "name": row["manager__display_name"] or row["manager__username"]}
                 for row in people if row["net_sales"]]
        lines.sort(key=lambda line: (-line["net_sales"], line["name"]))
        return {"base": base, "by": "manager", "lines": lines, "rest": ZERO,
                "total": sum((line["net_sales"] for line in lines), ZERO)}
    rows = (_months(user, unit=unit).filter(month=month)
            .values("unit_id", "unit__path").annotate(net_sales=_money(_net_sales())))
    totals = {child.pk: ZERO for child in children}
    rest = ZERO
    for row in rows:
        path = row["unit__path"] or ""
        child = next((c for c in children if path.startswith(c.path)), None) if path else None
        if child is None:
            rest += _cents(row["net_sales"])
        else:
            totals[child.pk] += _cents(row["net_sales"])
    lines = [{"unit": child, "name": child.name, "net_sales": totals[child.pk]}
             for child in children if totals[child.pk]]
    lines.sort(key=lambda line: (-line["net_sales"], line["name"]))
    return {"base": base, "by": "unit", "lines": lines, "rest": rest,
            "total": sum((line["net_sales"] for line in lines), rest)}


def top_products(user, month: date, *, unit=None, limit=TOP_PRODUCTS) -> list[dict]:
    """The month's products with the biggest net sales (ProductMonth), one query."""
    rows = _products(user).filter(month=month_of(month))
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    rows = (rows.values("product_id", "product__code", "product__name")
            .annotate(quantity=Coalesce(Sum("quantity"), 0), net_sales=_money("net_sales"),
                      marginal_cost=_money("marginal_cost"))
            .order_by("-net_sales", "product__code")[:limit])
    return [_product_line(row, _product_name(row)) for row in rows if row["net_sales"]]


def dashboard(user, month: date, *, unit=None, today=None) -> dict:
    """销售看板: the month's figures over what `user` sees (of `unit` if given) against the
    target, the same month last year, the receivable with what is overdue now and its ageing,
    the sales by unit, the twelve months' trend, the top products and each manager's target
    completion. A fixed number of queries, whatever the rows."""
    month = month_of(month)
    now = figures(user, month, unit=unit)
    ago_month = _year_before(month)
    ago = _cents(_months(user, unit=unit).filter(month=ago_month)
                 .aggregate(net_sales=_money(_net_sales()))["net_sales"])
    owed = arrears(user, unit=unit, today=today)["total"]
    managers = performance(user, month, by="manager", unit=unit)
    return {"month": month, "unit": unit, "figures": now, "year_ago": ago,
            "year_ago_month": ago_month, "growth": now["net_sales"] - ago,
            "growth_rate": percent(now["net_sales"] - ago, ago),
            "overdue": owed["overdue"], "ageing": owed,
            "units": by_unit(user, month, unit),
            "trend": trend(user, month, unit=unit),
            "products": top_products(user, month, unit=unit),
            "managers": [line for line in managers["lines"]
                         if line["target"] or line["net_sales"]]}


def _drill_filter(rows, *, manager=None, unit=None, rest_of=None, prefix=""):
    """The drill-down's narrowing of documents (reached through `prefix`) as `_months` and
    `by_unit` narrow the figures: the manager credited, the unit (and everything below it), or
    what is under none of `rest_of`'s child units."""
    if manager is not None:
        rows = rows.filter(**{f"{prefix}manager": manager})
    if unit is not None:
        rows = rows.filter(**{f"{prefix}unit__path__startswith": unit.path})
    if rest_of is not None:
        base, children = rest_of
        for child in children:
            rows = rows.exclude(**{f"{prefix}unit__path__startswith": child.path})
    return rows


def _rest_of(user, rest, unit):
    """`rest`: the unit whose "rest" the rows are (by_unit's `rest`), with its child units."""
    if not rest:
        return None
    return _level_below(user, unit)


def movements(user, month: date, *, figure="net_sales", manager=None, unit=None,
              product=None, rest=False) -> dict:
    """The documents behind a figure of the month, in the figures' scope: for net sales (and
    the gross margin) the orders of the month (+ amount less discount, + marginal cost), the
    cancellations of the month and the returns of the month (−); for collections the receipts
    of the month. With `product`, the product's order lines, each net of its share of the
    order's discount (`services.line_discounts`), as ProductMonth counts them. The total is the
    sum of the rows. A fixed number of queries."""
    month = month_of(month)
    after = _shift(month, 1)
    narrow = {"manager": manager, "unit": unit, "rest_of": _rest_of(user, rest, unit)}
    rows: list[dict] = []

    def add(day, kind, document, customer, who, net_sales, cost, quantity=None):
        rows.append({"day": day, "kind": kind, "document": document, "customer": customer,
                     "manager": who, "quantity": quantity, "net_sales": _cents(net_sales),
                     "marginal_cost": _cents(cost), "gross_margin": _cents(net_sales - cost)})

    if figure == "collections":
        receipts = _drill_filter(credited_to_visible(Receipt.objects.all(), user), **narrow)
        for receipt in (receipts.filter(received_on__gte=month, received_on__lt=after)
                        .select_related("customer", "manager").order_by("received_on", "id")):
            rows.append({"day": receipt.received_on, "kind": "receipt", "document": receipt,
                         "customer": receipt.customer, "manager": receipt.manager,
                         "method": receipt.get_method_display(), "amount": receipt.amount})
        return {"month": month, "figure": figure, "rows": rows,
                "total": {"amount": sum((row["amount"] for row in rows), ZERO)}}
    in_month = Q(order__ordered_on__gte=month, order__ordered_on__lt=after)
    cancelled = Q(order__status=OrderStatus.CANCELLED, order__cancelled_on__gte=month,
                  order__cancelled_on__lt=after)
    returns = _drill_filter(credited_to_visible(SalesReturn.objects.all(), user), **narrow)
    returns = returns.filter(returned_on__gte=month, returned_on__lt=after)
    if product is not None:
        lines = _drill_filter(credited_to_visible(OrderLine.objects.all(), user, "order__"),
                              prefix="order__", **narrow)
        lines = list(lines.filter(in_month | cancelled, product=product)
                     .select_related("order__customer", "order__manager").order_by("order_id"))
        discounted = {line.order_id for line in lines if line.order.discount}
        amounts: dict = defaultdict(list)
        for order_id, line_id, amount in (OrderLine.objects.filter(order_id__in=discounted)
                                          .order_by("order_id", "id")
                                          .values_list("order_id", "id", "amount")):
            amounts[order_id].append((line_id, amount))
        share_of = {}
        for order_id, pairs in amounts.items():
            discount = next(line.order.discount for line in lines if line.order_id == order_id)
            shares = line_discounts(discount, [amount for _id, amount in pairs])
            share_of.update({line_id: share for (line_id, _a), share in zip(pairs, shares,
                                                                            strict=True)})
        for line in lines:
            order, net = line.order, line.amount - share_of.get(line.pk, ZERO)
            cost = line.unit_cost * line.quantity
            if month <= order.ordered_on < after:
                add(order.ordered_on, "order", order, order.customer, order.manager, net, cost,
                    line.quantity)
            if order.cancelled_on and month <= order.cancelled_on < after:
                add(order.cancelled_on, "cancellation", order, order.customer, order.manager,
                    -net, -cost, -line.quantity)
        returns = returns.filter(line__product=product)
    else:
        orders = _drill_filter(credited_to_visible(Order.objects.all(), user), **narrow)
        for order in (orders.filter(Q(ordered_on__gte=month, ordered_on__lt=after)
                                    | Q(status=OrderStatus.CANCELLED, cancelled_on__gte=month,
                                        cancelled_on__lt=after))
                      .select_related("customer", "manager").order_by("ordered_on", "id")):
            net = order.amount - order.discount
            if month <= order.ordered_on < after:
                add(order.ordered_on, "order", order, order.customer, order.manager, net,
                    order.marginal_cost)
            if order.cancelled_on and month <= order.cancelled_on < after:
                add(order.cancelled_on, "cancellation", order, order.customer, order.manager,
                    -net, -order.marginal_cost)
    for sales_return in returns.select_related("customer", "manager", "line__order",
                                               "line__product").order_by("returned_on", "id"):
        cost = sales_return.quantity * sales_return.line.unit_cost
        add(sales_return.returned_on, "return", sales_return, sales_return.customer,
            sales_return.manager, -sales_return.amount, -cost, -sales_return.quantity)
    rows.sort(key=lambda row: (row["day"], row["kind"], row["document"].pk))
    total = {name: sum((row[name] for row in rows), ZERO)
             for name in ("net_sales", "marginal_cost", "gross_margin")}
    return {"month": month, "figure": figure, "rows": rows, "total": total}


def receivable_rows(user, month: date, *, manager=None, unit=None, rest=False) -> dict:
    """The receivable at the month's end taken apart by customer, in the figures' scope: each
    customer's net sales up to the month's end (orders less discounts, cancellations and
    returns) less the collections up to it; the total is the dashboard's receivable. Four
    grouped queries and the customers'."""
    after = _shift(month_of(month), 1)
    narrow = {"manager": manager, "unit": unit, "rest_of": _rest_of(user, rest, unit)}

    def grouped(model, condition, expression):
        rows = _drill_filter(credited_to_visible(model.objects.all(), user), **narrow)
        return dict(rows.filter(condition).values("customer_id")
                    .annotate(total=_money(expression)).values_list("customer_id", "total"))

    sold = grouped(Order, Q(ordered_on__lt=after), F("amount") - F("discount"))
    cancelled = grouped(Order, Q(status=OrderStatus.CANCELLED, cancelled_on__lt=after),
                        F("amount") - F("discount"))
    returned = grouped(SalesReturn, Q(returned_on__lt=after), F("amount"))
    paid = grouped(Receipt, Q(received_on__lt=after), F("amount"))
    ids = {*sold, *cancelled, *returned, *paid}
    names = Customer.objects.filter(pk__in=ids).in_bulk()
    lines = []
    for pk in ids:
        net = _cents(sold.get(pk, ZERO) - cancelled.get(pk, ZERO) - returned.get(pk, ZERO))
        collected = _cents(paid.get(pk, ZERO))
        if net - collected:
            lines.append({"customer": names.get(pk), "net_sales": net, "collections": collected,
                          "receivable": net - collected})
    lines.sort(key=lambda line: (-line["receivable"], line["customer"].pk))
    total = {name: sum((line[name] for line in lines), ZERO)
             for name in ("net_sales", "collections", "receivable")}
    return {"month": month_of(month), "figure": "receivable", "rows": lines, "total": total}
# --- annual targets and personal sales plans -----------------------------------------------------

def month_sums(rows) -> dict:
    """{month: the sums of the figures} of fact rows (ManagerMonth)."""
    return {row.pop("month"): row for row in rows.values("month").annotate(**_sums())}


def _ancestor_ids(path: str) -> list[int]:
    return [int(path[i:i + 6]) for i in range(0, len(path), 6)]


def _growth(now, before):
    return percent(now - before, before) if before else None


def _year_facts(user, year: int, today: date):
    """Net sales so far this year and over the same months of last year, by (manager, unit):
    one query over the fact rows `user` sees."""
    last = 12 if year < today.year else today.month
    rows = (ManagerMonth.objects.visible_to(user)
            .filter(Q(month__gte=date(year - 1, 1, 1), month__lte=date(year - 1, last, 1))
                    | Q(month__gte=date(year, 1, 1), month__lte=date(year, last, 1)))
            .values("manager_id", "unit_id", "month__year").annotate(net=_money(_net_sales())))
    return [(row["manager_id"], row["unit_id"], row["month__year"] == year, _cents(row["net"]))
            for row in rows], last


def split_tree(user, year: int, today=None) -> dict:
    """年度目标分解: the tree of the units whose targets `user` splits (the company for the
    director, a region for its manager, a team for its supervisor) → regions → teams → account
    managers, each with its target, net sales so far this year, completion rate (完成率) and
    growth over the same months of last year (增长率). Five queries whatever the size."""
    today = today or timezone.localdate()
    units = list(OrgUnit.objects.order_by("path"))
    by_pk = {u.pk: u for u in units}
    splittable = {u.pk for u in units if may_split(user, u)}
    roots = [u for u in units if u.pk in splittable
             and not any(a in splittable for a in _ancestor_ids(u.path)[:-1])]
    teams = [u for u in units if u.kind == OrgUnit.Kind.TEAM
             and any(u.path.startswith(r.path) for r in roots)]
    managers = list(team_managers([t.pk for t in teams]).select_related("unit"))
    targets = {(row.unit_id if row.manager_id is None else None, row.manager_id): row.amount
               for row in AnnualTarget.objects.visible_to(user).filter(year=year)}
    facts, last = _year_facts(user, year, today)
    unit_sums: dict = defaultdict(lambda: [ZERO, ZERO])
    manager_sums: dict = defaultdict(lambda: [ZERO, ZERO])
    for manager_id, unit_id, this_year, net in facts:
        index = 0 if this_year else 1
        manager_sums[manager_id][index] += net
        if unit_id in by_pk:
            for ancestor in _ancestor_ids(by_pk[unit_id].path):
                unit_sums[ancestor][index] += net

    def node(depth, name, target, sums, **extra):
        now, before = sums
        return {"depth": depth, "name": name, "target": target, "net_sales": now,
                "last_year": before, "completion": percent(now, target) if target else None,
                "growth": _growth(now, before), **extra}

    lines = []

    def walk(unit, depth):
        lines.append(node(depth, unit.name, targets.get((unit.pk, None)), unit_sums[unit.pk],
                          unit=unit, splits=unit.pk in splittable))
        if split_children_kind(unit) == "manager":
            for manager in (m for m in managers if m.unit_id == unit.pk):
                lines.append(node(depth + 1, str(manager), targets.get((None, manager.pk)),
                                  manager_sums[manager.pk], manager=manager))
            return
        for child in child_units(unit, units):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return {"year": year, "lines": lines, "months": last}


def split_children(user, year: int, unit) -> dict:
    """The form of `unit`'s split: its target, and each child (unit or manager) with its
    share now and last year's net sales (which the suggestion follows)."""
    kind = split_children_kind(unit)
    if kind == "manager":
        children = list(team_managers([unit.pk]))
        shares = dict(AnnualTarget.objects.visible_to(user)
                      .filter(year=year, manager__in=children).values_list("manager_id", "amount"))
        last = dict(ManagerMonth.objects.visible_to(user)
                    .filter(manager__in=children, month__year=year - 1)
                    .values("manager_id").annotate(net=_money(_net_sales()))
                    .values_list("manager_id", "net"))
    else:
        children = child_units(unit, list(OrgUnit.objects.filter(path__startswith=unit.path)
                                          .order_by("path")))
        shares = dict(AnnualTarget.objects.visible_to(user)
                      .filter(year=year, unit__in=children, manager__isnull=True)
                      .values_list("unit_id", "amount"))
        facts = (ManagerMonth.objects.visible_to(user).filter(month__year=year - 1)
                 .values("unit__path").annotate(net=_money(_net_sales())))
        last = {child.pk: sum((_cents(row["net"]) for row in facts
                               if (row["unit__path"] or "").startswith(child.path)), ZERO)
                for child in children}
    target = AnnualTarget.objects.visible_to(user).filter(
        year=year, unit=unit, manager__isnull=True).first()
    return {"unit": unit, "target": target and target.amount, "children": [
        {"child": child, "share": shares.get(child.pk), "last_year": _cents(last.get(child.pk))}
        for child in children]}


def split_suggestion(split: dict) -> dict:
    """{child pk: share} of the target in proportion to last year's net sales (evenly when
    there were none), to the cent, adding up exactly."""
    if split["target"] is None:
        return {}
    shares = proportional(split["target"], [row["last_year"] for row in split["children"]])
    return {row["child"].pk: share for row, share in zip(split["children"], shares, strict=True)}


def spread_preview(manager, year: int) -> dict | None:
    target = AnnualTarget.objects.filter(year=year, manager=manager).first()
    if target is None:
        return None
    amounts, seasonal = spread_of(manager, year, target.amount)
    return {"amounts": amounts, "seasonal": seasonal}


def plan_list(user, year: int):
    return (SalesPlan.objects.visible_to(user).filter(year=year)
            .select_related("manager", "reviewer").order_by("manager__username"))


def plan_get(user, pk) -> SalesPlan:
    plan = (SalesPlan.objects.visible_to(user).select_related("manager", "reviewer", "unit")
            .filter(pk=pk).first())
    if plan is None:
        raise Http404
    return plan


def annual_targets_of(manager_ids, year: int) -> dict:
    return dict(AnnualTarget.objects.filter(year=year, manager_id__in=manager_ids)
                .values_list("manager_id", "amount"))


def margin_check(user, manager, today=None) -> dict | None:
    """The manager's gross margin rate for the year to date against the minimum of their plan
    (seed 003 篇六), over the sales `user` sees: None without a minimum or without net sales;
    `below` when the rate is under it (exactly at it is not below)."""
    today = today or timezone.localdate()
    plan = (SalesPlan.objects.filter(manager=manager, year=today.year, min_margin__isnull=False)
            .only("pk", "min_margin").first())
    if plan is None:
        return None
    sums = derive(ManagerMonth.objects.visible_to(user).filter(
        manager=manager, month__gte=date(today.year, 1, 1), month__lte=month_of(today))
        .aggregate(**_sums()))
    if sums["net_sales"] <= 0:
        return None
    return {"plan": plan, "minimum": plan.min_margin, "rate": sums["margin_rate"],
            "below": sums["gross_margin"] * 100 < plan.min_margin * sums["net_sales"]}
