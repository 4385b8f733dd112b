"""Sales, performance and credit (SPEC SAL, CRD): the ledger the handbooks judge account
managers by (seed 001 客户开发激励制度 第4–21条), and each customer's credit file.

The ledger is its documents, each posted once and never edited in place:

- `Order` (销售订单 / 售货清单) with its `OrderLine`s: the customer, the manager it is credited
  to (and their unit then), the channel (推销订货 on a visit, 通信订货 by phone or letter), new
  or fixed customer (from the customer's earlier orders), the discount (优惠/折扣) and the
  commission (佣金). Delivering it dates the shipment; cancelling it before delivery
  (销货作废) counts in the month it is cancelled, the order staying in its own month.
- `SalesReturn` (销货退回): part of a delivered line, with its reason (误期, 业务, 品质, 其他),
  counted in the month it is posted whatever the order's month (第6条).
- `Receipt` (收款): cash, transfer or a promissory note (期票) with its due date; a wrong one is
  undone by a reversing receipt of the opposite amount, never by an edit.
- `ManagerCost` (开发费用 and 其他费用, 第7条): a manager's costs of a month by kind.

The figures are read from two fact tables kept as entries post (`services` adds each
document's amounts to its rows in the same transaction) and recomputed from the documents by
`manage.py sales_rebuild`, which must give the same numbers: `ManagerMonth` (a manager's month,
by the customers' secret level, so a viewer's totals hold only what they are cleared for),
`CustomerMonth` (a customer's month: net sales and collections, so its receivable) and
`ProductMonth` (a product's month as each manager sold it).

`SalesTarget` is a manager's standard sales of a month (月标准销售额, 第14条); `CreditFile`
the customer's credit investigation (客户信用调查表) with its rating and credit-sale limit.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from qiao.core.models import BusinessModel, Clearance, TimeStampedModel
from qiao.core.money import MoneyField
from qiao.core.validators import PlausibleDate, plausible_count
from qiao.customers.models import Customer
from qiao.org.scope import ScopedQuerySet

ORDER_PREFIX = "XS"  # 销售: XS00000123
MAX_QUANTITY = 1_000_000


class Channel(models.TextChoices):
    VISIT = "visit", _("Order taken on a visit")
    PHONE = "phone", _("Order by phone or letter")


class CustomerKind(models.TextChoices):
    NEW = "new", _("New customer")
    FIXED = "fixed", _("Fixed customer")


class OrderStatus(models.TextChoices):
    POSTED = "posted", pgettext_lazy("order", "Posted")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", pgettext_lazy("order", "Cancelled")


class ReturnReason(models.TextChoices):
    """Why goods came back (seed 001 第4条)."""

    LATE = "late", _("Late delivery")
    BUSINESS = "business", _("Supply and business")
    QUALITY = "quality", _("Quality")
    OTHER = "other", _("Other reasons")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    NOTE = "note", _("Promissory note")


class CostKind(models.TextChoices):
    """A manager's costs (seed 001 第7条): development costs, then the other costs."""

    SALARY = "salary", _("Salary")
    ALLOWANCE = "allowance", _("Allowances")
    VEHICLE = "vehicle", _("Vehicle insurance")
    FUEL = "fuel", _("Fuel")
    TRAVEL = "travel", _("Travel")
    ENTERTAINMENT = "entertainment", _("Entertainment")
    GIFTS = "gifts", _("Gifts")


