"""Every change to the sales ledger and the credit files (see models' docstring).

Each posting checks, writes its document and adds its amounts to the fact tables in one
transaction (`_add_facts`: an UPDATE … SET x = x + amount on the month's row, so concurrent
postings never lose an amount), and puts it on the customer's timeline. `FACTS` says, for
each kind of document, what it adds to which figure; `rebuild` sums the same from the
documents and must give the same tables.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core import calendar
from qiao.core.concurrency import save_versioned
from qiao.core.exceptions import ConflictError, StaleVersionError
from qiao.core.history import authored_by
from qiao.core.money import round_half_up
from qiao.core.registry import TimelineKind
from qiao.customers.models import Customer, CustomerEvent
from qiao.customers.services import customer_event_build, customer_event_record
from qiao.notify import kinds
from qiao.notify.services import notify
from qiao.org.models import OrgUnit, User
from qiao.org.permissions import can
from qiao.org.scope import holds_action_q, resolved_scope, sees_everything, visible_users
from qiao.org.selectors import first_superior

from .actions import SALES_MANAGE, SALES_POST
from .events import order_emit
from .models import (
    COST_FIGURES,
    MANAGER_FIGURES,
    QUARTERS,
    AnnualTarget,
    ArrearsEscalation,
    Channel,
    CreditFile,
    CustomerKind,
    CustomerMonth,
    DunningAction,
    EscalationReason,
    ManagerCost,
    ManagerMonth,
    MeasureStatus,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentPromise,
    PlanMeasure,
    PriceList,
    PriceListLine,
    ProductMonth,
    PromiseStatus,
    Receipt,
    ReportStatus,
    SalesPlan,
    SalesReport,
    SalesReturn,
    SalesTarget,
)

NOTE_PERIOD_DAYS = 60  # seed 001 第15条: a note's gain or loss counts from 60 days after shipment
ZERO = Decimal("0.00")

TIMELINE_KINDS = (
    TimelineKind("order_posted", gettext_lazy("Sales order %(number)s: %(amount)s"),
                 "bi-cart-check", params=("number", "amount")),
    TimelineKind("order_cancelled", gettext_lazy("Sales order %(number)s cancelled"),
                 "bi-cart-x", params=("number",)),
    TimelineKind("goods_returned",
                 gettext_lazy("Goods returned on order %(number)s: %(amount)s (%(reason)s)"),
                 "bi-arrow-return-left", params=("number", "amount", "reason")),
    TimelineKind("payment_received", gettext_lazy("Payment received: %(amount)s (%(method)s)"),
                 "bi-cash-coin", params=("amount", "method")),
    TimelineKind("credit_investigated",
                 gettext_lazy("Credit investigation: rating %(rating)s, limit %(limit)s"),
                 "bi-shield-check", params=("rating", "limit")),
    TimelineKind("dunning_recorded",
                 gettext_lazy("Dunning (%(method)s): %(result)s"),
                 "bi-telephone-outbound", follow_up=True, params=("method", "result")),
    TimelineKind("payment_promised",
                 gettext_lazy("Promise to pay %(amount)s by %(due)s"),
                 "bi-calendar-check", params=("amount", "due")),
    TimelineKind("promise_settled",
                 gettext_lazy("Promise to pay %(amount)s by %(due)s: %(status)s"),
                 "bi-calendar-x", params=("amount", "due", "status")),
)


def month_of(day: date) -> date:
    return day.replace(day=1)


def _require(user, action):
    if not can(user, action):
        raise PermissionDenied


def _visible_customer(user, customer) -> Customer:
    """The customer as `user` may see it now, locked for the posting (404 otherwise: a receipt
    for another manager's customer is refused as if the customer did not exist)."""
    found = (Customer.objects.visible_to(user).select_for_update(of=("self",))
             .filter(pk=customer.pk).first())
    if found is None:
        raise PermissionDenied
    return found


def _already_posted(model, external_id, customer_id):
    """What an ERP posted before under `external_id`, if it was for the same customer (the
    repeat of a posting); the id used for another customer is refused, naming nothing of it."""
    if not external_id:
        return None
    existing = model.objects.filter(external_id=external_id).first()
    if existing is not None and existing.customer_id != customer_id:
        raise ValidationError({"external_id": _("This external id was already used for "
                                                "another posting.")})
    return existing


def _credited_to(customer, actor):
    """Who a posting is credited to: the customer's account manager, or the one who posts it
    for a customer in the public pool; and their unit now."""
    manager = customer.owner if customer.owner_id else actor
    return manager, manager.unit_id


# --- the fact tables -----------------------------------------------------------------------------

def _add(model, key: dict, amounts: dict, count: int = 0):
    """Add `amounts` to the row of `key` (created at zero first): one UPDATE with F() + amount,
    so two postings at once both count."""
    amounts = {name: value for name, value in amounts.items() if value}
    if not amounts and not count:
        return
    rows = model.objects.filter(**key)
    if not rows.exists():
        try:
            with transaction.atomic():
                model.objects.create(**key)
        except IntegrityError:  # created meanwhile by a concurrent posting: add to it
            pass
    changes = {name: F(name) + value for name, value in amounts.items()}
    if count:
        changes["order_count"] = F("order_count") + count
    rows.update(**changes)


def _add_facts(*, day, manager_id, unit_id, level, customer_id=None, figures: dict,
               net_sales=ZERO, cost=ZERO, collections=ZERO, count=0):
    _add(ManagerMonth, {"month": month_of(day), "manager_id": manager_id, "unit_id": unit_id,
                        "secret_level": level}, figures, count)
    if customer_id is not None:
        _add(CustomerMonth, {"month": month_of(day), "customer_id": customer_id},
             {"net_sales": net_sales, "marginal_cost": cost, "collections": collections})


def _order_facts(order, sign=1) -> dict:
    """What an order adds in its month (sign 1), or takes back when cancelled (-1: into
    `cancellations` and back out of discounts, commissions and the marginal cost)."""
    amount = order.amount
    if sign > 0:
        figures = {"orders": amount, f"{order.channel}_orders": amount,
                   "new_orders": amount if order.customer_kind == CustomerKind.NEW else ZERO}
    else:
        figures = {"cancellations": amount}
    figures |= {"discounts": sign * order.discount, "commissions": sign * order.commission,
                "marginal_cost": sign * order.marginal_cost}
    return figures


def line_discounts(discount, amounts) -> list:
    """The order's discount shared over its lines (in their order) in proportion to their
    amounts, each to the cent, the last taking what rounding leaves: the shares add up to the
    discount exactly."""
    if not discount or not amounts:
        return [ZERO] * len(amounts)
    total = sum(amounts, ZERO)
    shares = [round_half_up(discount * amount / total) for amount in amounts[:-1]]
    return [*shares, discount - sum(shares, ZERO)]


def _product_sums(order, lines, sums=None, sign=1) -> dict:
    """{product id: [quantity, net sales, marginal cost]} of the order's `lines`, each net of
    its share of the discount, added into `sums` (sign -1: taken back)."""
    sums = {} if sums is None else sums
    shares = line_discounts(order.discount, [line.amount for line in lines])
    for line, share in zip(lines, shares, strict=True):
        entry = sums.setdefault(line.product_id, [0, ZERO, ZERO])
        entry[0] += sign * line.quantity
        entry[1] += sign * (line.amount - share)
        entry[2] += sign * line.unit_cost * line.quantity
    return sums


def _add_product_sums(key: tuple, sums: dict):
    """`sums` (_product_sums) into ProductMonth's rows of `key` (month, manager id, unit id,
    secret level), one per product."""
    month, manager_id, unit_id, level = key
    for product_id, (quantity, net_sales, cost) in sorted(sums.items()):
        _add(ProductMonth, {"month": month, "product_id": product_id, "manager_id": manager_id,
                            "unit_id": unit_id, "secret_level": level},
             {"quantity": quantity, "net_sales": net_sales, "marginal_cost": cost})


def _add_products(*, day, order, lines, sign=1):
    """The order's lines into ProductMonth in the month of `day` (sign -1: cancelled), one row
    per product, net of each line's share of the discount."""
    _add_product_sums((month_of(day), order.manager_id, order.unit_id, order.secret_level),
                      _product_sums(order, lines, sign=sign))


# --- orders --------------------------------------------------------------------------------------

def _credit_problems(credit, amount) -> list[str]:
    """Seed CRD-2: what is wrong with adding `amount` to a customer's receivable, given its
    `credit` (selectors.credits_of): over the limit of the latest credit file, or overdue debt."""
    problems = []
    if credit["file"] is not None and credit["receivable"] + amount > credit["file"].credit_limit:
        problems.append(_("The order takes the receivable to %(total)s, over the credit-sale "
                          "limit of %(limit)s.") % {
            "total": f"¥{credit['receivable'] + amount:,.2f}",
            "limit": f"¥{credit['file'].credit_limit:,.2f}"})
    if credit["overdue"] > 0:
        problems.append(_("The customer has %(amount)s overdue.")
                        % {"amount": f"¥{credit['overdue']:,.2f}"})
    return problems


def _credit_check(customer, amount, *, actor, over_limit_reason, on):
    """An order with credit problems is refused unless someone holding sales.manage posts it
    with a reason (settings.QIAO_CREDIT_POLICY "block" refuses it for everyone)."""
    from .selectors import customer_credit  # selectors read the same tables

    problems = _credit_problems(customer_credit(customer, today=on), amount)  # overdue then
    if not problems:
        return ""
    policy = credit_policy()
    if policy == "approve" and can(actor, SALES_MANAGE) and over_limit_reason.strip():
        return over_limit_reason.strip()
    hint = (_("A supervisor may post it with a reason.") if policy == "approve" else "")
    raise CreditRefused(" ".join([*problems, hint]).strip(), code="credit", problems=problems)


class CreditRefused(ValidationError):
    """The credit check's refusal, with the problems it found."""

    def __init__(self, message, *, code, problems):
        super().__init__(message, code=code)
        self.problems = problems


def credit_policy() -> str:
    """settings.QIAO_CREDIT_POLICY: "approve" (a supervisor passes an order over the limit, an
    account manager asks for approval) or "block"."""
    return getattr(settings, "QIAO_CREDIT_POLICY", "approve")


def _order_build(*, actor, customer, lines, ordered_on, channel, discount=ZERO,
                 commission=ZERO, note="", external_id=None,
                 book=None) -> tuple[Order, list[OrderLine]]:
    """The unsaved order of `lines` and its lines, checked, credited to the customer's account
    manager, each line's list price resolved from `book` (selectors.PriceBook; read for the
    order's products when not given); its customer kind and credit are the caller's to settle."""
    if not lines:
        raise ValidationError(_("An order needs at least one line."))
    if book is None:
        from .selectors import PriceBook  # selectors read the same tables

        book = PriceBook([product.pk for product, _q, _p in lines], ordered_on, ordered_on)
    built = [_line(product, quantity, price, lambda product, quantity: book.price(
        customer, product, ordered_on, quantity, channel)) for product, quantity, price in lines]
    amount = sum((line.amount for line in built), ZERO)
    if discount < 0 or commission < 0 or discount > amount:
        raise ValidationError({"discount": _(
            "The discount and the commission are not negative, the discount at most the "
            "order's amount.")})
    manager, unit_id = _credited_to(customer, actor)
    order = Order(customer=customer, manager=manager, unit_id=unit_id,
                  secret_level=customer.secret_level, ordered_on=ordered_on,
                  channel=channel, amount=amount, discount=discount, commission=commission,
                  marginal_cost=sum((line.unit_cost * line.quantity for line in built), ZERO),
                  customer_kind=CustomerKind.NEW, note=note,
                  external_id=external_id or None, created_by=actor)
    order.full_clean(exclude=["customer", "manager", "unit", "created_by"],
                     validate_unique=False)  # the external id: the insert says
    return order, built


def _orders_record(posted: list[tuple[Order, list[OrderLine]]], actor):
    """Everything saved orders add: their lines, their months' figures (one UPDATE per month
    and manager, per month, manager and product, and per month and customer) and each one's
    line on its customer's timeline."""
    manager_rows: dict = {}
    customer_rows: dict = {}
    lines = []
    for order, built in posted:
        for line in built:
            line.order = order
        lines += built
        key = (month_of(order.ordered_on), order.manager_id, order.unit_id, order.secret_level)
        row = manager_rows.setdefault(key, {"figures": {}, "count": 0, "products": {}})
        row["count"] += 1
        _product_sums(order, built, row["products"])
        for name, value in _order_facts(order).items():
            row["figures"][name] = row["figures"].get(name, ZERO) + value
        sums = customer_rows.setdefault((month_of(order.ordered_on), order.customer_id),
                                        {"net_sales": ZERO, "marginal_cost": ZERO})
        sums["net_sales"] += order.net_amount
        sums["marginal_cost"] += order.marginal_cost
    OrderLine.objects.bulk_create(lines)
    for key, row in manager_rows.items():
        month, manager_id, unit_id, level = key
        _add(ManagerMonth, {"month": month, "manager_id": manager_id, "unit_id": unit_id,
                            "secret_level": level}, row["figures"], row["count"])
        _add_product_sums(key, row["products"])
    for (month, customer_id), sums in customer_rows.items():
        _add(CustomerMonth, {"month": month, "customer_id": customer_id}, sums)
    CustomerEvent.objects.bulk_create(
        customer_event_build(order.customer, "order_posted", actor=actor, link=order,
                             params={"number": order.number,
                                     "amount": f"¥{order.net_amount:,.2f}"})
        for order, _built in posted)
    for order, _built in posted:
        order_emit(order)


def _is_fixed(customer_ids) -> set:
    """Those of `customer_ids` who ordered before (a later order is a fixed customer's)."""
    return set(Order.objects.filter(customer_id__in=customer_ids)
               .exclude(status=OrderStatus.CANCELLED)
               .values_list("customer_id", flat=True).distinct())


def order_post(*, actor, customer, lines, ordered_on, channel, discount=ZERO, commission=ZERO,
               note="", external_id=None, over_limit_reason="", request_approval=False):
    """Post an order of `lines` ([(product, quantity, price or None for the list price)]),
    credited to the customer's account manager. With `external_id` (an ERP's posting) a repeat
    returns the order already posted instead of a second one. With `request_approval` (the
    order page), an order the credit check refuses, from someone who may not pass it, becomes
    an approval request (`credit_requests`) under the "approve" policy: the
    `CreditOrderRequest` is returned and nothing is posted."""
    _require(actor, SALES_POST)
    existing = _already_posted(Order, external_id, customer.pk)
    if existing is not None:
        return existing
    with transaction.atomic():
        customer = _visible_customer(actor, customer)
        # Postings for one customer queue on its row: a repeat that waited is seen now.
        existing = _already_posted(Order, external_id, customer.pk)
        if existing is not None:
            return existing
        order, built = _order_build(
            actor=actor, customer=customer, lines=lines, ordered_on=ordered_on, channel=channel,
            discount=discount, commission=commission, note=note, external_id=external_id)
        try:
            order.over_limit_reason = _credit_check(customer, order.net_amount, actor=actor,
                                                    over_limit_reason=over_limit_reason,
                                                    on=ordered_on)
        except CreditRefused as refused:
            if not (request_approval and credit_policy() == "approve"
                    and not can(actor, SALES_MANAGE)):
                raise
            from . import credit_requests

            return credit_requests.request_create(
                actor=actor, customer=customer, built=built, ordered_on=ordered_on,
                channel=channel, amount=order.amount, discount=discount, commission=commission,
                note=note, problems=refused.problems, reason=over_limit_reason)
        if _is_fixed([customer.pk]):
            order.customer_kind = CustomerKind.FIXED
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:  # the same external id posted at the same moment
            if not external_id:
                raise
            return _already_posted(Order, external_id, customer.pk)
        _orders_record([(order, built)], actor)
    return order


BATCH_CREATED, BATCH_EXISTING, BATCH_REFUSED = "created", "existing", "refused"


def orders_post_batch(*, actor, entries: list[dict]) -> list[tuple[str, Order | None, str]]:
    """Post an ERP's batch of orders: each entry holds order_post's arguments, `customer_id`
    for `customer` and an `external_id`. Each order is checked as order_post checks it, but the
    customers are locked, their earlier orders and credit read, and the orders, lines, figures
    and timeline written once for the batch. Per entry: (created | existing | refused, the
    order, why refused). A refused entry posts nothing; the others post, in one transaction."""
    _require(actor, SALES_POST)
    with transaction.atomic():
        customers = {customer.pk: customer for customer in (
            Customer.objects.visible_to(actor).select_for_update(of=("self",))
            .select_related("owner")
            .filter(pk__in={entry["customer_id"] for entry in entries}).order_by("pk"))}
        earlier = {order.external_id: order for order in Order.objects.filter(
            external_id__in=[entry["external_id"] for entry in entries])}
        batch = _Batch(actor, customers, entries)
        results: list[tuple[str, Order | None, str]] = []
        for entry in entries:
            customer = customers.get(entry["customer_id"])
            repeated = earlier.get(entry["external_id"])
            if customer is None:
                results.append((BATCH_REFUSED, None, _("No customer you see has this id.")))
            elif repeated is not None:
                results.append((BATCH_EXISTING, repeated, "")
                               if repeated.customer_id == customer.pk else
                               (BATCH_REFUSED, None, _("This external id was already used "
                                                       "for another posting.")))
            else:
                order, refusal = batch.add(customer, entry)
                results.append((BATCH_REFUSED, None, refusal) if refusal else
                               (BATCH_CREATED, order, ""))
                if order is not None:
                    earlier[order.external_id] = order  # a repeat within the batch
        try:
            with transaction.atomic():
                Order.objects.bulk_create([order for order, _built in batch.posted])
        except IntegrityError:  # an external id of the batch posted at the same moment
            raise ConflictError(_("Some of these external ids were posted at the same moment "
                                  "by another request; send the batch again.")) from None
        _orders_record(batch.posted, actor)
    return results


class _Batch:
    """The orders of orders_post_batch so far: the customers' credit read once per order day,
    what the batch has added to each receivable, who has ordered before."""

    def __init__(self, actor, customers, entries):
        self.actor = actor
        self.days: dict = {}
        for entry in entries:
            if entry["customer_id"] in customers:
                self.days.setdefault(entry["ordered_on"], set()).add(entry["customer_id"])
        self.credits: dict = {}
        self.added: dict = {}
        self.fixed = _is_fixed(list(customers))
        self.posted: list[tuple[Order, list[OrderLine]]] = []
        self.book = _batch_book(entries)

    def add(self, customer, entry) -> tuple[Order | None, str]:
        """The order of `entry` checked and kept for posting, or why it is refused."""
        from .selectors import credits_of  # selectors read the same tables

        arguments = {name: value for name, value in entry.items() if name != "customer_id"}
        try:
            order, built = _order_build(actor=self.actor, customer=customer, book=self.book,
                                        **arguments)
        except ValidationError as error:
            return None, " ".join(error.messages)
        day = order.ordered_on
        if day not in self.credits:  # overdue as on the order's day, as order_post reads it
            self.credits[day] = credits_of(sorted(self.days[day]), today=day)
        credit = dict(self.credits[day][customer.pk])
        credit["receivable"] += self.added.get(customer.pk, ZERO)
        problems = _credit_problems(credit, order.net_amount)
        if problems:
            return None, " ".join(problems)
        self.added[customer.pk] = self.added.get(customer.pk, ZERO) + order.net_amount
        if customer.pk in self.fixed:
            order.customer_kind = CustomerKind.FIXED
        self.fixed.add(customer.pk)
        self.posted.append((order, built))
        return order, ""


def _batch_book(entries):
    """The price lists of a batch's products over its order days, read once for the batch."""
    from .selectors import PriceBook  # selectors read the same tables

    days = [entry["ordered_on"] for entry in entries if isinstance(entry["ordered_on"], date)]
    products = [product.pk for entry in entries for product, _q, _p in entry["lines"]]
    today = timezone.localdate()
    return PriceBook(products, min(days, default=today), max(days, default=today))


def _line(product, quantity, price, list_price_of) -> OrderLine:
    """The line of `quantity` of `product` at `price`, or at its list price when None
    (`list_price_of(product, quantity)`: the price list's, else the product's)."""
    if not product.active:
        raise ValidationError(_("%(product)s is no longer on sale.") % {"product": product})
    if not isinstance(quantity, int) or quantity < 1:
        raise ValidationError(_("Enter a quantity of at least 1."))
    list_price = list_price_of(product, quantity)
    price = list_price if price is None else price
    if price < 0:
        raise ValidationError(_("A price is not negative."))
    line = OrderLine(product=product, quantity=quantity, price=price, list_price=list_price,
                     amount=round_half_up(price * quantity), unit_cost=product.marginal_cost)
    # The fields' own limits; the product is the one given, and nothing is returned yet (the
    # table's one constraint): no query per line, which a batch of orders would multiply.
    line.full_clean(exclude=["order", "product"], validate_constraints=False)
    return line


def _claim_order(order) -> Order:
    return Order.objects.select_for_update().select_related("customer").get(pk=order.pk)


def order_deliver(*, actor, order, delivered_on) -> Order:
    """Date the shipment (发货): returns and a note's 60 days count from it."""
    _require(actor, SALES_POST)
    with transaction.atomic():
        _visible_customer(actor, order.customer)
        order = _claim_order(order)
        if order.status != OrderStatus.POSTED:
            raise ValidationError(_("Only a posted order that is not yet delivered can be "
                                    "delivered."))
        if delivered_on < order.ordered_on or delivered_on > timezone.localdate():
            raise ValidationError({"delivered_on": _(
                "The delivery date is between the order date and today.")})
        order.status, order.delivered_on = OrderStatus.DELIVERED, delivered_on
        order.save(update_fields=["status", "delivered_on", "updated_at"])
    return order


def order_cancel(*, actor, order, cancelled_on, reason) -> Order:
    """销货作废: an order whose slip was issued, cancelled before delivery; it counts as a
    cancellation in the month of `cancelled_on`, the order staying in its own month."""
    _require(actor, SALES_POST)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    with transaction.atomic():
        _visible_customer(actor, order.customer)
        order = _claim_order(order)
        if order.status != OrderStatus.POSTED:
            raise ValidationError(_("A delivered or cancelled order cannot be cancelled; "
                                    "post a return instead."))
        if cancelled_on < order.ordered_on or cancelled_on > timezone.localdate():
            raise ValidationError({"cancelled_on": _(
                "The cancellation date is between the order date and today.")})
        order.status, order.cancelled_on = OrderStatus.CANCELLED, cancelled_on
        order.cancel_reason = reason.strip()[:200]
        order.save(update_fields=["status", "cancelled_on", "cancel_reason", "updated_at"])
        _add_facts(day=cancelled_on, manager_id=order.manager_id, unit_id=order.unit_id,
                   level=order.secret_level, customer_id=order.customer_id,
                   figures=_order_facts(order, -1), net_sales=-order.net_amount,
                   cost=-order.marginal_cost)
        _add_products(day=cancelled_on, order=order, lines=list(order.lines.order_by("id")),
                      sign=-1)
        customer_event_record(order.customer, "order_cancelled", actor=actor, link=order,
                              params={"number": order.number})
    return order


# --- returns -------------------------------------------------------------------------------------

def return_post(*, actor, line, quantity, reason, returned_on, note="",
                external_id=None) -> SalesReturn:
    """销货退回 of part of a delivered line, at the line's price less its share of the order's
    discount; deducted in the month it is posted and credited back against the manager the
    order was credited to (seed 第6条: the matching bonus is clawed back)."""
    _require(actor, SALES_POST)
    existing = _already_posted(SalesReturn, external_id, line.order.customer_id)
    if existing is not None:
        return existing
    with transaction.atomic():
        order = line.order
        _visible_customer(actor, order.customer)
        order = _claim_order(order)
        existing = _already_posted(SalesReturn, external_id, order.customer_id)
        if existing is not None:
            return existing
        line = OrderLine.objects.get(pk=line.pk)
        if order.status != OrderStatus.DELIVERED:
            raise ValidationError(_("Only goods delivered can be returned; cancel an order "
                                    "that was not delivered."))
        if not isinstance(quantity, int) or quantity < 1:
            raise ValidationError({"quantity": _("Enter a quantity of at least 1.")})
        if quantity > line.quantity - line.returned:
            raise ValidationError({"quantity": _(
                "At most %(left)s can be returned: %(quantity)s delivered, %(returned)s "
                "returned already.") % {"left": line.quantity - line.returned,
                                        "quantity": line.quantity, "returned": line.returned}})
        if returned_on < order.delivered_on or returned_on > timezone.localdate():
            raise ValidationError({"returned_on": _(
                "The return date is between the delivery date and today.")})
        amount = return_amount(order, line, quantity)
        manager_unit = order.manager.unit_id
        sales_return = SalesReturn(
            line=line, customer_id=order.customer_id, manager_id=order.manager_id,
            unit_id=manager_unit, secret_level=order.secret_level, returned_on=returned_on,
            quantity=quantity, amount=amount, reason=reason, note=note,
            external_id=external_id or None, created_by=actor)
        sales_return.full_clean(exclude=["line", "customer", "manager", "unit", "created_by"],
                                validate_unique=False)
        sales_return.save()
        OrderLine.objects.filter(pk=line.pk).update(returned=F("returned") + quantity)
        cost = line.unit_cost * quantity
        _add_facts(day=returned_on, manager_id=order.manager_id, unit_id=manager_unit,
                   level=order.secret_level, customer_id=order.customer_id,
                   figures={f"returns_{reason}": amount, "marginal_cost": -cost},
                   net_sales=-amount, cost=-cost)
        _add(ProductMonth, {"month": month_of(returned_on), "product_id": line.product_id,
                            "manager_id": order.manager_id, "unit_id": manager_unit,
                            "secret_level": order.secret_level},
             {"quantity": -quantity, "net_sales": -amount, "marginal_cost": -cost})
        customer_event_record(order.customer, "goods_returned", actor=actor, link=order, params={
            "number": order.number, "amount": f"¥{amount:,.2f}",
            "reason": str(sales_return.get_reason_display())})
    return sales_return


def return_amount(order, line, quantity) -> Decimal:
    """The line's amount for `quantity`, less that share of the order's discount (what the
    customer actually paid for those goods)."""
    gross = line.price * quantity
    if not order.discount:
        return round_half_up(gross)
    return round_half_up(gross - order.discount * gross / order.amount)


# --- receipts ------------------------------------------------------------------------------------

def note_interest(amount, *, shipped_on: date, due: date) -> Decimal:
    """A promissory note's interest gain (+) or loss (−) against the 60 days from shipment
    (seed 第15条): at `QIAO_NOTE_INTEREST_RATE` a year, for the days the note falls due before
    (gain) or after (loss) those 60 days."""
    rate = Decimal(str(getattr(settings, "QIAO_NOTE_INTEREST_RATE", "0.0435")))
    days = NOTE_PERIOD_DAYS - (due - shipped_on).days
    return round_half_up(amount * rate * days / 365)


def receipt_post(*, actor, customer, amount, method, received_on, order=None, note_due=None,
                 note="", external_id=None) -> Receipt:
    """收款: cash, a transfer or a promissory note (期票, with its due date), credited to the
    customer's account manager; a note's interest gain or loss counted from the shipment of the
    order it pays (from the day received when it names none)."""
    _require(actor, SALES_POST)
    existing = _already_posted(Receipt, external_id, customer.pk)
    if existing is not None:
        return existing
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount greater than zero.")})
    if method == PaymentMethod.NOTE and note_due is None:
        raise ValidationError({"note_due": _("A promissory note needs its due date.")})
    if method != PaymentMethod.NOTE:
        note_due = None
    with transaction.atomic():
        customer = _visible_customer(actor, customer)
        existing = _already_posted(Receipt, external_id, customer.pk)
        if existing is not None:
            return existing
        if order is not None and order.customer_id != customer.pk:
            raise ValidationError({"order": _("The order is not one of this customer's.")})
        if note_due is not None and note_due < received_on:
            raise ValidationError({"note_due": _("A note falls due on or after the day it "
                                                 "is received.")})
        manager, unit_id = _credited_to(customer, actor)
        receipt = Receipt(customer=customer, manager=manager, unit_id=unit_id,
                          secret_level=customer.secret_level, order=order,
                          received_on=received_on, method=method, amount=amount,
                          note_due=note_due, note=note, external_id=external_id or None,
                          created_by=actor)
        if note_due is not None:
            shipped = order.delivered_on if order is not None and order.delivered_on else received_on
            receipt.note_interest = note_interest(amount, shipped_on=shipped, due=note_due)
        receipt.full_clean(exclude=["customer", "manager", "unit", "order", "created_by",
                                    "reverses"], validate_unique=False)
        try:
            with transaction.atomic():
                receipt.save()
        except IntegrityError:  # the same external id posted at the same moment
            if not external_id:
                raise
            return _already_posted(Receipt, external_id, customer.pk)
        _post_receipt(receipt)
        customer_event_record(customer, "payment_received", actor=actor, link=receipt, params={
            "amount": f"¥{amount:,.2f}", "method": str(receipt.get_method_display())})
    return receipt


def _post_receipt(receipt):
    notes = receipt.amount if receipt.method == PaymentMethod.NOTE else ZERO
    _add_facts(day=receipt.received_on, manager_id=receipt.manager_id, unit_id=receipt.unit_id,
               level=receipt.secret_level, customer_id=receipt.customer_id,
               figures={"collections": receipt.amount, "notes": notes,
                        "note_interest": receipt.note_interest},
               collections=receipt.amount)


def receipt_reverse(*, actor, receipt, reason) -> Receipt:
    """Undo a wrong receipt by a reversing one of the opposite amount, dated today (the wrong
    one stays, so every past report can be reproduced)."""
    _require(actor, SALES_MANAGE)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the receipt is reversed.")})
    with transaction.atomic():
        _visible_customer(actor, receipt.customer)
        receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.reverses_id or Receipt.objects.filter(reverses=receipt).exists():
            raise ValidationError(_("This receipt is a reversal or was reversed already."))
        reversal = Receipt.objects.create(
            customer_id=receipt.customer_id, manager_id=receipt.manager_id,
            unit_id=receipt.unit_id, secret_level=receipt.secret_level, order=receipt.order,
            received_on=timezone.localdate(), method=receipt.method, amount=-receipt.amount,
            note_due=receipt.note_due, note_interest=-receipt.note_interest,
            reverses=receipt, note=reason.strip()[:500], created_by=actor)
        _post_receipt(reversal)
    return reversal


# --- costs and targets ---------------------------------------------------------------------------

def cost_post(*, actor, manager, month: date, kind, amount, note="") -> ManagerCost:
    """A manager's cost of a month (a correction is another cost of the opposite amount)."""
    _require(actor, SALES_MANAGE)
    if not visible_users(actor).filter(pk=manager.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        cost = ManagerCost(manager=manager, unit_id=manager.unit_id, month=month_of(month),
                           kind=kind, amount=amount, note=note, created_by=actor)
        cost.full_clean(exclude=["manager", "unit", "created_by"])
        cost.save()
        _add_facts(day=cost.month, manager_id=manager.pk, unit_id=manager.unit_id, level=0,
                   figures={f"cost_{kind}": amount})
    return cost


def targets_set(*, actor, month: date, amounts: dict) -> None:
    """Managers' standard sales of a month (月标准销售额), {manager: amount}, set or changed in
    one transaction; an empty amount leaves a manager's as it is. Only managers in `actor`'s
    scope."""
    _require(actor, SALES_MANAGE)
    allowed = set(visible_users(actor).filter(pk__in=[m.pk for m in amounts])
                  .values_list("pk", flat=True))
    with transaction.atomic():
        for manager, amount in amounts.items():
            if amount is None:
                continue
            if manager.pk not in allowed:
                raise PermissionDenied
            if amount < 0:
                raise ValidationError({"amount": _("Enter an amount of zero or more.")})
            SalesTarget.objects.update_or_create(
                manager=manager, month=month_of(month),
                defaults={"amount": amount, "unit_id": manager.unit_id})


# --- credit --------------------------------------------------------------------------------------

def credit_file_create(*, actor, customer, data: dict) -> CreditFile:
    """A credit investigation (客户信用调查表); the newest one sets the customer's limit."""
    _require(actor, SALES_POST)
    with transaction.atomic():
        customer = _visible_customer(actor, customer)
        credit = CreditFile(customer=customer, investigator=actor, **data)
        credit.full_clean(exclude=["customer", "investigator"])
        authored_by(credit, actor).save()
        customer_event_record(customer, "credit_investigated", actor=actor, link=credit, params={
            "rating": credit.rating, "limit": f"¥{credit.credit_limit:,.2f}"})
    return credit


# --- rebuilding the fact tables ------------------------------------------------------------------

def _sum(expression):
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField(max_digits=18,
                                                                            decimal_places=2))


def _if(condition, value):
    return Case(When(condition, then=value), default=Value(ZERO),
                output_field=DecimalField(max_digits=18, decimal_places=2))


def _manager_rows():
    """Every document's amounts grouped as the fact rows are (month, manager, unit, level)."""
    key = ("month", "manager_id", "unit_id", "secret_level")
    orders = (Order.objects.annotate(month=TruncMonth("ordered_on")).values(*key).annotate(
        order_count=Sum(Value(1), output_field=IntegerField()),
        orders=_sum("amount"), visit_orders=_sum(_if(Q(channel=Channel.VISIT), F("amount"))),
        phone_orders=_sum(_if(Q(channel=Channel.PHONE), F("amount"))),
        new_orders=_sum(_if(Q(customer_kind=CustomerKind.NEW), F("amount"))),
        discounts=_sum("discount"), commissions=_sum("commission"),
        marginal_cost=_sum("marginal_cost")))
    cancelled = (Order.objects.filter(status=OrderStatus.CANCELLED)
                 .annotate(month=TruncMonth("cancelled_on")).values(*key).annotate(
                     cancellations=_sum("amount"), discounts=-_sum("discount"),
                     commissions=-_sum("commission"), marginal_cost=-_sum("marginal_cost")))
    returns = (SalesReturn.objects.annotate(month=TruncMonth("returned_on")).values(*key)
               .annotate(marginal_cost=-_sum(F("quantity") * F("line__unit_cost")),
                         **{f"returns_{reason}": _sum(_if(Q(reason=reason), F("amount")))
                            for reason in ("late", "business", "quality", "other")}))
    receipts = (Receipt.objects.annotate(month=TruncMonth("received_on")).values(*key).annotate(
        collections=_sum("amount"), notes=_sum(_if(Q(method=PaymentMethod.NOTE), F("amount"))),
        note_interest=_sum("note_interest")))
    costs = (ManagerCost.objects.annotate(secret_level=Value(0)).values(*key).annotate(
        **{f"cost_{kind}": _sum(_if(Q(kind=kind), F("amount")))
           for kind in (name.removeprefix("cost_") for name in COST_FIGURES)}))
    return (orders, cancelled, returns, receipts, costs)


def _customer_rows():
    orders = (Order.objects.annotate(month=TruncMonth("ordered_on")).values("month", "customer_id")
              .annotate(net_sales=_sum(F("amount") - F("discount")),
                        marginal_cost=_sum("marginal_cost")))
    cancelled = (Order.objects.filter(status=OrderStatus.CANCELLED)
                 .annotate(month=TruncMonth("cancelled_on")).values("month", "customer_id")
                 .annotate(net_sales=-_sum(F("amount") - F("discount")),
                           marginal_cost=-_sum("marginal_cost")))
    returns = (SalesReturn.objects.annotate(month=TruncMonth("returned_on"))
               .values("month", "customer_id")
               .annotate(net_sales=-_sum("amount"),
                         marginal_cost=-_sum(F("quantity") * F("line__unit_cost"))))
    receipts = (Receipt.objects.annotate(month=TruncMonth("received_on"))
                .values("month", "customer_id").annotate(collections=_sum("amount")))
    return (orders, cancelled, returns, receipts)


PRODUCT_KEY = ("month", "product_id", "manager_id", "unit_id", "secret_level")
PRODUCT_FIGURES = ("quantity", "net_sales", "marginal_cost")


def _product_rows():
    """The lines of orders without a discount grouped as ProductMonth's rows (in their month,
    and back out in the month of their cancellation), and the returns; the lines of discounted
    orders are shared out in Python (`_discounted_lines`), as the postings did."""
    of_order = {"manager_id": F("order__manager_id"), "unit_id": F("order__unit_id"),
                "secret_level": F("order__secret_level")}
    lines = OrderLine.objects.filter(order__discount=0)
    sold = (lines.annotate(month=TruncMonth("order__ordered_on")).values(
        "month", "product_id", **of_order).annotate(  # the cost first: F("quantity") the line's
        marginal_cost=_sum(F("quantity") * F("unit_cost")), net_sales=_sum("amount"),
        quantity=Sum("quantity")))
    cancelled = (lines.filter(order__status=OrderStatus.CANCELLED)
                 .annotate(month=TruncMonth("order__cancelled_on")).values(
                     "month", "product_id", **of_order).annotate(
                     marginal_cost=-_sum(F("quantity") * F("unit_cost")),
                     net_sales=-_sum("amount"), quantity=-Sum("quantity")))
    returns = (SalesReturn.objects.annotate(month=TruncMonth("returned_on"))
               .values("month", "manager_id", "unit_id", "secret_level",
                       product_id=F("line__product_id"))
               .annotate(marginal_cost=-_sum(F("quantity") * F("line__unit_cost")),
                         net_sales=-_sum("amount"), quantity=-Sum("quantity")))
    return (sold, cancelled, returns)


def _discounted_lines(totals: dict) -> None:
    """Add the lines of discounted orders to `totals` (keyed as `_merge`'s), each net of its
    share of the discount, read order by order in the lines' order."""
    lines = (OrderLine.objects.filter(order__discount__gt=0)
             .values_list("order_id", "product_id", "quantity", "amount", "unit_cost",
                          "order__discount", "order__ordered_on", "order__cancelled_on",
                          "order__manager_id", "order__unit_id", "order__secret_level")
             .order_by("order_id", "id"))

    def flush(batch):
        shares = line_discounts(batch[0][5], [row[3] for row in batch])
        for row, share in zip(batch, shares, strict=True):
            for day, sign in ((row[6], 1), (row[7], -1)):
                if day is None:
                    continue
                key = (month_of(day), row[1], row[8], row[9], row[10])
                entry = totals.setdefault(key, dict.fromkeys(PRODUCT_FIGURES, ZERO))
                entry["quantity"] += sign * row[2]
                entry["net_sales"] += sign * (row[3] - share)
                entry["marginal_cost"] += sign * row[2] * row[4]

    batch: list = []
    for row in lines.iterator(chunk_size=5000):
        if batch and row[0] != batch[0][0]:
            flush(batch)
            batch = []
        batch.append(row)
    if batch:
        flush(batch)


def _merge(querysets, key, fields) -> dict:
    totals: dict = {}
    for queryset in querysets:
        for row in queryset.iterator(chunk_size=5000):
            month = row["month"]
            month = month.date() if hasattr(month, "date") else month
            row_key = (month, *(row[k] for k in key[1:]))
            entry = totals.setdefault(row_key, dict.fromkeys(fields, ZERO))
            for name in fields:
                if name in row:
                    entry[name] += row[name]
    return totals


def rebuild() -> dict:
    """Recompute the three fact tables from the documents (`manage.py sales_rebuild`); the result
    must equal what the postings added up. Returns the number of rows of each."""
    manager_key = ("month", "manager_id", "unit_id", "secret_level")
    manager_fields = (*MANAGER_FIGURES, "order_count")
    managers = _merge(_manager_rows(), manager_key, manager_fields)
    customers = _merge(_customer_rows(), ("month", "customer_id"),
                       ("net_sales", "marginal_cost", "collections"))
    products = _merge(_product_rows(), PRODUCT_KEY, PRODUCT_FIGURES)
    _discounted_lines(products)
    with transaction.atomic():
        ManagerMonth.objects.all().delete()
        CustomerMonth.objects.all().delete()
        ProductMonth.objects.all().delete()
        ManagerMonth.objects.bulk_create(
            (ManagerMonth(**dict(zip(manager_key, key, strict=True)),
                          **{**values, "order_count": int(values["order_count"])})
             for key, values in managers.items()), batch_size=2000)
        CustomerMonth.objects.bulk_create(
            (CustomerMonth(month=key[0], customer_id=key[1], **values)
             for key, values in customers.items()), batch_size=2000)
        ProductMonth.objects.bulk_create(
            (ProductMonth(**dict(zip(PRODUCT_KEY, key, strict=True)),
                          **{**values, "quantity": int(values["quantity"])})
             for key, values in products.items()), batch_size=2000)
    return {"managers": len(managers), "customers": len(customers), "products": len(products)}



# --- the monthly sales analysis report (SAL-9) ---------------------------------------------------

REPORT_READY, REPORT_SUBMITTED, REPORT_RETURNED, REPORT_ACCEPTED, REPORT_DUE, REPORT_OVERDUE = (
    "sales_report_ready", "sales_report_submitted", "sales_report_returned",
    "sales_report_accepted", "sales_report_due", "sales_report_overdue")
REMIND_DAYS = 2  # the manager is reminded from this many days before the due date


def register_kinds():
    """Called from the app's ready(): how its inbox messages read."""
    kinds.register(REPORT_READY, title=lambda p: _(
        "Your sales analysis report for %(month)s is ready to write: due %(due)s") % p)
    kinds.register(REPORT_SUBMITTED, title=lambda p: _(
        "%(manager)s submitted the sales analysis report for %(month)s") % p)
    kinds.register(REPORT_RETURNED, title=lambda p: _(
        "Your sales analysis report for %(month)s was returned: %(comment)s") % p)
    kinds.register(REPORT_ACCEPTED, title=lambda p: _(
        "Your sales analysis report for %(month)s was accepted") % p)
    kinds.register(REPORT_DUE, title=lambda p: _(
        "The sales analysis report for %(month)s is due on %(due)s") % p)
    kinds.register(REPORT_OVERDUE, title=lambda p: _(
        "%(manager)s's sales analysis report for %(month)s is overdue (due %(due)s)") % p)


def report_due(month: date) -> date:
    """By the 5th of the next month, moved to the next working day over holidays."""
    following = (month_of(month) + timedelta(days=32)).replace(day=5)
    return calendar.next_working_day(following, including=True)


def _report_url(report) -> str:
    return reverse("sales:report", args=[report.pk])


def _report_params(report) -> dict:
    return {"month": f"{report.month:%Y-%m}", "due": report.due_on.isoformat(),
            "manager": str(report.manager)}


def report_draft(manager, month: date, *, tell=False) -> SalesReport:
    """The manager's report for `month`, created as a draft when it does not exist yet (the
    1st's job, or the manager opening it first), with the forecast suggested from the trend."""
    month = month_of(month)
    report = SalesReport.objects.filter(manager=manager, month=month).first()
    if report is not None:
        return report
    from .selectors import forecast_suggestion

    amount, _text = forecast_suggestion(manager, month)  # the text is shown in the reader's language
    try:
        with transaction.atomic():
            report = SalesReport.objects.create(
                manager=manager, unit_id=manager.unit_id, month=month, due_on=report_due(month),
                forecast_amount=amount)
    except IntegrityError:  # made meanwhile (the job and the manager at once)
        return SalesReport.objects.get(manager=manager, month=month)
    if tell:
        notify(recipients=[manager], kind=REPORT_READY, params=_report_params(report),
               url=_report_url(report), key=f"sales-report-ready-{report.pk}")
    return report


def report_drafts_create(month: date) -> int:
    """On the 1st: a draft for last month for every active account manager who had sales or a
    target in it, each told in the inbox. Returns how many were made or found."""
    from qiao.org.models import User

    month = month_of(month)
    ids = {*ManagerMonth.objects.filter(month=month).values_list("manager_id", flat=True),
           *SalesTarget.objects.filter(month=month).values_list("manager_id", flat=True)}
    managers = User.objects.filter(pk__in=ids, is_active=True).select_related("unit")
    return len([report_draft(manager, month, tell=True) for manager in managers])


REPORT_FIELDS = ("overview", "problems", "opinions", "forecast", "forecast_amount")


def report_save(*, actor, report, data: dict, expected_version: int, submit=False):
    """The manager writes the report (a draft or one returned to them) and, with `submit`,
    hands it in: (b) and (d) must be written; the figures are frozen as they are now; the first
    superior who may review it is told."""
    if actor.pk != report.manager_id:
        raise PermissionDenied
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("This report was submitted; it can be changed only when it is "
                                "returned."))
    changed = {name: data[name] for name in REPORT_FIELDS
               if name in data and data[name] != getattr(report, name)}
    if not changed and not submit:
        if report.version != expected_version:
            raise StaleVersionError.of(report)
        return report  # saved unchanged: nothing is written, not even a version
    for name, value in changed.items():
        setattr(report, name, value)
    if submit:
        missing = {name: _("Write this section before submitting.")
                   for name in ("problems", "forecast") if not (getattr(report, name) or "").strip()}
        if missing:
            raise ValidationError(missing)
    from .selectors import frozen_figures

    with transaction.atomic():
        if submit:
            report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
            report.figures = frozen_figures(report)
        report.full_clean(exclude=["manager", "unit", "reviewer"])
        save_versioned(authored_by(report, actor), expected_version=expected_version)
        if submit:
            reviewer = first_superior(actor, lambda person: can(person, SALES_MANAGE))
            if reviewer is not None:
                notify(recipients=[reviewer], kind=REPORT_SUBMITTED,
                       params=_report_params(report), url=_report_url(report))
    return report


