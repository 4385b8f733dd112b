from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin
from qiao.customers.selectors import offer_customers

from .models import Stage, WorkOrder


class WorkOrderForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WorkOrder
        fields = ["customer", "kind", "title", "content", "departments", "budget", "deadline"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self.fields["customer"], user,
                        chosen=(self.data.get("customer") or self.initial.get("customer")
                                or self.instance.customer_id))
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


def returned_work_order_form(data=None, *, subject, user):
    """The approval engine's edit form of a work order returned for changes."""
    return WorkOrderForm(data, instance=subject, user=user)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)] if data else []


class StageForm(BootstrapFormMixin, forms.Form):
    stage = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("date"))
    people = forms.CharField(label=_("people"), max_length=200,
                             help_text=_("Who took part, e.g. the departments' people and the "
                                         "customer's."))
    note = forms.CharField(label=_("note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("attachments"), required=False)


class FilterForm(BootstrapFormMixin, forms.Form):
    """The list's filters; invalid values are ignored, never an error page."""

    stage = forms.ChoiceField(label=_("stage"), required=False)
    kind = forms.ChoiceField(label=_("kind"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["stage"].choices = everything + list(Stage.choices)
        self.fields["kind"].choices = everything + list(WorkOrder.Kind.choices)

    def values(self):
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
