"""The market-intelligence forms (visits.intel): an unlicensed-trading report, its two steps, and
the filters of the two lists."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin, filter_description, valid_data
from qiao.core.validators import PlausibleDate
from qiao.org.models import OrgUnit
from qiao.org.scope import visible_users

from . import intel
from .models import UnlicensedReport
from .selectors import VisitFilters


class ReportForm(BootstrapFormMixin, forms.ModelForm):
    """无证经营举报: where, who, what was seen and when, and a photo if one was taken."""

    photo = forms.FileField(label=_("photo"), required=False,
                            help_text=_("A JPEG or PNG photo of what was seen (optional)."),
                            widget=forms.ClearableFileInput(
                                attrs={"accept": "image/jpeg,image/png", "capture": "environment"}))

    class Meta:
        model = UnlicensedReport
        fields = ["place", "operator", "description", "observed_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "observed_on": forms.DateInput(attrs={"type": "date"})}


class PassOnForm(BootstrapFormMixin, forms.Form):
    passed_to = forms.CharField(label=_("passed on to"), max_length=100,
                                help_text=_("The monopoly administration office or person."))
    passed_on = forms.DateField(label=_("passed on"), validators=[PlausibleDate(not_future=True)],
                                widget=forms.DateInput(attrs={"type": "date"}))


class OutcomeForm(BootstrapFormMixin, forms.Form):
    outcome = forms.CharField(label=_("outcome"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("The monopoly administration's result."))


class ReportFilterForm(BootstrapFormMixin, forms.Form):
    state = forms.ChoiceField(label=_("status"), required=False,
                              choices=[("", _("All statuses"))] + UnlicensedReport.State.choices)
    region = forms.ModelChoiceField(
        label=_("region"), queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION),
        required=False, empty_label=_("All regions"))

    def filters(self) -> intel.ReportFilters:
        data = valid_data(self)
        return intel.ReportFilters(state=data.get("state") or "", region=data.get("region"))

    def description(self) -> list[tuple[str, str]]:
        return filter_description(self)


class CompetitorFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("words"), required=False, max_length=100)
    date_from = forms.DateField(label=_("from"), required=False)
    date_to = forms.DateField(label=_("to"), required=False)
    author = forms.ModelChoiceField(label=_("account manager"), queryset=None, required=False,
                                    empty_label=_("All managers"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = visible_users(user)

    def filters(self) -> VisitFilters:
        data = valid_data(self)
        return VisitFilters(date_from=data.get("date_from"), date_to=data.get("date_to"),
                            q=(data.get("q") or "")[:100],
                            author=data["author"].pk if data.get("author") else None)

    def description(self) -> list[tuple[str, str]]:
        return filter_description(self)