def _decide(actor, document, *, accept: bool, comment: str, expected_version: int, kind: str,
            params: dict, url: str) -> None:
    """A submitted report or plan accepted, or returned with the comment saying what to change
    (required), and its manager told in the inbox."""
    comment = comment.strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Say what should change before returning it.")})
    with transaction.atomic():
        document.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        document.reviewer, document.reviewed_at = actor, timezone.now()
        document.review_comment = comment[:2000]
        save_versioned(authored_by(document, actor), expected_version=expected_version)
        notify(recipients=[document.manager], kind=kind,
               params={**params, "comment": comment[:100]}, url=url)


def report_review(*, actor, report, accept: bool, comment: str, expected_version: int):
    """A supervisor or regional manager who sees the manager accepts the submitted report, or
    returns it with a comment saying what to change."""
    _require(actor, SALES_MANAGE)
    if actor.pk == report.manager_id:
        raise PermissionDenied
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed."))
    _decide(actor, report, accept=accept, comment=comment, expected_version=expected_version,
            kind=REPORT_ACCEPTED if accept else REPORT_RETURNED,
            params=_report_params(report), url=_report_url(report))
    return report


def report_reminders(today: date) -> dict:
    """Every morning: each manager whose report is due within REMIND_DAYS and not handed in is
    reminded once; a report past its due date is reported once to the first superior who may
    review it."""
    waiting = SalesReport.objects.filter(
        status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED)).select_related("manager")
    due = overdue = 0
    for report in waiting.filter(due_on__gte=today, due_on__lte=today + timedelta(days=REMIND_DAYS)):
        due += len(notify(recipients=[report.manager], kind=REPORT_DUE,
                          params=_report_params(report), url=_report_url(report),
                          key=f"sales-report-due-{report.pk}"))
    for report in waiting.filter(due_on__lt=today):
        reviewer = first_superior(report.manager, lambda person: can(person, SALES_MANAGE))
        if reviewer is not None:
            overdue += len(notify(recipients=[reviewer], kind=REPORT_OVERDUE,
                                  params=_report_params(report), url=_report_url(report),
                                  key=f"sales-report-overdue-{report.pk}"))
    return {"due": due, "overdue": overdue}


