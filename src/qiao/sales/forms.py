from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiao.core.forms import BootstrapFormMixin, MonthField, filter_description, valid_data
from qiao.core.money import MoneyFormField
from qiao.core.validators import PlausibleDate
from qiao.customers.selectors import offer_customers
from qiao.org.scope import visible_users

from . import selectors
from .models import (
    MAX_QUANTITY,
    BonusKind,
    Channel,
    CostKind,
    CreditFile,
    DunningMethod,
    MeasureStatus,
    Order,
    OrderStatus,
    PaymentMethod,
    PriceList,
    Product,
    ReportStatus,
    ReturnReason,
    SalesPlan,
    SalesReport,
)

ALL = [("", _("All"))]
LINES = 6  # the order form's product lines


class FigureFilter(BootstrapFormMixin, forms.Form):
    """The month (this month by default) and, for someone who sees several, the manager."""

    month = MonthField(label=_("month"), required=False)
    manager = forms.ModelChoiceField(label=_("account manager"), required=False, queryset=None,
                                     empty_label=_("Everyone I see"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = visible_users(user)

    def values(self) -> dict:
        data = valid_data(self)
        return {"month": data.get("month") or timezone.localdate().replace(day=1),
                "manager": data.get("manager")}

    def description(self):
        return filter_description(self)


class DashboardFilter(BootstrapFormMixin, forms.Form):
    """The dashboard's month (this month by default) and a unit within the viewer's scope; its
    drill-down pages keep them and add the figure and what was clicked (`DrillFilter`)."""

    month = MonthField(label=_("month"), required=False)
    unit = forms.ModelChoiceField(label=_("unit"), required=False, queryset=None,
                                  empty_label=_("Everything I see"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.dashboard_units(user)

    def values(self) -> dict:
        data = valid_data(self)
        return {"month": data.get("month") or timezone.localdate().replace(day=1),
                "unit": data.get("unit")}

    def description(self):
        return filter_description(self)


class DrillFilter(DashboardFilter):
    """What a dashboard figure was narrowed to when clicked: the figure, a manager, a product,
    or the part of the sales credited to no unit shown (`rest`)."""

    figure = forms.ChoiceField(label=_("figure"), required=False, choices=[
        ("net_sales", _("Net sales and gross margin")), ("collections", _("Collections")),
        ("receivable", _("Receivable at month end"))])
    manager = forms.ModelChoiceField(label=_("account manager"), required=False, queryset=None,
                                     empty_label=_("Everyone I see"))
    product = forms.ModelChoiceField(label=_("product"), required=False,
                                     queryset=Product.objects.order_by("code"))
    rest = forms.BooleanField(label=_("not under the units shown"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["manager"].queryset = selectors.visible_staff(user)

    def values(self) -> dict:
        data = valid_data(self)
        return {**super().values(), "figure": data.get("figure") or "net_sales",
                "manager": data.get("manager"), "product": data.get("product"),
                "rest": bool(data.get("rest"))}


class ArrearsFilter(FigureFilter):
    """The collection table's: the manager, or a unit within the viewer's scope (the dashboard's
    overdue amount and ageing link here with its unit)."""

    unit = forms.ModelChoiceField(label=_("unit"), required=False, queryset=None,
                                  empty_label=_("Everything I see"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["unit"].queryset = selectors.dashboard_units(user)

    def values(self) -> dict:
        return {**super().values(), "unit": valid_data(self).get("unit")}


class YearFilter(BootstrapFormMixin, forms.Form):
    """The seasonal index's years: the last complete year and how many before it."""

    year = forms.IntegerField(label=_("last year"), required=False, min_value=2000,
                              max_value=2100)
    years = forms.TypedChoiceField(label=_("years"), required=False, coerce=int,
                                   choices=[(2, "2"), (3, "3"), (4, "4"), (5, "5")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1

    def values(self) -> dict:
        data = valid_data(self)
        return {"last_year": data.get("year") or timezone.localdate().year - 1,
                "years": data.get("years") or 2}

    def description(self):
        return filter_description(self)


class StatisticsFilter(BootstrapFormMixin, forms.Form):
    """The statistics' choices, each page keeping those it uses (`fields`): the month (this
    month by default) or the year (this year), the month alone or the year to it, by manager or
    by unit, and what a month is compared with."""

    month = MonthField(label=_("month"), required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)
    period = forms.ChoiceField(label=pgettext_lazy("statistics", "period"), required=False, choices=[
        ("month", _("The month")), ("year", _("The year to the month"))])
    by = forms.ChoiceField(label=_("group rows by"), required=False, choices=[
        ("manager", _("By account manager")), ("unit", _("By unit"))])
    compare = forms.ChoiceField(label=_("compared with"), required=False, choices=[
        ("year", _("Same month last year")), ("month", _("Last month"))])

    def __init__(self, *args, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in [name for name in self.fields if name not in fields]:
            del self.fields[name]
        if "year" in self.fields:
            self.fields["year"].initial = timezone.localdate().year

    def values(self) -> dict:
        data = valid_data(self)
        today = timezone.localdate()
        return {"month": data.get("month") or today.replace(day=1),
                "year": data.get("year") or today.year,
                "period": data.get("period") or "month", "by": data.get("by") or "manager",
                "compare": data.get("compare") or "year"}

    def description(self):
        return filter_description(self)


class OrderFilter(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=ALL + list(OrderStatus.choices))
    channel = forms.ChoiceField(label=_("order channel"), required=False,
                                choices=ALL + list(Channel.choices))
    month = MonthField(label=_("month"), required=False)

    def values(self) -> dict:
        return {k: v for k, v in valid_data(self).items() if v}

    def description(self):
        return filter_description(self)


class OrderForm(BootstrapFormMixin, forms.ModelForm):
    """售货清单: the order's head; its lines are `LineForm`s below it."""

    class Meta:
        model = Order
        fields = ["customer", "ordered_on", "channel", "discount", "commission", "note",
                  "over_limit_reason"]

    def __init__(self, *args, user, may_pass_limit=False, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get("customer") or self.initial.get("customer")
        offer_customers(self.fields["customer"], user, chosen=chosen)
        self.fields["ordered_on"].initial = timezone.localdate()
        if not may_pass_limit:
            del self.fields["over_limit_reason"]


class LineForm(BootstrapFormMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.none(),
                                     required=False)
    quantity = forms.IntegerField(label=_("quantity"), required=False, min_value=1,
                                  max_value=MAX_QUANTITY)
    price = MoneyFormField(label=_("unit price"), required=False)  # empty: the list price

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = selectors.products()

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("product"):
            self.add_error("product", _("Choose the product."))
        return data


LineFormSet = forms.formset_factory(LineForm, extra=LINES, max_num=50, absolute_max=50)


class DeliverForm(BootstrapFormMixin, forms.Form):
    delivered_on = forms.DateField(label=_("delivery date"))


class CancelForm(BootstrapFormMixin, forms.Form):
    cancelled_on = forms.DateField(label=_("cancellation date"))
    reason = forms.CharField(label=_("cancellation reason"), max_length=200)


class ReturnForm(BootstrapFormMixin, forms.Form):
    line = forms.TypedChoiceField(label=_("order line"), coerce=int)
    quantity = forms.IntegerField(label=_("quantity returned"), min_value=1,
                                  max_value=MAX_QUANTITY)
    reason = forms.ChoiceField(label=_("return reason"), choices=ReturnReason.choices)
    returned_on = forms.DateField(label=_("return date"))
    note = forms.CharField(label=_("notes"), max_length=500, required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (line.pk, f"{line.product.name} × {line.quantity - line.returned}")
            for line in selectors.order_lines(order) if line.returned < line.quantity]


class ReceiptForm(BootstrapFormMixin, forms.Form):
    customer = forms.ModelChoiceField(label=_("customer"), queryset=None)
    received_on = forms.DateField(label=_("date received"))
    method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    amount = MoneyFormField(label=_("amount"))
    note_due = forms.DateField(label=_("note due date"), required=False,
                               help_text=_("For a promissory note."))
    order = forms.ModelChoiceField(label=_("for order"), queryset=None, required=False)
    note = forms.CharField(label=_("notes"), max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get("customer") or self.initial.get("customer")
        offer_customers(self.fields["customer"], user, chosen=chosen)
        orders = Order.objects.visible_to(user).exclude(status=OrderStatus.CANCELLED)
        self.fields["order"].queryset = (orders.filter(customer_id=chosen).order_by("-id")
                                         if str(chosen or "").isdigit() else orders.none())
        self.fields["received_on"].initial = timezone.localdate()


class DunningForm(BootstrapFormMixin, forms.Form):
    """催缴: how the customer was reminded, when, what came of it; and, if the customer promised,
    the promise to pay (承诺付款)."""

    method = forms.ChoiceField(label=_("dunning method"), choices=DunningMethod.choices)
    acted_on = forms.DateField(label=_("dunning date"))
    result = forms.CharField(label=_("dunning result"), max_length=200)
    note = forms.CharField(label=_("notes"), max_length=500, required=False)
    promise_amount = MoneyFormField(label=_("promised amount"), required=False,
                                    help_text=_("If the customer promised to pay."))
    promise_due = forms.DateField(label=_("promised payment date"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acted_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        amount, due = data.get("promise_amount"), data.get("promise_due")
        if amount is not None and due is None and "promise_due" not in self.errors:
            self.add_error("promise_due", _("Enter the date the customer promised to pay by."))
        if due is not None and amount is None and "promise_amount" not in self.errors:
            self.add_error("promise_amount", _("Enter the amount the customer promised."))
        return data


class ReverseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("reason for the reversal"), max_length=500)


class CreditFileForm(BootstrapFormMixin, forms.ModelForm):
    """客户信用调查表, as on paper: the owner, the finances, the assets, the rating."""

    class Meta:
        model = CreditFile
        fields = ["investigated_on", "owner_character", "owner_experience", "bank",
                  "bank_credit", "accounts_complete", "peer_opinion", "neighbour_opinion",
                  "capital", "payment_attitude", "premises", "premises_owned", "premises_area",
                  "vehicles", "monthly_sales", "rating", "score", "terms", "credit_limit",
                  "term_days", "guaranteed", "guarantee", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class TargetForm(BootstrapFormMixin, forms.Form):
    amount = MoneyFormField(label=_("standard sales of the month"), required=False)


class CostForm(BootstrapFormMixin, forms.Form):
    manager = forms.ModelChoiceField(label=_("account manager"), queryset=None)
    month = MonthField(label=_("month"))
    kind = forms.ChoiceField(label=_("cost item"), choices=CostKind.choices)
    amount = MoneyFormField(label=_("amount"), min_value=None)
    note = forms.CharField(label=_("notes"), max_length=200, required=False)

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers


class ReportForm(BootstrapFormMixin, forms.ModelForm):
    """The manager's part of the monthly sales analysis report, at the version shown."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SalesReport
        fields = ["overview", "problems", "opinions", "forecast", "forecast_amount"]
        widgets = {name: forms.Textarea(attrs={"rows": 4})
                   for name in ("overview", "problems", "opinions", "forecast")}


class ReviewForm(BootstrapFormMixin, forms.Form):
    comment = forms.CharField(label=_("review comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportFilter(BootstrapFormMixin, forms.Form):
    month = MonthField(label=_("month"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=ALL + list(ReportStatus.choices))

    def values(self) -> dict:
        return {k: v for k, v in valid_data(self).items() if v}


class YearChoice(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)

    def value(self) -> int:
        year = valid_data(self).get("year")
        return year or timezone.localdate().year


class BonusRunForm(BootstrapFormMixin, forms.Form):
    """A run the worker has not drafted (a month before Qiao ran): a month's or a year's."""

    kind = forms.ChoiceField(label=_("kind"), choices=BonusKind.choices)
    month = MonthField(label=_("month"), required=False)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == BonusKind.MONTH and not data.get("month"):
            self.add_error("month", _("Choose the month."))
        if data.get("kind") == BonusKind.YEAR and not data.get("year"):
            self.add_error("year", _("Enter the year."))
        return data

    def period(self):
        data = self.cleaned_data
        return data["month"] if data["kind"] == BonusKind.MONTH else date(data["year"], 1, 1)


class AnnualAmountForm(BootstrapFormMixin, forms.Form):
    amount = MoneyFormField(label=_("annual sales target"))


class SplitForm(BootstrapFormMixin, forms.Form):
    """One amount per child of the unit (a region, a team or an account manager)."""

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        for row in children:
            self.fields[f"c{row['child'].pk}"] = MoneyFormField(label=str(row["child"]))

    def amounts(self, children) -> dict:
        return {row["child"]: self.cleaned_data[f"c{row['child'].pk}"] for row in children}


class SpreadForm(BootstrapFormMixin, forms.Form):
    confirm = forms.BooleanField(label=_("Overwrite the monthly targets already set"),
                                 required=False)


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    """The manager's part of the personal sales plan, at the version shown."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = SalesPlan
        fields = ["q1", "q2", "q3", "q4", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class MeasureForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("measure"), max_length=300, required=False)
    due_on = forms.DateField(label=_("due date"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("status"), choices=MeasureStatus.choices,
                               initial=MeasureStatus.OPEN)


MeasureFormSet = forms.formset_factory(MeasureForm, extra=2, max_num=30, absolute_max=30)


class MarginForm(BootstrapFormMixin, forms.Form):
    min_margin = forms.DecimalField(label=_("minimum gross margin rate (%)"), required=False,
                                    min_value=0, max_value=100, max_digits=5, decimal_places=2)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PriceListForm(BootstrapFormMixin, forms.ModelForm):
    """价目表's head; its lines are `PriceLineForm`s below it."""

    class Meta:
        model = PriceList
        fields = ["name", "valid_from", "valid_to", "grade", "channel", "active", "note"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["active"].initial = True  # a new list is meant to be used


class PriceLineForm(BootstrapFormMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.none(),
                                     required=False)
    price = MoneyFormField(label=_("unit price"), required=False, min_value=Decimal("0.01"))
    min_quantity = forms.IntegerField(label=_("from quantity"), required=False, min_value=1,
                                      max_value=MAX_QUANTITY, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every product, so that a line of one taken off sale still shows (and is refused).
        self.fields["product"].queryset = Product.objects.order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("product") and data.get("price") is None:
            self.add_error("price", _("Enter the unit price."))
        if data.get("price") is not None and not data.get("product"):
            self.add_error("product", _("Choose the product."))
        return data


PriceLineFormSet = forms.formset_factory(PriceLineForm, extra=3, max_num=300, absolute_max=300,
                                         can_delete=True)


class PriceQuery(BootstrapFormMixin, forms.Form):
    """The order form's price lookup: the customer, the order day and channel chosen so far."""

    customer = forms.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    ordered_on = forms.DateField(required=False, validators=[PlausibleDate()])
    channel = forms.ChoiceField(choices=[("", ""), *Channel.choices], required=False)
