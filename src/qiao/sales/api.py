"""REST API of sales and credit (SAL, CRD): what an ERP posts and what a dashboard reads, through
the pages' selectors and services. Reading needs sales.view, posting sales.post (refused → 404);
a customer outside your scope is 404, as on the pages. Orders, returns and receipts carry the
ERP's `external_id`: posting one again returns the first (200) instead of a second (201)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from qiao.core.api import (
    MAX_ID,
    DateText,
    Input,
    PageQuery,
    QueryInput,
    RecordId,
    Ref,
    UserRef,
    error_responses,
    page_of,
    paged,
    record_id,
)
from qiao.customers.selectors import customer_get
from qiao.org.api_access import check
from qiao.org.scope import visible_users

from . import bonus, selectors, services
from .actions import SALES_POST, SALES_VIEW
from .models import (
    MAX_QUANTITY,
    BonusKind,
    BonusStatus,
    Channel,
    DunningMethod,
    Order,
    OrderStatus,
    PaymentMethod,
    Product,
    PromiseStatus,
    Receipt,
    ReturnReason,
    SalesReturn,
)

router = Router(tags=["sales and credit"])

Amount = Field(..., gt=0, max_digits=14, decimal_places=2, description="CNY, two decimals.")
ExternalId = Field(None, min_length=1, max_length=64,
                   description="The ERP's own number: a repeat returns what was posted first.")


# --- output ----------------------------------------------------------------------------------

class OrderLineOut(Schema):
    id: int
    product_code: str = Field(alias="product.code")
    product_name: str = Field(alias="product.name")
    quantity: int
    price: Decimal
    list_price: Decimal | None = Field(description="The price list's price (else the product's "
                                                   "list price) when it was posted; null on "
                                                   "lines posted before price lists.")
    amount: Decimal
    returned: int


class OrderItem(Schema):
    id: int
    number: str = Field(description="XS and the id in eight digits.")
    external_id: str | None
    customer: Ref
    manager: UserRef = Field(description="Who the order is credited to.")
    ordered_on: date
    channel: str
    customer_kind: str = Field(description="new: the customer's first order; fixed: later ones.")
    amount: Decimal
    discount: Decimal
    commission: Decimal
    status: str
    delivered_on: date | None
    cancelled_on: date | None


class OrderOut(OrderItem):
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(selectors.order_lines(obj))


class ReturnOut(Schema):
    id: int
    external_id: str | None
    order: int = Field(alias="line.order_id")
    line: int = Field(alias="line_id")
    quantity: int
    amount: Decimal
    reason: str
    returned_on: date


class ReceiptOut(Schema):
    id: int
    external_id: str | None
    customer: Ref
    manager: UserRef
    order: int | None = Field(alias="order_id")
    received_on: date
    method: str
    amount: Decimal
    note_due: date | None
    note_interest: Decimal = Field(description="A note's gain (+) or loss (−) against 60 days "
                                               "from shipment.")


class FiguresOut(Schema):
    month: date
    order_count: int
    orders: Decimal
    cancellations: Decimal
    returns: Decimal
    discounts: Decimal
    commissions: Decimal
    net_sales: Decimal = Field(description="Orders − cancellations − returns − discounts.")
    marginal_cost: Decimal
    gross_margin: Decimal
    collections: Decimal = Field(description="Received in the month, notes included.")
    notes: Decimal
    note_interest: Decimal
    costs: Decimal
    net_profit: Decimal
    receivable: Decimal = Field(description="At the month's end.")
    target: Decimal
    completion: Decimal | None = Field(description="Net sales ÷ target, in per cent.")


class AgeingOut(Schema):
    current: Decimal = Field(description="Not yet due.")
    overdue: Decimal
    d30: Decimal = Field(description="1–30 days overdue.")
    d60: Decimal
    d90: Decimal
    over: Decimal = Field(description="More than 90 days overdue.")
    oldest_days: int


class CreditFileOut(Schema):
    investigated_on: date
    rating: str
    score: int
    terms: str
    credit_limit: Decimal
    term_days: int
    guaranteed: bool


class CreditOut(Schema):
    customer: int
    file: CreditFileOut | None = Field(description="The latest credit investigation.")
    receivable: Decimal
    available: Decimal | None = Field(description="Limit − receivable; none without a file.")
    ageing: AgeingOut


# --- input -----------------------------------------------------------------------------------

class OrderLineIn(Input):
    product: str = Field(..., max_length=30, description="A product code.")
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2,
                                  description="Empty: the price list's price for the "
                                              "customer, day, channel and quantity, else the "
                                              "product's list price.")


class OrderIn(Input):
    customer: RecordId = Field(..., description="Id of one of the customers you see.")
    ordered_on: date
    channel: Literal[tuple(Channel.values)] = Channel.PHONE.value
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=50)
    discount: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    commission: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=500)
    external_id: str | None = ExternalId


BATCH_MAX = 500


class OrderBatchEntry(OrderIn):
    ordered_on: DateText
    external_id: str = Field(..., min_length=1, max_length=64,
                             description="The ERP's own number: required in a batch, so that "
                                         "sending it again posts nothing twice.")


class OrderBatchIn(Input):
    orders: list[OrderBatchEntry] = Field(..., min_length=1, max_length=BATCH_MAX)


class OrderBatchResult(Schema):
    external_id: str
    status: Literal["created", "existing", "refused"] = Field(
        description="created now; existing: posted before under this external id; refused: "
                    "nothing posted, `error` says why.")
    order: OrderItem | None
    error: str


class OrderBatchOut(Schema):
    created: int
    existing: int
    refused: int
    results: list[OrderBatchResult] = Field(description="One per order sent, in its order.")


class OrderStepIn(Input):
    action: Literal["deliver", "cancel"]
    on: date = Field(..., description="The delivery or cancellation date.")
    reason: str = Field("", max_length=200, description="cancel: why.")


class ReturnIn(Input):
    line: RecordId = Field(..., description="Id of a delivered order line.")
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)
    reason: Literal[tuple(ReturnReason.values)]
    returned_on: date
    note: str = Field("", max_length=500)
    external_id: str | None = ExternalId


class ReceiptIn(Input):
    customer: RecordId
    amount: Decimal = Amount
    method: Literal[tuple(PaymentMethod.values)]
    received_on: date
    note_due: date | None = Field(None, description="A promissory note's due date.")
    order: int | None = Field(None, ge=1, le=MAX_ID, description="The order it pays.")
    note: str = Field("", max_length=500)
    external_id: str | None = ExternalId


class OrderQuery(PageQuery):
    q: str = Field("", max_length=100, description="An order number, an external id or words "
                                                   "of the customer's name.")
    status: Literal[("all", *OrderStatus.values)] = "all"
    channel: Literal[("all", *Channel.values)] = "all"


class FiguresQuery(QueryInput):
    month: date = Field(..., description="Any day of the month.")
    manager: int | None = Field(None, ge=1, le=MAX_ID,
                                description="One account manager you see; none: all you see.")


# --- helpers ---------------------------------------------------------------------------------

def _plausible(day: date, field: str):
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValidationError({field: "Enter a date from 2000 to 2100."})


def _products(codes) -> dict:
    return {product.code: product for product in Product.objects.filter(code__in=set(codes))}


def _lines(lines: list[OrderLineIn], products: dict) -> list:
    """order_post's lines: (product, quantity, price or None)."""
    missing = sorted({line.product for line in lines} - set(products))
    if missing:
        raise ValidationError({"lines": f"No product has the code {missing[0]!r}."})
    return [(products[line.product], line.quantity, line.price) for line in lines]


