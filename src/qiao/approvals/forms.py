from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin

from . import selectors
from .models import Delegation


class DecisionForm(BootstrapFormMixin, forms.Form):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Reject")),
                 ("return", _("Return for changes"))]

    task = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=DECISIONS)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ResubmitForm(BootstrapFormMixin, forms.Form):
    """The requester's reply to a return, sent with the changes."""

    comment = forms.CharField(label=_("Your reply"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("What you changed, for the approvers."))


class DelegateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user} · {user.unit}" if user.unit_id else str(user)


class DelegationForm(BootstrapFormMixin, forms.ModelForm):
    delegate = DelegateChoiceField(label=_("delegate"), queryset=None)

    class Meta:
        model = Delegation
        fields = ["delegate", "starts_on", "ends_on"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["delegate"]).queryset = selectors.delegate_choices(user)