# --- arrears collection (欠费催缴, CRD-3) -----------------------------------------------------------

DUNNING_ESCALATED = "sales_dunning_escalated"
PROMISE_MAX_DAYS = 366  # a promise further off than a year is not a promise


def register_dunning_kinds():
    kinds.register(DUNNING_ESCALATED, title=lambda p: (
        _("%(customer)s broke a promise to pay %(amount)s by %(due)s (account manager "
          "%(manager)s)") if p.get("reason") == EscalationReason.BROKEN_PROMISE else
        _("%(customer)s has %(amount)s overdue for %(days)s days (account manager %(manager)s)"))
        % p)


def _first_debt_day(customer):
    """The day the customer's first order still counted was placed (no debt before it)."""
    return (Order.objects.filter(customer=customer).exclude(status=OrderStatus.CANCELLED)
            .order_by("ordered_on").values_list("ordered_on", flat=True).first())


def _check_day(field, day, customer, label):
    first = _first_debt_day(customer)
    if first is None:
        raise ValidationError(_("This customer has no orders, so owes nothing to collect."))
    if day < first:
        raise ValidationError({field: _("%(label)s is before the customer's first order "
                                        "(%(first)s), when there was no debt yet.")
                               % {"label": label, "first": first.isoformat()}})


def dunning_record(*, actor, customer, method, acted_on, result, note="", promise_amount=None,
                   promise_due=None) -> DunningAction:
    """Record a dunning action (催缴) on a customer the actor sees: phone, visit, letter or SMS,
    its date (not before the customer's first order, not in the future) and what came of it;
    with `promise_amount` and `promise_due`, the promise to pay the customer made then, in the
    same transaction (both or neither)."""
    _require(actor, SALES_POST)
    result, note = (result or "").strip(), (note or "").strip()
    if not result:
        raise ValidationError({"result": _("Say what came of the dunning.")})
    with transaction.atomic():
        customer = _visible_customer(actor, customer)
        action = DunningAction(customer=customer, method=method, acted_on=acted_on,
                               actor=actor, result=result, note=note)
        action.full_clean(exclude=["customer", "actor"])
        _check_day("acted_on", acted_on, customer, _("The dunning date"))
        authored_by(action, actor).save()
        customer_event_record(customer, "dunning_recorded", actor=actor, link=action, params={
            "method": str(action.get_method_display()), "result": result[:100]})
        if promise_amount is not None or promise_due is not None:
            if promise_amount is None or promise_due is None:
                raise ValidationError(_("A promise to pay needs both its amount and its date."))
            try:
                promise_record(actor=actor, customer=customer, amount=promise_amount,
                               due_on=promise_due, promised_on=acted_on, action=action)
            except ValidationError as exc:  # named as the dunning form's fields
                if not hasattr(exc, "error_dict"):
                    raise
                names = {"amount": "promise_amount", "due_on": "promise_due",
                         "promised_on": "acted_on"}
                raise ValidationError({names.get(name, name): errors for name, errors
                                       in exc.error_dict.items()}) from exc
    return action