def _batch_entry(entry: OrderBatchEntry, products: dict) -> dict:
    """order_post's arguments for one order of a batch (ValidationError: refused)."""
    _plausible(entry.ordered_on, "ordered_on")
    return {"customer_id": entry.customer, "ordered_on": entry.ordered_on,
            "channel": entry.channel, "discount": entry.discount,
            "commission": entry.commission, "note": entry.note,
            "external_id": entry.external_id,
            "lines": _lines(entry.lines, products)}


def _posted(model, external_id, post):
    """201 with what `post()` made, or 200 with what the same external id posted first."""
    if external_id and model.objects.filter(external_id=external_id).exists():
        return 200, post()
    return 201, post()


# --- reads -----------------------------------------------------------------------------------

@router.get("/orders", response={200: paged(OrderItem), **error_responses()})
def order_list(request, query: Query[OrderQuery]):
    """The orders of the customers you see, newest first, with the list page's filters."""
    check(request, SALES_VIEW)
    rows = selectors.order_list(request.auth, q=query.q.strip(),
                                status="" if query.status == "all" else query.status,
                                channel="" if query.channel == "all" else query.channel)
    return page_of(rows, query, searched=bool(query.q.strip()))


# Before /orders/{order_id}, which would take "batch" for an order id.
@router.post("/orders/batch", response={200: OrderBatchOut, **error_responses(413)})
def order_batch(request, payload: OrderBatchIn):
    """Post up to 500 orders at once (an ERP's day), each as `POST /orders` would, with its
    `external_id` required: each is created, found posted before, or refused with its reason
    (nothing of it posted) — the others are posted all the same. Send a batch again after a
    failure: what was posted is answered `existing`."""
    check(request, SALES_POST)
    products = _products(line.product for entry in payload.orders for line in entry.lines)
    entries, refusals = [], {}
    for index, entry in enumerate(payload.orders):
        try:
            entries.append(_batch_entry(entry, products))
        except ValidationError as error:
            refusals[index] = " ".join(error.messages)
    posted = iter(services.orders_post_batch(actor=request.auth, entries=entries))
    results = []
    for index, entry in enumerate(payload.orders):
        status, order, error = ((services.BATCH_REFUSED, None, refusals[index])
                                if index in refusals else next(posted))
        results.append({"external_id": entry.external_id, "status": status, "order": order,
                        "error": error})
    return {**{status: sum(1 for result in results if result["status"] == status)
               for status in (services.BATCH_CREATED, services.BATCH_EXISTING,
                              services.BATCH_REFUSED)},
            "results": results}


