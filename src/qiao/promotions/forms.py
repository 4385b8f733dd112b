from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin
from qiao.core.signatures import SignatureField

from . import selectors
from .models import Campaign


class CampaignForm(BootstrapFormMixin, forms.ModelForm):
    lowest_grade_rank = forms.TypedChoiceField(label=_("eligible grades"), coerce=int,
                                               help_text=_("This grade or better."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Campaign
        fields = ["name", "starts_on", "ends_on", "quota", "lowest_grade_rank", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lowest_grade_rank"].choices = [
            (rank, _("%(grade)s or better") % {"grade": name})
            for rank, name in selectors.grade_choices()]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ItemForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("item"), max_length=80, required=False)
    unit = forms.CharField(label=_("unit of measure"), max_length=10, required=False)


ItemFormSet = forms.formset_factory(ItemForm, extra=3, max_num=30, absolute_max=30)


class RecommendForm(BootstrapFormMixin, forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("reason for the recommendation"), max_length=1000,
                             required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("decline", _("Decline"))])
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class HandoutForm(BootstrapFormMixin, forms.Form):
    """The hand-out and its receipt: a quantity for each of the campaign's items, who signs,
    and the signature pad's PNG data URL (a hidden field filled by the signature pad)."""

    handed_out_on = forms.DateField(label=_("date handed out"))
    signer_name = forms.CharField(label=_("name of the signer"), max_length=40)
    notes = forms.CharField(label=_("notes"), max_length=200, required=False)
    signature = SignatureField()

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handed_out_on"].initial = timezone.localdate()
        self.items = items
        for item in items:
            self.fields[f"qty_{item.pk}"] = forms.IntegerField(
                label=str(item), min_value=0, max_value=10_000, required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def quantity_fields(self):
        return [self[f"qty_{item.pk}"] for item in self.items]

    def quantities(self) -> dict:
        return {item.pk: self.cleaned_data.get(f"qty_{item.pk}") for item in self.items}