def promise_record(*, actor, customer, amount, due_on, promised_on=None, note="",
                   action=None) -> PaymentPromise:
    """Record the customer's promise to pay (承诺付款) `amount` by `due_on`: more than zero and at
    most what the customer owes now, due on or after the day promised and within a year."""
    from .selectors import customer_receivable

    _require(actor, SALES_POST)
    promised_on = promised_on or timezone.localdate()
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Enter an amount greater than zero.")})
    with transaction.atomic():
        customer = _visible_customer(actor, customer)
        promise = PaymentPromise(customer=customer, promised_on=promised_on, due_on=due_on,
                                 amount=amount, note=(note or "").strip(), created_by=actor,
                                 action=action)
        promise.full_clean(exclude=["customer", "created_by", "action"])
        _check_day("promised_on", promised_on, customer, _("The date promised"))
        if due_on < promised_on:
            raise ValidationError({"due_on": _("The promised payment date is on or after the "
                                               "day the promise was made.")})
        if (due_on - promised_on).days > PROMISE_MAX_DAYS:
            raise ValidationError({"due_on": _("The promised payment date is at most a year "
                                               "after the day the promise was made.")})
        owed = customer_receivable(customer)
        if amount > owed:
            raise ValidationError({"amount": _("The customer owes %(owed)s; a promise cannot be "
                                               "for more.") % {"owed": f"¥{owed:,.2f}"}})
        authored_by(promise, actor).save()
        customer_event_record(customer, "payment_promised", actor=actor, link=promise, params={
            "amount": f"¥{amount:,.2f}", "due": due_on.isoformat()})
    return promise