@router.get("/orders/{order_id}", response={200: OrderOut, **error_responses()})
def order_detail(request, order_id: int = record_id()):
    check(request, SALES_VIEW)
    return selectors.order_get(request.auth, order_id)


@router.get("/receipts", response={200: paged(ReceiptOut), **error_responses()})
def receipt_list(request, query: Query[PageQuery]):
    """The receipts of the customers you see, newest first (reversals are negative)."""
    check(request, SALES_VIEW)
    return page_of(selectors.receipt_list(request.auth), query)


@router.get("/figures", response={200: FiguresOut, **error_responses()})
def figures(request, query: Query[FiguresQuery]):
    """A month's figures (SAL-3…SAL-6) over what you see, or one manager's."""
    check(request, SALES_VIEW)
    _plausible(query.month, "month")
    manager = None
    if query.manager is not None:
        manager = visible_users(request.auth).filter(pk=query.manager).first()
        if manager is None:
            raise Http404
    return selectors.figures(request.auth, query.month, manager=manager)


@router.get("/credit/{customer_id}", response={200: CreditOut, **error_responses()})
def credit(request, customer_id: int = record_id()):
    """A customer's credit: the latest investigation, the receivable and its ageing."""
    check(request, SALES_VIEW)
    customer = customer_get(request.auth, customer_id)
    result = selectors.customer_credit(customer)
    return {**result, "customer": customer.pk}


# --- writes ----------------------------------------------------------------------------------

