from django import forms

from qiao.core.forms import BootstrapFormMixin
from qiao.customers.selectors import offer_customers

from .models import HospitalityRequest


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