def _paid_towards(promises) -> dict:
    """{promise id: receipts of its customer from the day promised to its date} (one query)."""
    from django.db.models import OuterRef, Subquery

    paid = (Receipt.objects.filter(customer_id=OuterRef("customer_id"),
                                   received_on__gte=OuterRef("promised_on"),
                                   received_on__lte=OuterRef("due_on"))
            .values("customer_id").annotate(total=Sum("amount")).values("total"))
    return {pk: (total or ZERO) for pk, total in PaymentPromise.objects.filter(
        pk__in=[p.pk for p in promises]).annotate(
        total=Subquery(paid, output_field=DecimalField(max_digits=18, decimal_places=2)))
        .values_list("pk", "total")}


def _escalate(customer, *, reason, overdue, days, today, promise=None) -> bool:
    """Write the escalation and tell the account manager's first superior holding
    sales.manage (once: the escalation's row is the dedupe)."""
    manager = customer.owner
    boss = first_superior(manager, lambda person: can(person, SALES_MANAGE)) \
        if manager is not None else None
    try:
        with transaction.atomic():
            escalation = ArrearsEscalation.objects.create(
                customer=customer, reason=reason, promise=promise, overdue=max(overdue, ZERO),
                days=max(days, 0), escalated_on=today, escalated_to=boss)
    except IntegrityError:  # escalated already (a repeated run)
        return False
    if boss is not None:
        params = {"customer": customer.name, "manager": str(manager), "reason": reason,
                  "amount": f"¥{(promise.amount if promise else overdue):,.2f}",
                  "due": promise.due_on.isoformat() if promise else "", "days": days}
        notify(recipients=[boss], kind=DUNNING_ESCALATED, params=params,
               url=reverse("customers:detail_tab", args=[customer.pk, "sales"]),
               key=f"sales-escalation-{escalation.pk}")
    return True