@router.post("/orders", response={200: OrderOut, 201: OrderOut, **error_responses(413)})
def order_create(request, payload: OrderIn):
    """Post an order for one of the customers you see, credited to its account manager; an
    order over the credit limit or from a customer with overdue debt is refused (400)."""
    check(request, SALES_POST)
    user = request.auth
    _plausible(payload.ordered_on, "ordered_on")
    customer = customer_get(user, payload.customer)
    lines = _lines(payload.lines, _products(line.product for line in payload.lines))
    status, order = _posted(Order, payload.external_id, lambda: services.order_post(
        actor=user, customer=customer, lines=lines, ordered_on=payload.ordered_on,
        channel=payload.channel, discount=payload.discount, commission=payload.commission,
        note=payload.note, external_id=payload.external_id))
    return Status(status, selectors.order_get(user, order.pk))


@router.post("/orders/{order_id}/transition", response={200: OrderOut, **error_responses()})
def order_transition(request, payload: OrderStepIn, order_id: int = record_id()):
    """deliver (dates the shipment) or cancel (before delivery, with `reason`)."""
    check(request, SALES_POST)
    user = request.auth
    _plausible(payload.on, "on")
    order = selectors.order_get(user, order_id)
    if payload.action == "deliver":
        services.order_deliver(actor=user, order=order, delivered_on=payload.on)
    else:
        services.order_cancel(actor=user, order=order, cancelled_on=payload.on,
                              reason=payload.reason)
    return selectors.order_get(user, order_id)


@router.post("/returns", response={200: ReturnOut, 201: ReturnOut, **error_responses()})
def return_create(request, payload: ReturnIn):
    """Goods returned on a delivered line of an order you see (at most what is left of it)."""
    check(request, SALES_POST)
    user = request.auth
    _plausible(payload.returned_on, "returned_on")
    line = selectors.order_line_get(user, payload.line)
    return Status(*_posted(SalesReturn, payload.external_id, lambda: services.return_post(
        actor=user, line=line, quantity=payload.quantity, reason=payload.reason,
        returned_on=payload.returned_on, note=payload.note, external_id=payload.external_id)))


@router.post("/receipts", response={200: ReceiptOut, 201: ReceiptOut, **error_responses()})
def receipt_create(request, payload: ReceiptIn):
    """A payment from one of the customers you see (another's: 404)."""
    check(request, SALES_POST)
    user = request.auth
    _plausible(payload.received_on, "received_on")
    if payload.note_due is not None:
        _plausible(payload.note_due, "note_due")
    customer = customer_get(user, payload.customer)
    order = selectors.order_get(user, payload.order) if payload.order else None
    return Status(*_posted(Receipt, payload.external_id, lambda: services.receipt_post(
        actor=user, customer=customer, amount=payload.amount, method=payload.method,
        received_on=payload.received_on, order=order, note_due=payload.note_due,
        note=payload.note, external_id=payload.external_id)))



# --- arrears collection (欠费催缴, CRD-3) -----------------------------------------------------------

class DunningOut(Schema):
    id: int
    customer: Ref
    method: str
    acted_on: date
    actor: UserRef
    result: str
    note: str


class PromiseOut(Schema):
    id: int
    customer: Ref
    promised_on: date
    due_on: date
    amount: Decimal
    status: str = Field(description="open, kept (receipts reached it by its date) or broken.")
    paid: Decimal = Field(description="Receipts towards it when it was settled.")
    settled_on: date | None
    note: str


class DunningIn(Input):
    customer: RecordId
    method: Literal[tuple(DunningMethod.values)]
    acted_on: date
    result: str = Field(..., min_length=1, max_length=200)
    note: str = Field("", max_length=500)


class PromiseIn(Input):
    customer: RecordId
    amount: Decimal = Amount
    due_on: date
    promised_on: date | None = Field(None, description="Today if not given.")
    note: str = Field("", max_length=500)


class PromiseQuery(PageQuery):
    status: Literal[("all", *PromiseStatus.values)] = "all"


