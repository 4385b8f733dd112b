from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import CHOOSE, BootstrapFormMixin, filter_description, valid_data
from qiao.customers.models import Contact
from qiao.customers.selectors import offer_customers

from . import selectors
from .models import Cause, Kind, Severity, Status, Ticket

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