def escalate_days() -> int:
    return int(getattr(settings, "QIAO_DUNNING_ESCALATE_DAYS", 90))


def dunning_daily(today=None) -> dict:
    """The worker's daily pass, safe to repeat: settles the open promises (kept once the
    receipts from the day promised reach the amount by the date; broken once the date has passed
    short of it), escalates each broken promise and each customer with a debt overdue more than
    `QIAO_DUNNING_ESCALATE_DAYS` days, and closes the escalations of customers with nothing
    overdue any more."""
    from .selectors import ageing_of, latest_credit_files

    today = today or timezone.localdate()
    counts = {"kept": 0, "broken": 0, "escalated": 0, "closed": 0}
    open_promises = list(PaymentPromise.objects.filter(status=PromiseStatus.OPEN)
                         .select_related("customer__owner"))
    paid = _paid_towards(open_promises)
    for promise in open_promises:
        total = paid.get(promise.pk, ZERO)
        if total >= promise.amount:
            status = PromiseStatus.KEPT
        elif promise.due_on < today:
            status = PromiseStatus.BROKEN
        else:
            continue
        with transaction.atomic():
            changed = PaymentPromise.objects.filter(pk=promise.pk, status=PromiseStatus.OPEN) \
                .update(status=status, paid=min(total, promise.amount), settled_on=today)
            if not changed:
                continue
            counts[status] += 1
            customer_event_record(promise.customer, "promise_settled", link=promise, params={
                "amount": f"¥{promise.amount:,.2f}", "due": promise.due_on.isoformat(),
                "status": str(PromiseStatus(status).label)})
            if status == PromiseStatus.BROKEN:
                from .selectors import customer_credit

                overdue = customer_credit(promise.customer, today=today)["overdue"]
                counts["escalated"] += _escalate(
                    promise.customer, reason=EscalationReason.BROKEN_PROMISE, overdue=overdue,
                    days=(today - promise.due_on).days, today=today, promise=promise)
    owing = list(CustomerMonth.objects.values("customer_id")
                 .annotate(balance=Sum(F("net_sales") - F("collections")))
                 .filter(balance__gt=0).values_list("customer_id", flat=True))
    files = latest_credit_files(owing)
    ageing = ageing_of(owing, files, today)
    limit = escalate_days()
    late = {pk: row for pk, row in ageing.items() if row["oldest_days"] > limit}
    escalated = set(ArrearsEscalation.objects.filter(
        reason=EscalationReason.OVERDUE, closed_on__isnull=True).values_list("customer_id",
                                                                            flat=True))
    for customer in Customer.objects.filter(pk__in=set(late) - escalated).select_related("owner"):
        row = late[customer.pk]
        with transaction.atomic():
            counts["escalated"] += _escalate(customer, reason=EscalationReason.OVERDUE,
                                             overdue=row["overdue"], days=row["oldest_days"],
                                             today=today)
    still_overdue = {pk for pk, row in ageing.items() if row["overdue"] > 0}
    counts["closed"] = (ArrearsEscalation.objects.filter(closed_on__isnull=True)
                        .exclude(customer_id__in=still_overdue).update(closed_on=today))
    return counts