@router.get("/dunning", response={200: paged(DunningOut), **error_responses()})
def dunning_list(request, query: Query[PageQuery]):
    """Dunning actions on the customers you see, newest first."""
    check(request, SALES_VIEW)
    return page_of(selectors.dunning_actions(request.auth), query)


@router.post("/dunning", response={201: DunningOut, **error_responses()})
def dunning_create(request, payload: DunningIn):
    """Record a dunning action (phone, visit, letter, SMS) on a customer you see."""
    check(request, SALES_POST)
    user = request.auth
    _plausible(payload.acted_on, "acted_on")
    customer = customer_get(user, payload.customer)
    action = services.dunning_record(actor=user, customer=customer, method=payload.method,
                                     acted_on=payload.acted_on, result=payload.result,
                                     note=payload.note)
    return Status(201, selectors.dunning_actions(user).get(pk=action.pk))


@router.get("/promises", response={200: paged(PromiseOut), **error_responses()})
def promise_list(request, query: Query[PromiseQuery]):
    """Promises to pay of the customers you see, newest first."""
    check(request, SALES_VIEW)
    status = "" if query.status == "all" else query.status
    return page_of(selectors.payment_promises(request.auth, status=status), query)


@router.post("/promises", response={201: PromiseOut, **error_responses()})
def promise_create(request, payload: PromiseIn):
    """Record a customer's promise to pay: at most what it owes, due within a year."""
    check(request, SALES_POST)
    user = request.auth
    _plausible(payload.due_on, "due_on")
    if payload.promised_on is not None:
        _plausible(payload.promised_on, "promised_on")
    customer = customer_get(user, payload.customer)
    promise = services.promise_record(actor=user, customer=customer, amount=payload.amount,
                                      due_on=payload.due_on, promised_on=payload.promised_on,
                                      note=payload.note)
    return Status(201, selectors.payment_promises(user).get(pk=promise.pk))


# --- bonuses (read by payroll) ------------------------------------------------------------

class BonusRunRef(Schema):
    id: int
    kind: str = Field(description="month or year.")
    period: date = Field(description="The month's first day, or the year's 1 January.")
    status: str = Field(description="draft (may still change) or confirmed (frozen, paid).")
    confirmed_at: datetime | None


class BonusLineOut(Schema):
    id: int
    run: BonusRunRef
    manager: UserRef
    net_sales: Decimal
    target: Decimal
    completion: Decimal | None = Field(description="Per cent of the target; none without one.")
    rate: Decimal = Field(description="The tier's rate, per cent of net sales.")
    performance_bonus: Decimal
    rank: int | None
    rank_bonus: Decimal
    clawback: Decimal = Field(description="Bonuses taken back for returns of earlier months.")
    carried: Decimal = Field(description="Owed from the last confirmed month.")
    net_payable: Decimal = Field(description="Negative: owed, carried to the next month.")


class BonusLineQuery(PageQuery):
    kind: Literal[("all", *BonusKind.values)] = "all"
    period: date | None = Field(None, description="Any day of the month (a month run) or of "
                                                  "the year (a year run).")
    status: Literal[("all", *BonusStatus.values)] = "confirmed"


@router.get("/bonus-lines", response={200: paged(BonusLineOut), **error_responses()})
def bonus_line_list(request, query: Query[BonusLineQuery]):
    """The bonus lines you see, newest run first: by default those of confirmed runs, which are
    frozen and paid (奖金发放); a draft's may still change."""
    check(request, SALES_VIEW)
    kind = "" if query.kind == "all" else query.kind
    period = None
    if query.period is not None:
        _plausible(query.period, "period")
        period = query.period.replace(day=1)
        if kind == BonusKind.YEAR:
            period = period.replace(month=1)
    status = "" if query.status == "all" else query.status
    return page_of(bonus.lines_of(request.auth, kind=kind, period=period, status=status), query)