class Product(TimeStampedModel):
    code = models.CharField(_("product code"), max_length=30, unique=True)
    name = models.CharField(_("product name"), max_length=100)
    category = models.CharField(_("product category"), max_length=40, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=10, default="件")
    price = MoneyField(_("list price"))
    marginal_cost = MoneyField(_("marginal cost"), help_text=_(
        "What one more unit costs to make and deliver; the gross margin is net sales less it."))
    active = models.BooleanField(_("on sale"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Order(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="orders")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    secret_level = models.PositiveSmallIntegerField(choices=Clearance.choices,
                                                    default=Clearance.INTERNAL, editable=False)
    ordered_on = models.DateField(_("order date"), validators=[PlausibleDate(not_future=True)])
    channel = models.CharField(_("order channel"), max_length=10, choices=Channel.choices)
    customer_kind = models.CharField(_("new or fixed customer"), max_length=10,
                                     choices=CustomerKind.choices, editable=False)
    amount = MoneyField(_("order amount"), default=0, editable=False)
    discount = MoneyField(_("discount"), default=0)
    commission = MoneyField(_("commission"), default=0)
    marginal_cost = MoneyField(default=0, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices,
                              default=OrderStatus.POSTED)
    delivered_on = models.DateField(_("delivery date"), null=True, blank=True,
                                    validators=[PlausibleDate(not_future=True)])
    cancelled_on = models.DateField(_("cancellation date"), null=True, blank=True,
                                    validators=[PlausibleDate(not_future=True)])
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    over_limit_reason = models.CharField(_("reason for exceeding the credit limit"),
                                         max_length=200, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, null=True, blank=True,
                                   unique=True, help_text=_("The ERP's number of the order."))
    note = models.CharField(_("notes"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes = [models.Index(fields=["customer", "-ordered_on", "-id"]),
                   models.Index(fields=["manager", "-ordered_on", "-id"]),
                   models.Index(fields=["-ordered_on", "-id"])]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"{ORDER_PREFIX}{self.pk:08d}" if self.pk else ""

    @property
    def net_amount(self):
        return self.amount - self.discount


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[
        MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)])
    price = MoneyField(_("unit price"))
    amount = MoneyField(_("amount"))
    unit_cost = MoneyField(_("marginal cost per unit"))
    # The price-list price (价目表) resolved when it was posted; empty on lines posted before
    # price lists. Only shown: a line priced below it shows the difference as its discount
    # against the list, the net sales being the line's own amount as ever.
    list_price = MoneyField(_("price-list price"), null=True, blank=True, editable=False)
    returned = models.PositiveIntegerField(_("returned quantity"), default=0, editable=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(returned__lte=models.F("quantity")),
                                              name="sales_line_returned_lte_quantity")]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"

    @property
    def list_discount(self):
        """What the line was sold below its list price (优惠 against the 价目表), else 0."""
        if self.list_price is None or self.price >= self.list_price:
            return 0
        return (self.list_price - self.price) * self.quantity


class PriceList(TimeStampedModel):
    """价目表: the prices of some products from one day (to another), for every customer or only
    for those of a grade and/or an order channel. `selectors.price_for` resolves a line's price
    from the most specific list in force; the product's own price is the fallback."""

    name = models.CharField(_("price list name"), max_length=60)
    valid_from = models.DateField(_("valid from"), validators=[PlausibleDate()])
    valid_to = models.DateField(_("valid until"), null=True, blank=True,
                                validators=[PlausibleDate()],
                                help_text=_("Empty: until further notice."))
    grade = models.ForeignKey("customers.Grade", verbose_name=_("customer grade"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text=_("Empty: customers of every grade."))
    channel = models.CharField(_("order channel"), max_length=10, choices=Channel.choices,
                               blank=True, help_text=_("Empty: orders of every channel."))
    active = models.BooleanField(_("in use"), default=False)  # the new-list form ticks it
    note = models.CharField(_("notes"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from", "name"]
        constraints = [models.CheckConstraint(
            condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            name="sales_price_list_dates_in_order",
            violation_error_message=_("The list ends on or after the day it starts."))]

    def __str__(self):
        return self.name


class PriceListLine(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    price = MoneyField(_("unit price"), minimum="0.01")
    min_quantity = models.PositiveIntegerField(_("from quantity"), default=1, validators=[
        MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)],
        help_text=_("The price holds for lines of at least this many."))

    class Meta:
        verbose_name = _("price list line")
        verbose_name_plural = _("price list lines")
        ordering = ["product__code", "min_quantity"]
        constraints = [models.UniqueConstraint(fields=["price_list", "product", "min_quantity"],
                                               name="sales_price_line_once")]

    def __str__(self):
        return f"{self.product_id} ≥{self.min_quantity}: {self.price}"


class SalesReturn(TimeStampedModel):
    line = models.ForeignKey(OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT,
                             related_name="returns")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    secret_level = models.PositiveSmallIntegerField(default=Clearance.INTERNAL, editable=False)
    returned_on = models.DateField(_("return date"), validators=[PlausibleDate(not_future=True)])
    quantity = models.PositiveIntegerField(_("quantity returned"), validators=[
        MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)])
    amount = MoneyField(_("amount"))
    reason = models.CharField(_("return reason"), max_length=10, choices=ReturnReason.choices)
    note = models.CharField(_("notes"), max_length=500, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, null=True, blank=True,
                                   unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales return")
        verbose_name_plural = _("sales returns")
        indexes = [models.Index(fields=["customer", "-returned_on"])]


class Receipt(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="receipts")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    secret_level = models.PositiveSmallIntegerField(default=Clearance.INTERNAL, editable=False)
    order = models.ForeignKey(Order, verbose_name=_("for order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="receipts")
    received_on = models.DateField(_("date received"), validators=[PlausibleDate(not_future=True)])
    method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices)
    # Negative only on a reversing receipt (`reverses`), which undoes a wrong one.
    amount = MoneyField(_("amount"), minimum=None)
    note_due = models.DateField(_("note due date"), null=True, blank=True,
                                validators=[PlausibleDate()])
    note_interest = MoneyField(_("note interest gain or loss"), minimum=None, default=0,
                               editable=False)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    note = models.CharField(_("notes"), max_length=500, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, null=True, blank=True,
                                   unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        indexes = [models.Index(fields=["customer", "-received_on", "-id"])]


class ManagerCost(TimeStampedModel):
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    month = models.DateField(_("month"), validators=[PlausibleDate()])  # its first day
    kind = models.CharField(_("cost item"), max_length=20, choices=CostKind.choices)
    amount = MoneyField(_("amount"), minimum=None)
    note = models.CharField(_("notes"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("manager's cost")
        verbose_name_plural = _("managers' costs")
        indexes = [models.Index(fields=["manager", "month"])]


class SalesTarget(TimeStampedModel):
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    month = models.DateField(_("month"), validators=[PlausibleDate()])
    amount = MoneyField(_("standard sales of the month"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [models.UniqueConstraint(fields=["manager", "month"],
                                               name="sales_target_one_per_month")]


# The fact tables' amounts, each a sum of the documents' amounts (see services.FACTS).
MANAGER_FIGURES = (
    "orders", "visit_orders", "phone_orders", "new_orders", "cancellations",
    "returns_late", "returns_business", "returns_quality", "returns_other",
    "discounts", "commissions", "marginal_cost", "collections", "notes", "note_interest",
    *(f"cost_{kind}" for kind in CostKind.values),
)
COST_FIGURES = tuple(f"cost_{kind}" for kind in CostKind.values)


class ManagerMonth(models.Model):
    """A manager's month, split by the customers' secret level (costs at 0)."""

    month = models.DateField(editable=False)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, on_delete=models.PROTECT, related_name="+")
    secret_level = models.PositiveSmallIntegerField(default=0, editable=False)
    order_count = models.PositiveIntegerField(default=0, editable=False)
    orders = MoneyField(minimum=None, default=0, editable=False)
    visit_orders = MoneyField(minimum=None, default=0, editable=False)
    phone_orders = MoneyField(minimum=None, default=0, editable=False)
    new_orders = MoneyField(minimum=None, default=0, editable=False)
    cancellations = MoneyField(minimum=None, default=0, editable=False)
    returns_late = MoneyField(minimum=None, default=0, editable=False)
    returns_business = MoneyField(minimum=None, default=0, editable=False)
    returns_quality = MoneyField(minimum=None, default=0, editable=False)
    returns_other = MoneyField(minimum=None, default=0, editable=False)
    discounts = MoneyField(minimum=None, default=0, editable=False)
    commissions = MoneyField(minimum=None, default=0, editable=False)
    marginal_cost = MoneyField(minimum=None, default=0, editable=False)
    collections = MoneyField(minimum=None, default=0, editable=False)
    notes = MoneyField(minimum=None, default=0, editable=False)
    note_interest = MoneyField(minimum=None, default=0, editable=False)
    cost_salary = MoneyField(minimum=None, default=0, editable=False)
    cost_allowance = MoneyField(minimum=None, default=0, editable=False)
    cost_vehicle = MoneyField(minimum=None, default=0, editable=False)
    cost_fuel = MoneyField(minimum=None, default=0, editable=False)
    cost_travel = MoneyField(minimum=None, default=0, editable=False)
    cost_entertainment = MoneyField(minimum=None, default=0, editable=False)
    cost_gifts = MoneyField(minimum=None, default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["month", "manager", "unit", "secret_level"], name="sales_manager_month_key")]
        indexes = [models.Index(fields=["manager", "month"])]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.manager_id}"


class CustomerMonth(models.Model):
    """A customer's month: net sales (orders less cancellations, returns and discounts) and
    collections; their running difference is the receivable."""

    month = models.DateField(editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    net_sales = MoneyField(minimum=None, default=0, editable=False)
    marginal_cost = MoneyField(minimum=None, default=0, editable=False)
    collections = MoneyField(minimum=None, default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer's month of sales")
        verbose_name_plural = _("customer's months of sales")
        constraints = [models.UniqueConstraint(fields=["customer", "month"],
                                               name="sales_customer_month_key")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.customer_id}"


class ProductMonth(models.Model):
    """A product's month as one manager sold it (the 产品构成分析表 and 产品销售额增长一览表):
    the quantity and net sales that stayed sold (ordered, less cancelled and returned) and their
    marginal cost, split like ManagerMonth by unit and the customers' secret level. A line's net
    sales carry its share of the order's discount (`services.line_discounts`), so a manager's
    products add up to their ManagerMonth net sales."""

    month = models.DateField(editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, on_delete=models.PROTECT, related_name="+")
    secret_level = models.PositiveSmallIntegerField(default=0, editable=False)
    quantity = models.IntegerField(default=0, editable=False)
    net_sales = MoneyField(minimum=None, default=0, editable=False)
    marginal_cost = MoneyField(minimum=None, default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["month", "product", "manager", "unit", "secret_level"],
            name="sales_product_month_key")]
        indexes = [models.Index(fields=["manager", "month"]),
                   models.Index(fields=["month", "product"])]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.product_id} {self.manager_id}"


class Rating(models.TextChoices):
    A = "A", _("A: excellent")
    B = "B", _("B: good")
    C = "C", _("C: fair")
    D = "D", _("D: poor")


class Opinion(models.TextChoices):
    VERY_GOOD = "very_good", _("Very good")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    VERY_POOR = "very_poor", _("Very poor")


class PaymentAttitude(models.TextChoices):
    PROMPT = "prompt", _("Prompt")
    ORDINARY = "ordinary", _("Ordinary")
    ACCEPTABLE = "acceptable", _("Acceptable")
    DELAYS = "delays", _("Delays")
    RELUCTANT = "reluctant", _("Makes difficulties")
    LEAVES_BALANCES = "leaves_balances", _("Habitually leaves balances")


class Premises(models.TextChoices):
    BUSY = "busy", _("Busy district")
    COMMERCIAL = "commercial", _("Ordinary commercial area")
    REMOTE = "remote", _("Remote area")


class CreditTerms(models.TextChoices):
    CASH = "cash", _("Cash on delivery")
    CREDIT = "credit", _("Credit sale")
    NOTE = "note", _("Promissory note")


class CreditFile(TimeStampedModel):
    """The customer's credit investigation (客户信用调查表), the latest of which rules its orders."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="credit_files")
    investigated_on = models.DateField(_("investigation date"),
                                       validators=[PlausibleDate(not_future=True)])
    investigator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("investigator"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    # 负责人情况
    owner_character = models.CharField(_("owner's character and temperament"), max_length=200,
                                       blank=True)
    owner_experience = models.CharField(_("owner's education and experience"), max_length=200,
                                        blank=True)
    # 财务状况
    bank = models.CharField(_("bank"), max_length=80, blank=True)
    bank_credit = models.CharField(_("bank credit"), max_length=12, choices=Opinion.choices,
                                   blank=True)
    accounts_complete = models.BooleanField(_("complete accounting system"), default=False)
    peer_opinion = models.CharField(_("peers' opinion"), max_length=12, choices=Opinion.choices,
                                    blank=True)
    neighbour_opinion = models.CharField(_("neighbours' opinion"), max_length=12,
                                         choices=Opinion.choices, blank=True)
    capital = MoneyField(_("registered capital"), null=True, blank=True)
    payment_attitude = models.CharField(_("payment attitude"), max_length=16,
                                        choices=PaymentAttitude.choices, blank=True)
    # 资产 and 营业状况
    premises = models.CharField(_("premises"), max_length=12, choices=Premises.choices,
                                blank=True)
    premises_owned = models.BooleanField(_("premises owned"), default=False)
    premises_area = models.PositiveIntegerField(_("area (m²)"), null=True, blank=True,
                                                validators=plausible_count(1_000_000))
    vehicles = models.PositiveSmallIntegerField(_("vehicles"), null=True, blank=True,
                                                validators=plausible_count(10_000))
    monthly_sales = MoneyField(_("monthly sales"), null=True, blank=True)
    # 信用评定
    rating = models.CharField(_("credit rating"), max_length=1, choices=Rating.choices)
    score = models.PositiveSmallIntegerField(_("credit score"), validators=[MaxValueValidator(100)])
    terms = models.CharField(_("payment method"), max_length=10, choices=CreditTerms.choices)
    credit_limit = MoneyField(_("credit-sale limit"))
    term_days = models.PositiveSmallIntegerField(
        _("payment term (days)"), default=30, validators=[MaxValueValidator(365)],
        help_text=_("Days after delivery before an unpaid amount is overdue."))
    guaranteed = models.BooleanField(_("guaranteed"), default=False)
    guarantee = models.CharField(_("guarantee"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit investigation")
        verbose_name_plural = _("credit investigations")
        indexes = [models.Index(fields=["customer", "-investigated_on", "-id"])]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report", "Submitted")
    RETURNED = "returned", pgettext_lazy("report", "Returned")
    ACCEPTED = "accepted", pgettext_lazy("report", "Accepted")


class SalesReport(BusinessModel):
    """客户月度销售情况分析报告 (SAL-9): a manager's analysis of a month, due by the 5th of the
    next (the next working day when that is a holiday). The figures are the system's (frozen when
    it is submitted); the manager writes (b) problems, causes and measures, (c) the customers'
    opinions and (d) the forecast; the supervisor or regional manager accepts it or returns it
    with a comment."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    month = models.DateField(_("month"), validators=[PlausibleDate()])
    due_on = models.DateField(_("due date"), validators=[PlausibleDate()])
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT)
    overview = models.TextField(_("(a) overall sales of my customers"), blank=True,
                                max_length=4000)
    problems = models.TextField(_("(b) problems, causes and measures"), blank=True,
                                max_length=4000)
    opinions = models.TextField(_("(c) customers' main opinions on goods and service"),
                                blank=True, max_length=4000)
    forecast = models.TextField(_("(d) forecast for next month"), blank=True, max_length=4000)
    forecast_amount = MoneyField(_("forecast net sales"), null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True, editable=False)  # as submitted
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comment = models.TextField(_("review comment"), blank=True, max_length=2000)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly sales analysis report")
        verbose_name_plural = _("monthly sales analysis reports")
        constraints = [models.UniqueConstraint(fields=["manager", "month"],
                                               name="sales_report_one_per_month")]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.manager}"


# --- arrears collection (欠费催缴, CRD-3) and over-limit approvals (CRD-2) ------------------------

class DunningMethod(models.TextChoices):
    PHONE = "phone", pgettext_lazy("dunning", "Phone")
    VISIT = "visit", pgettext_lazy("dunning", "Visit")
    LETTER = "letter", pgettext_lazy("dunning", "Letter")
    SMS = "sms", pgettext_lazy("dunning", "SMS")


class DunningAction(TimeStampedModel):
    """A dunning action (催缴) on a customer who owes money: how, when, by whom, what came of it."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="dunning_actions")
    method = models.CharField(_("dunning method"), max_length=10, choices=DunningMethod.choices)
    acted_on = models.DateField(_("dunning date"), validators=[PlausibleDate(not_future=True)])
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dunned by"),
                              on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("dunning result"), max_length=200)
    note = models.CharField(_("notes"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dunning action")
        verbose_name_plural = _("dunning actions")
        indexes = [models.Index(fields=["customer", "-acted_on", "-id"])]

    def __str__(self):
        return f"{self.acted_on} {self.get_method_display()}"


class PromiseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("promise", "Open")
    KEPT = "kept", pgettext_lazy("promise", "Kept")
    BROKEN = "broken", pgettext_lazy("promise", "Broken")


class PaymentPromise(TimeStampedModel):
    """A promise to pay (承诺付款): kept when the receipts from the day it was made reach its
    amount by its date, broken otherwise (settled by the worker's `dunning_daily`)."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="payment_promises")
    promised_on = models.DateField(_("date promised"),
                                   validators=[PlausibleDate(not_future=True)])
    due_on = models.DateField(_("promised payment date"), validators=[PlausibleDate()])
    amount = MoneyField(_("promised amount"))
    status = models.CharField(_("status"), max_length=10, choices=PromiseStatus.choices,
                              default=PromiseStatus.OPEN, editable=False)
    paid = MoneyField(_("paid towards it"), default=0, editable=False)
    settled_on = models.DateField(_("settled on"), null=True, blank=True, editable=False)
    action = models.ForeignKey(DunningAction, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="promises", editable=False)
    note = models.CharField(_("notes"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        indexes = [models.Index(fields=["customer", "-promised_on", "-id"]),
                   models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.due_on} ¥{self.amount:,.2f}"


class EscalationReason(models.TextChoices):
    BROKEN_PROMISE = "broken", _("Promise to pay broken")
    OVERDUE = "overdue", _("Debt long overdue")


class ArrearsEscalation(TimeStampedModel):
    """An escalation of a customer's arrears to the account manager's superior: a broken promise
    (one per promise) or a debt overdue past `QIAO_DUNNING_ESCALATE_DAYS` (one open per
    customer); closed when the customer no longer has anything overdue."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=EscalationReason.choices)
    promise = models.OneToOneField(PaymentPromise, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="escalation")
    overdue = MoneyField(_("overdue"), editable=False)
    days = models.PositiveIntegerField(_("days overdue"), default=0, editable=False)
    escalated_on = models.DateField(_("escalated on"), editable=False)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("arrears escalation")
        verbose_name_plural = _("arrears escalations")
        constraints = [models.UniqueConstraint(
            fields=["customer"], condition=Q(reason="overdue", closed_on__isnull=True),
            name="sales_escalation_one_open_overdue")]
        indexes = [models.Index(fields=["customer", "closed_on"])]


class CreditOrderRequest(TimeStampedModel):
    """An order over the credit limit or from a customer with overdue debt, entered by an
    account manager who may not pass it (CRD-2, policy "approve"): it waits for the superior's
    approval, which posts it through `services.order_post`; rejected, nothing is posted."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for approval")
        POSTED = "posted", pgettext_lazy("order", "Posted")
        REJECTED = "rejected", pgettext_lazy("credit request", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("credit request", "Withdrawn")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    ordered_on = models.DateField(_("order date"), validators=[PlausibleDate(not_future=True)])
    channel = models.CharField(_("order channel"), max_length=10, choices=Channel.choices)
    lines = models.JSONField(default=list, editable=False)  # [[product id, quantity, price|None]]
    amount = MoneyField(_("order amount"), editable=False)
    discount = MoneyField(_("discount"), default=0)
    commission = MoneyField(_("commission"), default=0)
    note = models.CharField(_("notes"), max_length=500, blank=True)
    problems = models.CharField(_("credit problems"), max_length=500, editable=False)
    reason = models.CharField(_("reason for exceeding the credit limit"), max_length=200)
    state = models.CharField(_("status"), max_length=10, choices=State.choices,
                             default=State.WAITING, editable=False)
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="credit_request", editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order over the credit limit")
        verbose_name_plural = _("orders over the credit limit")

    def __str__(self):
        return f"{self.customer} ¥{self.amount - self.discount:,.2f}"


# --- bonuses (奖金核算, seed 001 第6条, 第16–20条) ---------------------------------------------------

class BonusRule(TimeStampedModel):
    """奖金规则 from a month on: the performance bonus (业绩绩效奖金) as tiers of target
    completion, each a percentage of net sales (`BonusTier`), and the rank bonuses (名次绩效奖金)
    of the monthly and the annual ranking's first three. A run uses the rule in force in its
    month (the latest `effective_from` not after it)."""

    effective_from = models.DateField(_("effective from"), unique=True,
                                      validators=[PlausibleDate()],
                                      help_text=_("The first month the rule applies to."))
    monthly_first = MoneyField(_("monthly rank bonus: 1st"), default=0)
    monthly_second = MoneyField(_("monthly rank bonus: 2nd"), default=0)
    monthly_third = MoneyField(_("monthly rank bonus: 3rd"), default=0)
    annual_first = MoneyField(_("annual rank bonus: 1st"), default=0)
    annual_second = MoneyField(_("annual rank bonus: 2nd"), default=0)
    annual_third = MoneyField(_("annual rank bonus: 3rd"), default=0)
    note = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        ordering = ["-effective_from"]

    def __str__(self):
        return f"{self.effective_from:%Y-%m}"

    def save(self, *args, **kwargs):
        self.effective_from = self.effective_from.replace(day=1)
        super().save(*args, **kwargs)

    def monthly_amounts(self):
        return (self.monthly_first, self.monthly_second, self.monthly_third)

    def annual_amounts(self):
        return (self.annual_first, self.annual_second, self.annual_third)


class BonusTier(models.Model):
    """A tier of the performance bonus: target completion from `completion_from` % (inclusive)
    below `completion_to` % (none: no upper bound) pays `rate` % of the month's net sales."""

    rule = models.ForeignKey(BonusRule, on_delete=models.CASCADE, related_name="tiers")
    completion_from = models.DecimalField(
        _("completion from (%)"), max_digits=6, decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(1000)])
    completion_to = models.DecimalField(
        _("completion below (%)"), max_digits=6, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text=_("Empty: no upper bound."))
    rate = models.DecimalField(_("bonus (% of net sales)"), max_digits=5, decimal_places=2,
                               validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        verbose_name = _("performance bonus tier")
        verbose_name_plural = _("performance bonus tiers")
        ordering = ["completion_from"]

    def __str__(self):
        upper = f"{self.completion_to}%" if self.completion_to is not None else "∞"
        return f"{self.completion_from}%–{upper}: {self.rate}%"


class BonusKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Annual")


class BonusStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("bonus run", "Draft")
    CONFIRMED = "confirmed", pgettext_lazy("bonus run", "Confirmed")


class BonusRun(models.Model):
    """奖金核算 of a month (its first day) or a year (its 1 January): drafted by the worker,
    recomputed by a supervisor while a draft, then confirmed and frozen (never changed again:
    its lines are what payroll pays). Not scoped itself: its lines are."""

    kind = models.CharField(_("kind"), max_length=5, choices=BonusKind.choices, editable=False)
    period = models.DateField(_("period"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=BonusStatus.choices,
                              default=BonusStatus.DRAFT, editable=False)
    rule = models.ForeignKey(BonusRule, null=True, on_delete=models.PROTECT, related_name="+",
                             editable=False)
    computed_at = models.DateTimeField(_("computed at"), editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                     related_name="+", editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("bonus run")
        verbose_name_plural = _("bonus runs")
        constraints = [models.UniqueConstraint(fields=["kind", "period"],
                                               name="sales_bonus_run_one_per_period")]

    def __str__(self):
        return f"{self.period:%Y}" if self.kind == BonusKind.YEAR else f"{self.period:%Y-%m}"


class BonusLine(models.Model):
    """A manager's line of a run: net sales, target and completion, the performance bonus at
    the tier's rate, the rank and its bonus, the claw-back of returns of earlier months' orders
    (`BonusClawback`), the balance owed carried from the last confirmed month, and what is
    payable: bonuses − claw-back − owed (negative: owed, carried to the next month)."""

    run = models.ForeignKey(BonusRun, on_delete=models.CASCADE, related_name="lines",
                            editable=False)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", editable=False)
    unit = models.ForeignKey("org.OrgUnit", null=True, on_delete=models.PROTECT, related_name="+",
                             editable=False)
    net_sales = MoneyField(minimum=None, default=0, editable=False)
    target = MoneyField(default=0, editable=False)
    completion = models.DecimalField(max_digits=8, decimal_places=1, null=True, editable=False)
    rate = models.DecimalField(max_digits=5, decimal_places=2, default=0, editable=False)
    performance_bonus = MoneyField(default=0, editable=False)
    rank = models.PositiveIntegerField(null=True, editable=False)
    rank_bonus = MoneyField(default=0, editable=False)
    clawback = MoneyField(default=0, editable=False)
    carried = MoneyField(default=0, editable=False)  # owed from the last confirmed month
    net_payable = MoneyField(minimum=None, default=0, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bonus line")
        verbose_name_plural = _("bonus lines")
        constraints = [models.UniqueConstraint(fields=["run", "manager"],
                                               name="sales_bonus_line_one_per_manager")]
        indexes = [models.Index(fields=["manager", "run"])]

    def __str__(self):
        return f"{self.run} {self.manager_id}"


class BonusClawback(models.Model):
    """One return posted in the run's month of an order of an earlier month: its net amount ×
    the performance bonus rate paid for the order's month (its confirmed run), clawed back
    (seed 001 第6条: 追回与该退回数量相对应的绩效奖金)."""

    line = models.ForeignKey(BonusLine, on_delete=models.CASCADE, related_name="clawbacks",
                             editable=False)
    sales_return = models.ForeignKey(SalesReturn, on_delete=models.PROTECT, related_name="+",
                                     editable=False)
    order_month = models.DateField(editable=False)
    returned_amount = MoneyField(editable=False)
    rate = models.DecimalField(max_digits=5, decimal_places=2, editable=False)
    amount = MoneyField(editable=False)

    class Meta:
        verbose_name = _("bonus claw-back")
        verbose_name_plural = _("bonus claw-backs")

    def __str__(self):
        return f"{self.sales_return_id} {self.amount}"
# --- annual targets and personal sales plans (seed 001 第13–14条, seed 002 篇3, seed 003 篇六) ---

class AnnualTarget(TimeStampedModel):
    """年度销售目标分解: the company's sales target for a year (第13条: 企业每一年应对客户开发部门提出
    销售目标), split to its regions, each region's share to its teams and each team's share to
    its account managers. A unit's row has no `manager`; an account manager's row names them,
    `unit` being their team when the share was given."""

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="+")
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("annual sales target"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual sales target")
        verbose_name_plural = _("annual sales targets")
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], condition=Q(manager__isnull=True),
                                    name="sales_annual_target_one_per_unit"),
            models.UniqueConstraint(fields=["year", "manager"],
                                    condition=Q(manager__isnull=False),
                                    name="sales_annual_target_one_per_manager")]

    def __str__(self):
        return f"{self.year} {self.manager or self.unit}"


class MeasureStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("measure", "In progress")
    DONE = "done", pgettext_lazy("measure", "Done")
    DROPPED = "dropped", pgettext_lazy("measure", "Dropped")


QUARTERS = ("q1", "q2", "q3", "q4")


class SalesPlan(BusinessModel):
    """个人销售计划 (seed 002 篇3: 编制个人销售计划，落实完成措施): an account manager's plan for a
    year — the planned net sales of each quarter against the annual target from the split, the
    measures to reach it, and the minimum gross margin rate the supervisor sets (seed 003 篇六:
    要求的最低总利润). Written and submitted by the manager, accepted or returned with a comment
    by the first superior holding `sales.manage`, like the monthly analysis report."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT, editable=False)
    q1 = MoneyField(_("planned net sales, 1st quarter"), default=0)
    q2 = MoneyField(_("planned net sales, 2nd quarter"), default=0)
    q3 = MoneyField(_("planned net sales, 3rd quarter"), default=0)
    q4 = MoneyField(_("planned net sales, 4th quarter"), default=0)
    summary = models.TextField(_("how I will reach the target"), blank=True, max_length=4000)
    min_margin = models.DecimalField(
        _("minimum gross margin rate (%)"), max_digits=5, decimal_places=2, null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comment = models.TextField(_("review comment"), blank=True, max_length=2000,
                                      editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal sales plan")
        verbose_name_plural = _("personal sales plans")
        constraints = [models.UniqueConstraint(fields=["manager", "year"],
                                               name="sales_plan_one_per_year")]

    def __str__(self):
        return f"{self.year} {self.manager}"

    @property
    def planned(self):
        return sum((getattr(self, q) for q in QUARTERS), 0)


class PlanMeasure(models.Model):
    """A measure of the plan (落实完成措施): what, by when, and how far it has come."""

    plan = models.ForeignKey(SalesPlan, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField(_("measure"), max_length=300)
    due_on = models.DateField(_("due date"), validators=[PlausibleDate()])
    status = models.CharField(_("status"), max_length=10, choices=MeasureStatus.choices,
                              default=MeasureStatus.OPEN)

    class Meta:
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.text
