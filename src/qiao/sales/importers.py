"""The ledger's importers (SAL-1, DAT-1), registered in `core.registry.importers` by
SalesConfig.ready(): orders (a row is one order of one product) and receipts, posted through
the same services as the pages — the customer one the importer sees, the credit check, the
ERP's external id (a row whose id was posted before is skipped, never posted twice)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.registry import Importer, ImportField, ImportFieldKind
from qiao.customers.selectors import row_customer

from . import services
from .actions import SALES_POST
from .models import Channel, Order, PaymentMethod, Product, Receipt

CREATED, SKIPPED = "created", "skipped"
F = ImportField
K = ImportFieldKind

CUSTOMER_COLUMNS = (
    F("customer", gettext_lazy("customer"), ("客户名称", "客户", "单位名称", "customer"),
      required=True),
    F("credit_code", gettext_lazy("unified social credit code"),
      ("统一社会信用代码", "信用代码", "credit code")),
)
ORDER_FIELDS = (
    *CUSTOMER_COLUMNS,
    F("ordered_on", gettext_lazy("order date"), ("订货日期", "订单日期", "日期", "date"), K.DATE,
      required=True),
    F("channel", gettext_lazy("order channel"), ("订货方式", "渠道", "channel")),
    F("product", gettext_lazy("product"), ("产品编码", "产品", "商品", "品名", "product"),
      required=True),
    F("quantity", gettext_lazy("quantity"), ("数量", "订货数量", "quantity"), K.NUMBER,
      required=True),
    F("price", gettext_lazy("unit price"), ("单价", "价格", "price"), K.AMOUNT),
    F("discount", gettext_lazy("discount"), ("优惠", "折扣", "discount"), K.AMOUNT),
    F("commission", gettext_lazy("commission"), ("佣金", "commission"), K.AMOUNT),
    F("external_id", gettext_lazy("external id"), ("订单号", "单号", "外部编号", "external id"),
      required=True),
    F("note", gettext_lazy("notes"), ("备注", "notes")),
)
RECEIPT_FIELDS = (
    *CUSTOMER_COLUMNS,
    F("received_on", gettext_lazy("date received"), ("收款日期", "日期", "date"), K.DATE,
      required=True),
    F("method", gettext_lazy("payment method"), ("付款方式", "收款方式", "method"),
      required=True),
    F("amount", gettext_lazy("amount"), ("金额", "收款金额", "amount"), K.AMOUNT, required=True),
    F("note_due", gettext_lazy("note due date"), ("期票到期日", "到期日", "due"), K.DATE),
    F("external_id", gettext_lazy("external id"), ("收款单号", "单号", "外部编号", "external id"),
      required=True),
    F("note", gettext_lazy("notes"), ("备注", "notes")),
)
# What people write for a channel or a payment method, besides the codes and the labels.
CHANNEL_WORDS = {"推销": Channel.VISIT, "拜访": Channel.VISIT, "电话": Channel.PHONE,
                 "信函": Channel.PHONE, "通信": Channel.PHONE}
METHOD_WORDS = {"现金": PaymentMethod.CASH, "转账": PaymentMethod.TRANSFER,
                "汇款": PaymentMethod.TRANSFER, "期票": PaymentMethod.NOTE,
                "票据": PaymentMethod.NOTE, "承兑": PaymentMethod.NOTE}


def _choice(text, choices, words, field):
    """A choice from its code, its label or a usual word for it."""
    text = (text or "").strip()
    for value, label in choices:
        if text in (value, str(label)):
            return value
    for word, value in words.items():
        if word in text:
            return value
    raise ValidationError({field: _("%(value)s is not one of: %(choices)s.") % {
        "value": text, "choices": "、".join(str(label) for _v, label in choices)}})


def _amount(values, field, default="0") -> Decimal:
    try:
        return Decimal(values.get(field) or default)
    except InvalidOperation:
        raise ValidationError({field: _("Enter an amount.")}) from None


class OrderRows:
    """Posts each row as an order of one product for `actor`; a row whose external id was
    posted before is skipped."""

    def __init__(self, actor):
        self.actor = actor
        self.products = {p.code: p for p in Product.objects.all()}
        self.by_name = {p.name: p for p in self.products.values()}

    def __call__(self, values: dict, *, duplicates: str = "skip"):
        external_id = values["external_id"]
        if (done := Order.objects.filter(external_id=external_id).first()) is not None:
            return SKIPPED, done.pk, _("Order %s was posted before.") % external_id
        product = self.products.get(values["product"]) or self.by_name.get(values["product"])
        if product is None:
            raise ValidationError({"product": _("No product has the code or name %s.")
                                   % values["product"]})
        quantity = values.get("quantity") or ""
        if not str(quantity).isdigit():
            raise ValidationError({"quantity": _("Enter a quantity of at least 1.")})
        price = _amount(values, "price", default="") if values.get("price") else None
        order = services.order_post(
            actor=self.actor, customer=row_customer(self.actor, values),
            lines=[(product, int(quantity), price)],
            ordered_on=date.fromisoformat(values["ordered_on"]),
            channel=_choice(values.get("channel") or Channel.PHONE, Channel.choices,
                            CHANNEL_WORDS, "channel"),
            discount=_amount(values, "discount"), commission=_amount(values, "commission"),
            note=values.get("note", "")[:500], external_id=external_id)
        return CREATED, order.pk, ""


class ReceiptRows:
    """Posts each row as a receipt for `actor`; a row whose external id was posted before is
    skipped."""

    def __init__(self, actor):
        self.actor = actor

    def __call__(self, values: dict, *, duplicates: str = "skip"):
        external_id = values["external_id"]
        if (done := Receipt.objects.filter(external_id=external_id).first()) is not None:
            return SKIPPED, done.pk, _("Receipt %s was posted before.") % external_id
        receipt = services.receipt_post(
            actor=self.actor, customer=row_customer(self.actor, values),
            amount=_amount(values, "amount"),
            method=_choice(values["method"], PaymentMethod.choices, METHOD_WORDS, "method"),
            received_on=date.fromisoformat(values["received_on"]),
            note_due=date.fromisoformat(values["note_due"]) if values.get("note_due") else None,
            note=values.get("note", "")[:500], external_id=external_id)
        return CREATED, receipt.pk, ""


IMPORTERS = (
    Importer("sales_orders", gettext_lazy("Sales orders"), (SALES_POST,), ORDER_FIELDS,
             OrderRows, order=40, duplicates=("skip",),
             description=gettext_lazy(
                 "One order of one product a row, for a customer of yours, with the ERP's order "
                 "number: a number posted before is skipped.")),
    Importer("sales_receipts", gettext_lazy("Receipts"), (SALES_POST,), RECEIPT_FIELDS,
             ReceiptRows, order=50, duplicates=("skip",),
             description=gettext_lazy(
                 "One payment a row: cash, transfer or promissory note (with its due date). A "
                 "receipt number posted before is skipped.")),
)