# --- annual targets (年度销售目标分解, seed 001 第13条) and personal plans (seed 002 篇3) ------------

PLAN_SUBMITTED = "sales_plan_submitted"
PLAN_RETURNED = "sales_plan_returned"
PLAN_ACCEPTED = "sales_plan_accepted"


def register_plan_kinds():
    """Called from the app's ready(): how the plan's inbox messages read."""
    kinds.register(PLAN_SUBMITTED, title=lambda p: _(
        "%(manager)s submitted the personal sales plan for %(year)s") % p)
    kinds.register(PLAN_RETURNED, title=lambda p: _(
        "Your personal sales plan for %(year)s was returned: %(comment)s") % p)
    kinds.register(PLAN_ACCEPTED, title=lambda p: _(
        "Your personal sales plan for %(year)s was accepted") % p)


def split_children_kind(unit) -> str | None:
    """What a unit's target is split to: the company's (or a department's) to the regions, a
    region's to its teams, a team's to its account managers ("manager")."""
    if unit.kind in (OrgUnit.Kind.COMPANY, OrgUnit.Kind.DEPARTMENT):
        return OrgUnit.Kind.REGION
    if unit.kind == OrgUnit.Kind.REGION:
        return OrgUnit.Kind.TEAM
    if unit.kind == OrgUnit.Kind.TEAM:
        return "manager"
    return None


def child_units(unit, units) -> list:
    """The regions (or teams) below `unit` among `units`, in the tree's order."""
    kind = split_children_kind(unit)
    return [u for u in units if u.kind == kind and u.path.startswith(unit.path) and u.pk != unit.pk]


def team_managers(team_ids):
    """The account managers of the teams: active staff there who sell (sales.post) and do not
    manage (sales.manage) — a team's supervisor is not given a share of it."""
    return (User.objects.filter(unit_id__in=team_ids, is_active=True)
            .filter(holds_action_q(SALES_POST, "position__role__"))
            .exclude(holds_action_q(SALES_MANAGE, "position__role__"))
            .order_by("username"))


def may_split(user, unit) -> bool:
    """Whether `user` splits `unit`'s target to the level below: the director everywhere, a
    regional manager (or department manager) within their unit tree, a supervisor the team
    they head — each within their own scope."""
    if not can(user, SALES_MANAGE) or split_children_kind(unit) is None:
        return False
    if sees_everything(user) or unit.manager_id == user.pk:
        return True
    kind, ids = resolved_scope(user)
    return kind == "units" and unit.pk in ids


def _target_of(year, unit) -> AnnualTarget | None:
    return AnnualTarget.objects.filter(year=year, unit=unit, manager__isnull=True).first()


def annual_target_set(*, actor, year: int, unit, amount) -> AnnualTarget:
    """The company's target for a year, set by a user holding sales.manage over everything."""
    _require(actor, SALES_MANAGE)
    if not sees_everything(actor) or unit.kind != OrgUnit.Kind.COMPANY:
        raise PermissionDenied
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("Enter an amount of zero or more.")})
    with transaction.atomic():
        target, _created = AnnualTarget.objects.update_or_create(
            year=year, unit=unit, manager=None, defaults={"amount": amount, "set_by": actor})
    return target


def annual_split(*, actor, year: int, unit, amounts: dict) -> list[AnnualTarget]:
    """Split `unit`'s target for the year to the level below: {child unit or manager: amount}.
    Every child gets an amount, and they add up to the unit's target to the cent; refused
    otherwise, saying by how much they miss. Rows already as given are left alone."""
    if not may_split(actor, unit):
        raise PermissionDenied
    parent = _target_of(year, unit)
    if parent is None:
        raise ValidationError(_("%(unit)s has no target for %(year)s to split yet.")
                              % {"unit": unit, "year": year})
    kind = split_children_kind(unit)
    if kind == "manager":
        expected = {m.pk: m for m in team_managers([unit.pk])}
    else:
        expected = {u.pk: u for u in child_units(unit, OrgUnit.objects.filter(
            path__startswith=unit.path))}
    given = {child.pk: amount for child, amount in amounts.items()}
    if set(given) != set(expected):
        raise ValidationError(_("The split must give an amount to each of the units or managers "
                                "below, and to no one else."))
    if any(amount is None or amount < 0 for amount in given.values()):
        raise ValidationError(_("Enter an amount of zero or more for each share."))
    total = sum(given.values(), ZERO)
    if total != parent.amount:
        raise ValidationError(_(
            "The shares add up to %(total)s, not the target of %(target)s: %(difference)s "
            "%(way)s.") % {
            "total": f"¥{total:,.2f}", "target": f"¥{parent.amount:,.2f}",
            "difference": f"¥{abs(total - parent.amount):,.2f}",
            "way": _("too much") if total > parent.amount else _("short")})
    saved = []
    with transaction.atomic():
        for pk, amount in given.items():
            if kind == "manager":
                key = {"year": year, "manager_id": pk}
                defaults = {"amount": amount, "unit": unit, "set_by": actor}
            else:
                key = {"year": year, "unit_id": pk, "manager": None}
                defaults = {"amount": amount, "set_by": actor}
            row = AnnualTarget.objects.filter(**key).first()
            if row is not None and row.amount == amount and (kind != "manager"
                                                             or row.unit_id == unit.pk):
                saved.append(row)
                continue
            row, _created = AnnualTarget.objects.update_or_create(**key, defaults=defaults)
            saved.append(row)
    return saved


def proportional(total: Decimal, weights: list) -> list[Decimal]:
    """`total` shared in proportion to `weights` (evenly when they are all zero or less), each
    share rounded half up to the cent and the last taking the rounding, so they add up
    exactly; negative weights count as zero."""
    weights = [max(Decimal(w or 0), ZERO) for w in weights]
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole <= 0:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    shares = [round_half_up(total * w / whole) for w in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]


def seasonal_weights(manager, year: int) -> list | None:
    """The manager's net sales of each calendar month over the two years before `year`, when
    both years have net sales (the seasonal index's simple-average method, seed 001 第21条);
    None otherwise."""
    from .selectors import derive, month_sums

    rows = month_sums(ManagerMonth.objects.filter(
        manager=manager, month__gte=date(year - 2, 1, 1), month__lte=date(year - 1, 12, 1)))
    by_month = {(m.year, m.month): derive(row)["net_sales"] for m, row in rows.items()}
    years = [sum((by_month.get((y, m), ZERO) for m in range(1, 13)), ZERO)
             for y in (year - 2, year - 1)]
    if any(total <= 0 for total in years):
        return None
    return [by_month.get((year - 2, m), ZERO) + by_month.get((year - 1, m), ZERO)
            for m in range(1, 13)]


def spread_of(manager, year: int, amount: Decimal) -> tuple[list[Decimal], bool]:
    """The annual target spread to the 12 months (and whether by the seasonal index)."""
    weights = seasonal_weights(manager, year)
    return proportional(amount, weights or [1] * 12), weights is not None


class SpreadNeedsConfirmation(ValidationError):
    """Months of the year already have targets that the spread would change."""


def annual_spread(*, actor, year: int, manager, confirm=False) -> list[SalesTarget]:
    """The manager's annual target spread to the months as their standard sales (SalesTarget),
    by the seasonal index when two years of history exist, else evenly; months already set to
    other amounts (edited on the targets page) are overwritten only with `confirm`."""
    _require(actor, SALES_MANAGE)
    if not visible_users(actor).filter(pk=manager.pk).exists():
        raise PermissionDenied
    target = AnnualTarget.objects.filter(year=year, manager=manager).first()
    if target is None:
        raise ValidationError(_("%(manager)s has no annual target for %(year)s to spread.")
                              % {"manager": manager, "year": year})
    amounts, _seasonal = spread_of(manager, year, target.amount)
    months = [date(year, m, 1) for m in range(1, 13)]
    existing = dict(SalesTarget.objects.filter(manager=manager, month__in=months)
                    .values_list("month", "amount"))
    differing = [m for m, amount in zip(months, amounts, strict=True)
                 if m in existing and existing[m] != amount]
    if differing and not confirm:
        raise SpreadNeedsConfirmation(_(
            "%(count)s months of %(year)s already have other targets; confirm to overwrite "
            "them.") % {"count": len(differing), "year": year})
    saved = []
    with transaction.atomic():
        for month, amount in zip(months, amounts, strict=True):
            if existing.get(month) == amount:
                continue
            row, _created = SalesTarget.objects.update_or_create(
                manager=manager, month=month,
                defaults={"amount": amount, "unit_id": manager.unit_id})
            saved.append(row)
    return saved


