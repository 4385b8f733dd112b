from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import HospitalityRequest


class HospitalityForm(forms.ModelForm):
    class Meta:
        model = HospitalityRequest
        fields = ["customer", "amount", "date", "guests", "purpose"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = selectors.hospitality_customers(user)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class DecisionForm(forms.Form):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Reject")),
                 ("return", _("Return for changes"))]

    task = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=DECISIONS)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
