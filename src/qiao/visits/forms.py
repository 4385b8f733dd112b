"""The visits' forms: the visit record (a plain form: a record is written once, never edited),
the commitments' fulfil and cancel forms, the lists' filters, the hospitality request, its
actual cost and the monthly hospitality budgets."""

import uuid
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qiao.core.forms import BootstrapFormMixin, MonthField, filter_description, valid_data
from qiao.core.money import MaxAmountValidator, MoneyFormField
from qiao.core.signatures import SignatureField
from qiao.customers.models import Grade
from qiao.customers.selectors import offer_customers
from qiao.org.scope import visible_users

from . import selectors
from .models import BUDGET_MAX, Commitment, HospitalityRequest, Method, Task, Visit
from .services import ScheduleChange, VisitInput

COMMITMENT_ROWS = 3  # blank rows for the commitments made on a visit


class ContactChoice(forms.ModelMultipleChoiceField):
    """The people met, each with position and decision power (第8条: 接待者的职务、姓名, 是否有
    决策权)."""

    def label_from_instance(self, contact):
        parts = [contact.name]
        if contact.title:
            parts.append(contact.title)
        if contact.has_decision_power:
            parts.append(str(_("has decision power")))
        return " · ".join(parts)


class VisitCustomerForm(BootstrapFormMixin, forms.Form):
    """The first step of a new visit reached from the visit list: which customer."""

    customer = forms.ModelChoiceField(label=_("customer"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self.fields["customer"], user, chosen=self.data.get("customer"))


class VisitForm(BootstrapFormMixin, forms.Form):
    """A visit record of one customer (拜访报告 / 拜访客户记录卡 / 特殊访问记录): its checklist
    and people met are the customer's, so the customer is chosen before the form is shown."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("visit kind"), choices=Visit.Kind.choices,
                             initial=Visit.Kind.REGULAR, widget=forms.RadioSelect)
    situation = forms.CharField(label=_("special situation"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("For a special visit: what happened at the "
                                            "customer's."))
    method = forms.ChoiceField(label=_("visit type"), choices=Method.choices)
    planned = forms.BooleanField(label=pgettext_lazy("visit", "planned"), required=False,
                                 initial=True,
                                 help_text=_("On the visit schedule."))
    visited_on = forms.DateField(label=_("visit date"))
    purpose = forms.CharField(label=_("purpose"), required=False, max_length=200)
    contacts = ContactChoice(label=_("people met"), queryset=None, required=False,
                             widget=forms.CheckboxSelectMultiple)
    tasks = forms.MultipleChoiceField(label=_("tasks done"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    findings = forms.CharField(label=_("findings"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("customer needs"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2}))
    complaints = forms.CharField(label=_("complaints"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    suggestions = forms.CharField(label=_("suggestions"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    competitors = forms.CharField(label=_("competitor information"), required=False,
                                  max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    suggested_order = forms.CharField(label=_("suggested order"), required=False,
                                      max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # Filled by the sign-in button (签到): the phone's time and, if the person allows it, where.
    signed_in_at = forms.DateTimeField(required=False, widget=forms.HiddenInput(
        attrs={"data-sign-in-time": ""}))
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90,
                                widget=forms.HiddenInput(attrs={"data-sign-in-lat": ""}))
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180,
                                 widget=forms.HiddenInput(attrs={"data-sign-in-lon": ""}))
    accuracy = forms.FloatField(required=False, min_value=0, max_value=100_000,
                                widget=forms.HiddenInput(attrs={"data-sign-in-accuracy": ""}))
    signer_name = forms.CharField(label=pgettext_lazy("visit", "signed by"), max_length=40,
                                  help_text=_("The customer's person who confirms the visit."))
    signature = SignatureField()

    def __init__(self, *args, user, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        rules = selectors.rules_by_key()
        self.checklist = selectors.checklist_for(customer, rules)
        labels = dict(Task.choices)
        self.fields["tasks"].choices = [(code, labels[code]) for code in self.checklist]
        self.fields["contacts"].queryset = selectors.visit_contacts(user, customer)
        self.fields["method"].initial = selectors.default_method(customer, rules)
        self.fields["visited_on"].initial = timezone.localdate()
        self.fields["idempotency_key"].initial = uuid.uuid4()
        for n in range(1, COMMITMENT_ROWS + 1):
            self.fields[f"commitment_{n}"] = forms.CharField(
                label=_("commitment"), required=False, max_length=300)
            self.fields[f"commitment_{n}_due"] = forms.DateField(label=_("due date"),
                                                                 required=False)

    def commitment_rows(self):
        return [(self[f"commitment_{n}"], self[f"commitment_{n}_due"])
                for n in range(1, COMMITMENT_ROWS + 1)]

    def to_input(self) -> VisitInput:
        data = self.cleaned_data
        return VisitInput(
            customer=self.customer, visited_on=data["visited_on"],
            signer_name=data["signer_name"], signature=data["signature"],
            idempotency_key=data["idempotency_key"], kind=data["kind"],
            situation=data["situation"], method=data["method"], planned=data["planned"],
            purpose=data["purpose"], contacts=list(data["contacts"]), tasks=data["tasks"],
            findings=data["findings"], needs=data["needs"], complaints=data["complaints"],
            suggestions=data["suggestions"], competitors=data["competitors"],
            suggested_order=data["suggested_order"], signed_in_at=data["signed_in_at"],
            latitude=data["latitude"], longitude=data["longitude"], accuracy=data["accuracy"],
            commitments=[(data[f"commitment_{n}"], data[f"commitment_{n}_due"])
                         for n in range(1, COMMITMENT_ROWS + 1)])


class FulfilForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class CancelForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("reason"), max_length=200)


class VisitFilterForm(BootstrapFormMixin, forms.Form):
    """The visit list's filters; invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("customer"), required=False, max_length=100)
    date_from = forms.DateField(label=_("from"), required=False)
    date_to = forms.DateField(label=_("to"), required=False)
    kind = forms.ChoiceField(label=_("visit kind"), required=False,
                             choices=[("", _("All kinds"))] + Visit.Kind.choices)
    author = forms.ModelChoiceField(label=_("account manager"), queryset=None, required=False,
                                    empty_label=_("All managers"))
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = visible_users(user)

    def clean_q(self):
        return self.cleaned_data["q"].strip()[:100]

    def filters(self) -> selectors.VisitFilters:
        data = valid_data(self)
        return selectors.VisitFilters(
            date_from=data.get("date_from"), date_to=data.get("date_to"),
            kind=data.get("kind") or "", customer=data.get("customer"), q=data.get("q") or "",
            author=data["author"].pk if data.get("author") else None)

    def description(self) -> list[tuple[str, str]]:
        return filter_description(self, skip=("customer",))


class CommitmentFilterForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses"))] + Commitment.Status.choices)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    returns = forms.BooleanField(label=_("Return visit due"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def filters(self) -> selectors.CommitmentFilters:
        data = valid_data(self)
        return selectors.CommitmentFilters(
            status=data.get("status") or "", overdue=bool(data.get("overdue")),
            returns=bool(data.get("returns")), mine=bool(data.get("mine")))

    def description(self) -> list[tuple[str, str]]:
        return filter_description(self)


class HospitalityForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = HospitalityRequest
        fields = ["customer", "amount", "date", "guests", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self.fields["customer"], user,
                        chosen=self.data.get("customer") or self.initial.get("customer"))


def returned_hospitality_form(data=None, *, subject, user):
    """The request type's edit form: the requester changes a returned request."""
    return HospitalityForm(data, instance=subject, user=user)


class HospitalityCostForm(BootstrapFormMixin, forms.Form):
    """实际费用: what the hospitality cost, with the receipt (票据)."""

    amount = MoneyFormField(label=_("actual cost (CNY)"), min_value=Decimal("0.01"),
                            validators=[MaxAmountValidator()])
    receipt = forms.FileField(label=_("receipt"),
                              help_text=_("The invoice or till receipt: a PDF, JPEG or PNG file."),
                              widget=forms.ClearableFileInput(
                                  attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class BudgetFilter(BootstrapFormMixin, forms.Form):
    """The month (this month by default) and the grade (none: the general budget) of the
    budget sheet."""

    month = MonthField(label=_("month"), required=False)
    grade = forms.ModelChoiceField(label=_("customer grade"), required=False,
                                   queryset=Grade.objects.order_by("rank"),
                                   empty_label=_("Every grade (general budget)"))

    def values(self) -> dict:
        data = valid_data(self)
        return {"month": data.get("month") or timezone.localdate().replace(day=1),
                "grade": data.get("grade")}


class BudgetSheetForm(BootstrapFormMixin, forms.Form):
    """One amount per manager of the sheet (empty: no budget)."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for manager, status in rows:
            self.fields[self.field_name(manager)] = MoneyFormField(
                label=manager.display_name or manager.username, required=False,
                min_value=Decimal("0.01"), max_value=BUDGET_MAX,
                initial=status.amount if status else None)

    @staticmethod
    def field_name(manager) -> str:
        return f"amount_{manager.pk}"

    def amounts(self) -> dict:
        return {manager.pk: self.cleaned_data[self.field_name(manager)]
                for manager, _status in self.rows}

    def lines(self):
        """[(manager, status, bound field)] for the template."""
        return [(manager, status, self[self.field_name(manager)]) for manager, status in self.rows]


# --- weekly visit schedules ----------------------------------------------------------------


def _day_label(day):
    return f"{WEEKDAYS[day.weekday()]} {day:%m-%d}"


WEEKDAYS = [pgettext_lazy("weekday", "Mon"), pgettext_lazy("weekday", "Tue"),
            pgettext_lazy("weekday", "Wed"), pgettext_lazy("weekday", "Thu"),
            pgettext_lazy("weekday", "Fri"), pgettext_lazy("weekday", "Sat"),
            pgettext_lazy("weekday", "Sun")]


class ScheduleForm(BootstrapFormMixin, forms.Form):
    """The manager's week: a day for each line (`day_<id>`, moved by dragging on a desktop or
    chosen on a phone), lines to remove (`remove_<id>`) and one customer to add on a day."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    add_customer = forms.ModelChoiceField(label=_("add a customer"), queryset=None,
                                          required=False)
    add_day = forms.TypedChoiceField(label=_("day"), required=False, coerce=date.fromisoformat,
                                     empty_value=None)

    def __init__(self, *args, user, schedule, lines, **kwargs):
        kwargs.setdefault("initial", {"version": schedule.version})
        super().__init__(*args, **kwargs)
        self.lines = lines
        days = [(d.isoformat(), _day_label(d)) for d in selectors.working_days(
            schedule.week_start)]
        self.fields["add_day"].choices = [("", "—"), *days]
        offer_customers(self.fields["add_customer"], user,
                        chosen=self.data.get("add_customer"))
        for line in lines:
            choices = days if line.day.isoformat() in dict(days) else [
                (line.day.isoformat(), _day_label(line.day)), *days]
            self.fields[f"day_{line.pk}"] = forms.TypedChoiceField(
                label=line.customer.name, choices=choices, coerce=date.fromisoformat,
                initial=line.day.isoformat(),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
            self.fields[f"remove_{line.pk}"] = forms.BooleanField(
                label=_("remove"), required=False)

    def line_fields(self, line):
        return self[f"day_{line.pk}"], self[f"remove_{line.pk}"]

    def clean(self):
        data = super().clean()
        if bool(data.get("add_customer")) != bool(data.get("add_day")):
            self.add_error("add_day" if data.get("add_customer") else "add_customer",
                           _("Choose both the customer and the day."))
        return data

    def to_change(self) -> ScheduleChange:
        data = self.cleaned_data
        change = ScheduleChange()
        for line in self.lines:
            if data.get(f"remove_{line.pk}"):
                change.remove.add(line.pk)
            elif data.get(f"day_{line.pk}") and data[f"day_{line.pk}"] != line.day:
                change.moves[line.pk] = data[f"day_{line.pk}"]
        if data.get("add_customer") and data.get("add_day"):
            change.add.append((data["add_customer"], data["add_day"]))
        return change


class VersionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ScheduleCommentForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(label=_("supervisor's comment"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