def _plan_url(plan) -> str:
    return reverse("sales:plan", args=[plan.pk])


def _plan_params(plan) -> dict:
    return {"year": str(plan.year), "manager": str(plan.manager)}


def plan_open(manager, year: int) -> SalesPlan:
    """The manager's plan for the year, made as an empty draft the first time it is opened."""
    plan = SalesPlan.objects.filter(manager=manager, year=year).first()
    if plan is not None:
        return plan
    try:
        with transaction.atomic():
            return SalesPlan.objects.create(manager=manager, unit_id=manager.unit_id, year=year)
    except IntegrityError:
        return SalesPlan.objects.get(manager=manager, year=year)


PLAN_FIELDS = (*QUARTERS, "summary")
MEASURE_FIELDS = ("text", "due_on", "status")


def _measure_rows(plan) -> list[tuple]:
    return [tuple(row) for row in plan.measures.order_by("due_on", "id")
            .values_list(*MEASURE_FIELDS)]


def plan_save(*, actor, plan, data: dict, measures: list[dict], expected_version: int,
              submit=False) -> SalesPlan:
    """The manager writes the plan (a draft, or one returned to them): the quarters' planned
    net sales, how they will reach the target, and the measures (each a text, a due date and
    a status; an empty text drops it). With `submit`: the quarters must add up to the annual
    target when there is one, and at least one measure be given; the first superior holding
    sales.manage is told."""
    if actor.pk != plan.manager_id:
        raise PermissionDenied
    if plan.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("This plan was submitted; it can be changed only when it is "
                                "returned."))
    rows = [(m["text"].strip(), m["due_on"], m.get("status") or MeasureStatus.OPEN)
            for m in measures if (m.get("text") or "").strip()]
    for text, due_on, _status in rows:
        if due_on is None:
            raise ValidationError(_("Give the measure “%(measure)s” a due date.")
                                  % {"measure": text})
    changed = {name: data[name] for name in PLAN_FIELDS
               if name in data and data[name] != getattr(plan, name)}
    measures_changed = sorted(rows, key=lambda r: (r[1], r[0])) != sorted(
        _measure_rows(plan), key=lambda r: (r[1], r[0]))
    if not changed and not measures_changed and not submit:
        if plan.version != expected_version:
            raise StaleVersionError.of(plan)
        return plan  # saved unchanged: nothing is written
    for name, value in changed.items():
        setattr(plan, name, value)
    if submit:
        if not rows:
            raise ValidationError(_("Give at least one measure before submitting."))
        target = AnnualTarget.objects.filter(year=plan.year, manager_id=plan.manager_id).first()
        if target is not None and plan.planned != target.amount:
            raise ValidationError(_(
                "The quarters add up to %(planned)s, not the annual target of %(target)s.") % {
                "planned": f"¥{plan.planned:,.2f}", "target": f"¥{target.amount:,.2f}"})
    with transaction.atomic():
        if submit:
            plan.status, plan.submitted_at = ReportStatus.SUBMITTED, timezone.now()
        plan.full_clean(exclude=["manager", "unit", "reviewer"])
        save_versioned(authored_by(plan, actor), expected_version=expected_version)
        if measures_changed:
            plan.measures.all().delete()
            PlanMeasure.objects.bulk_create(
                [PlanMeasure(plan=plan, text=text[:300], due_on=due_on, status=status)
                 for text, due_on, status in rows])
        if submit:
            reviewer = first_superior(actor, lambda person: can(person, SALES_MANAGE))
            if reviewer is not None:
                notify(recipients=[reviewer], kind=PLAN_SUBMITTED, params=_plan_params(plan),
                       url=_plan_url(plan))
    return plan


def _reviews(actor, plan):
    _require(actor, SALES_MANAGE)
    if actor.pk == plan.manager_id or not SalesPlan.objects.visible_to(actor).filter(
            pk=plan.pk).exists():
        raise PermissionDenied


def plan_review(*, actor, plan, accept: bool, comment: str, expected_version: int) -> SalesPlan:
    """A superior who sees the manager accepts the submitted plan or returns it with a comment."""
    _reviews(actor, plan)
    if plan.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted plan can be reviewed."))
    _decide(actor, plan, accept=accept, comment=comment, expected_version=expected_version,
            kind=PLAN_ACCEPTED if accept else PLAN_RETURNED, params=_plan_params(plan),
            url=_plan_url(plan))
    return plan


def plan_margin_set(*, actor, plan, min_margin, expected_version: int) -> SalesPlan:
    """The minimum gross margin rate (%) the manager must keep (seed 003 篇六), set by a
    superior who sees them, whatever the plan's status; empty: none."""
    _reviews(actor, plan)
    if min_margin == plan.min_margin:
        if plan.version != expected_version:
            raise StaleVersionError.of(plan)
        return plan
    plan.min_margin = min_margin
    with transaction.atomic():
        plan.full_clean(exclude=["manager", "unit", "reviewer"])
        save_versioned(authored_by(plan, actor), expected_version=expected_version)
    return plan


# --- price lists (价目表) ---------------------------------------------------------------------

PRICE_LIST_FIELDS = ("name", "valid_from", "valid_to", "grade", "channel", "active", "note")


def _price_lines(lines: list[dict]) -> list[PriceListLine]:
    """The price list's unsaved lines ({product, price, min_quantity}), checked: each product
    on sale, each product and quantity once, each price and quantity in its range."""
    built, seen = [], set()
    for line in lines:
        product, quantity = line["product"], line.get("min_quantity") or 1
        if not product.active:
            raise ValidationError(_("%(product)s is no longer on sale.") % {"product": product})
        if (product.pk, quantity) in seen:
            raise ValidationError(_("%(product)s is priced twice from %(quantity)s units: keep "
                                    "one line.") % {"product": product, "quantity": quantity})
        seen.add((product.pk, quantity))
        row = PriceListLine(product=product, price=line["price"], min_quantity=quantity)
        try:
            row.full_clean(exclude=["price_list", "product"], validate_constraints=False)
        except ValidationError as error:
            raise ValidationError(f"{product}: {' '.join(error.messages)}") from None
        built.append(row)
    return built


def _overlapping(price_list) -> PriceList | None:
    """Another list in use for the same grade and channel whose days meet `price_list`'s."""
    if not price_list.active:
        return None
    others = PriceList.objects.filter(active=True, grade_id=price_list.grade_id,
                                      channel=price_list.channel).exclude(pk=price_list.pk)
    if price_list.valid_to is not None:
        others = others.filter(valid_from__lte=price_list.valid_to)
    return (others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=price_list.valid_from))
            .order_by("valid_from").first())


def price_list_save(*, actor, price_list, data: dict, lines: list[dict]) -> PriceList:
    """Create (`price_list` None) or change a price list and its lines ({product, price,
    min_quantity}), by someone holding sales.manage. Refused: dates out of order, a product not
    on sale or priced twice for the same quantity, a list without lines, and a list in use whose
    days meet those of another in use for the same grade and channel (which would price the same
    order line twice). Saved unchanged, nothing is written."""
    _require(actor, SALES_MANAGE)
    built = _price_lines(lines)
    if not built:
        raise ValidationError(_("A price list needs at least one product line."))
    price_list = price_list or PriceList(created_by=actor)
    changed = {name: data[name] for name in PRICE_LIST_FIELDS
               if name in data and data[name] != getattr(price_list, name)}
    before = ([] if price_list.pk is None else
              sorted(price_list.lines.values_list("product_id", "price", "min_quantity")))
    after = sorted((line.product_id, line.price, line.min_quantity) for line in built)
    if price_list.pk is not None and not changed and before == after:
        return price_list
    for name, value in changed.items():
        setattr(price_list, name, value)
    if price_list.valid_to is not None and price_list.valid_to < price_list.valid_from:
        raise ValidationError({"valid_to": _("The list ends on or after the day it starts.")})
    price_list.full_clean(exclude=["grade", "created_by"])
    with transaction.atomic():
        # The lists in use for this grade and channel locked: two changed at once cannot both
        # pass the check (two first lists of a grade and channel saved at once still could).
        list(PriceList.objects.select_for_update().filter(pk__in=PriceList.objects.filter(
            active=True, grade_id=price_list.grade_id, channel=price_list.channel)
            .values("pk")))
        clash = _overlapping(price_list)
        if clash is not None:
            raise ValidationError(_(
                "“%(other)s” already prices this grade and channel from %(start)s to %(end)s: "
                "end one list before the other starts, or stop using it.") % {
                "other": clash.name, "start": clash.valid_from.isoformat(),
                "end": clash.valid_to.isoformat() if clash.valid_to else _("further notice")})
        authored_by(price_list, actor).save()
        if before != after:
            price_list.lines.all().delete()
            for line in built:
                line.price_list = price_list
            PriceListLine.objects.bulk_create(built)
    return price_list
