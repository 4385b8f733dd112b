from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.fields import PhoneFormField
from qiao.core.forms import CHOOSE, BootstrapFormMixin, filter_description, valid_data
from qiao.core.validators import PlausibleDate
from qiao.customers.models import Contact, Customer
from qiao.customers.selectors import offer_customers

from . import selectors
from .models import (
    Call,
    CallDirection,
    CallPurpose,
    CallResult,
    Category,
    Cause,
    Kind,
    Severity,
    Status,
    Ticket,
)

ALL = [("", _("All"))]


class TicketForm(BootstrapFormMixin, forms.ModelForm):
    """登记: the ticket as the customer reported it."""

    class Meta:
        model = Ticket
        fields = ["customer", "kind", "channel", "severity", "category", "subject",
                  "description", "contact", "reporter_name", "reporter_phone", "reporter_email",
                  "product", "batch"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get("customer") or self.initial.get("customer")
        offer_customers(self.fields["customer"], user, chosen=chosen)
        # The chosen customer's own contacts; none until a customer is chosen.
        contacts = Contact.objects.filter(is_deleted=False)
        self.fields["contact"].queryset = (contacts.filter(customer_id=chosen)
                                           if str(chosen or "").isdigit() else contacts.none())


class FilterForm(BootstrapFormMixin, forms.Form):
    """The list's filters; invalid values are ignored, never an error page."""

    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), required=False)
    kind = forms.ChoiceField(label=_("kind"), required=False)
    severity = forms.ChoiceField(label=_("severity"), required=False)
    queue = forms.ModelChoiceField(label=_("queue"), required=False, queryset=None,
                                   empty_label=_("All"))
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    sort = forms.ChoiceField(label=_("order"), required=False, choices=[
        ("due", _("Nearest resolution due first")), ("new", _("Newest first"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(selectors.OPEN, _("Open")), *ALL, *Status.choices]
        self.fields["kind"].choices = ALL + list(Kind.choices)
        self.fields["severity"].choices = ALL + list(Severity.choices)
        self.fields["queue"].queryset = selectors.active_queues()

    def values(self) -> dict:
        data = valid_data(self)
        if "status" not in self.data:  # the list opens on the open tickets
            data["status"] = selectors.OPEN
        return {k: v for k, v in data.items() if v}

    def description(self):
        return filter_description(self, skip=("sort",))


class VersionedForm(BootstrapFormMixin, forms.Form):
    """A step on the ticket's page: the version it was shown at, so that two people acting at
    once cannot both win (409)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ReplyForm(VersionedForm):
    body = forms.CharField(label=_("reply to the customer"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(label=_("internal note"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Seen by colleagues only, never by the customer."))


class AssignForm(VersionedForm):
    queue = forms.ModelChoiceField(label=_("queue"), required=False, queryset=None)
    assignee = forms.ModelChoiceField(label=_("assignee"), required=False, queryset=None)
    reason = forms.CharField(label=_("reason"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = selectors.active_queues()
        self.fields["assignee"].queryset = selectors.handlers()


class ResolveForm(VersionedForm):
    resolution = forms.CharField(label=_("result"), max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("What was done; the customer receives it."))
    cause = forms.ChoiceField(label=_("cause"), required=False,
                              choices=[("", CHOOSE)] + list(Cause.choices),
                              help_text=_("Needed for a complaint."))


class CloseForm(VersionedForm):
    rating = forms.TypedChoiceField(
        label=_("customer's satisfaction"), coerce=int,
        choices=[(5, _("5 · very satisfied")), (4, _("4 · satisfied")), (3, _("3 · neutral")),
                 (2, _("2 · dissatisfied")), (1, _("1 · very dissatisfied"))])
    comment = forms.CharField(label=_("customer's comment"), required=False, max_length=500)


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


class CaseForm(BootstrapFormMixin, forms.Form):
    case_summary = forms.CharField(label=_("case summary"), max_length=3000,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("What the case teaches the next agent."))


# --- the call centre ------------------------------------------------------------------------------

class NumberForm(BootstrapFormMixin, forms.Form):
    """来电: the number on the phone's display, to find who is calling."""

    phone = PhoneFormField(label=_("caller's number"), max_length=40)


class CallForm(BootstrapFormMixin, forms.ModelForm):
    """呼入/呼出业务记录: the call as the agent records it; the customer one of those the
    number matched (or any the agent sees), left empty when none of them called."""

    class Meta:
        model = Call
        fields = ["direction", "phone", "customer", "started_at", "duration", "purpose",
                  "result", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}),
                   "started_at": forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                     format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, user, candidates=(), **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("started_at", timezone.localtime().replace(
            second=0, microsecond=0))
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        field.queryset = Customer.objects.visible_to(user)
        field.empty_label = _("Not a customer we know / not sure")
        field.widget.choices = [("", field.empty_label)] + [(c.pk, c.name) for c in candidates]
        self.fields["duration"].help_text = _("In seconds, from 0 to 86,400 (24 hours).")


class CallChooseForm(BootstrapFormMixin, forms.Form):
    """Which of the customers with the call's number called."""

    customer = forms.ModelChoiceField(label=_("customer"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(
            pk__in=[c.pk for c in candidates])


class CallTicketForm(BootstrapFormMixin, forms.Form):
    """建工单: what the ticket raised by the call needs beyond the call itself."""

    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices,
                                 initial=Severity.GENERAL)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices,
                                 initial=Category.OTHER)
    subject = forms.CharField(label=_("subject"), max_length=120)
    description = forms.CharField(label=_("description"), max_length=10000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Empty: the call's summary."))


class CallFilterForm(BootstrapFormMixin, forms.Form):
    """The call list's filters; invalid values are ignored."""

    q = forms.CharField(label=_("search"), required=False, max_length=100)
    direction = forms.ChoiceField(label=_("direction"), required=False,
                                  choices=ALL + list(CallDirection.choices))
    purpose = forms.ChoiceField(label=_("purpose"), required=False,
                                choices=ALL + list(CallPurpose.choices))
    result = forms.ChoiceField(label=_("result"), required=False,
                               choices=ALL + list(CallResult.choices))
    date_from = forms.DateField(label=_("from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                validators=[PlausibleDate(not_future=True)])
    date_to = forms.DateField(label=_("to"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                                validators=[PlausibleDate(not_future=True)])
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def values(self) -> dict:
        return {k: v for k, v in valid_data(self).items() if v}

    def description(self):
        return filter_description(self)


class PeriodForm(BootstrapFormMixin, forms.Form):
    """The period of the agent statistics (dates, inclusive)."""

    date_from = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}),
                                validators=[PlausibleDate(not_future=True)])
    date_to = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}),
                                validators=[PlausibleDate(not_future=True)])

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and not timedelta(0) <= end - start <= timedelta(days=366):
            raise forms.ValidationError(_("The period runs forward and lasts a year at most."))
        return data
