from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import CleanInputMixin
from qiao.customers.forms import offer_customers

from . import selectors
from .models import Delegation, HospitalityRequest


class HospitalityForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = HospitalityRequest
        fields = ["customer", "amount", "date", "guests", "purpose"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self.fields["customer"], user,
                        chosen=self.data.get("customer") or self.initial.get("customer"))
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class DecisionForm(CleanInputMixin, forms.Form):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Reject")),
                 ("return", _("Return for changes"))]

    task = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=DECISIONS)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class ResubmitForm(forms.Form):
    """The requester's reply to a return, sent with the changes."""

    comment = forms.CharField(label=_("Your reply"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                              help_text=_("What you changed, for the approvers."))


class DelegateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user} · {user.unit}" if user.unit_id else str(user)


class DelegationForm(CleanInputMixin, forms.ModelForm):
    delegate = DelegateChoiceField(label=_("delegate"), queryset=None,
                                   widget=forms.Select(attrs={"class": "form-select"}))

    class Meta:
        model = Delegation
        fields = ["delegate", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date", "class": "form-control"},
                                         format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date", "class": "form-control"},
                                       format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = selectors.delegate_choices(user)
