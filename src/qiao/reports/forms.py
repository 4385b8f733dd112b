"""The filters above each customer table. Invalid values are ignored, never an error page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin, filter_description, valid_data
from qiao.customers.models import Customer, Grade
from qiao.org.models import OrgUnit
from qiao.org.scope import visible_users

from .selectors import KEY_CATEGORIES, NONE, ReportFilters

NOT_FILLED = (NONE, _("Not filled in"))


class ReportFilterForm(BootstrapFormMixin, forms.Form):
    grade = forms.ChoiceField(label=_("grade"), required=False)
    region = forms.ChoiceField(label=_("region"), required=False)
    district = forms.CharField(label=_("administrative area"), required=False, max_length=60)
    owner = forms.ModelChoiceField(label=_("account manager"), queryset=None, required=False,
                                   empty_label=_("All managers"))
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses")), *Customer.Status.choices])
    category = forms.ChoiceField(label=_("classification"), required=False,
                                 choices=[("", _("All classifications")),
                                          *Customer.Category.choices])
    industry = forms.ChoiceField(label=_("industry"), required=False,
                                 choices=[("", _("All industries")), *Customer.Industry.choices,
                                          NOT_FILLED])
    nature = forms.ChoiceField(label=_("enterprise nature"), required=False,
                               choices=[("", _("All natures")), *Customer.Nature.choices,
                                        NOT_FILLED])
    columns = forms.ChoiceField(label=_("count by"), required=False,
                                choices=[("grade", _("Grade")), ("status", _("Status"))])

    def __init__(self, data=None, *, user, fields, key_only=False):
        super().__init__(data)
        for name in [n for n in self.fields if n not in fields]:
            del self.fields[name]
        if "grade" in self.fields:
            self.fields["grade"].choices = [
                ("", _("All grades")), *[(str(g.pk), g.name) for g in Grade.objects.all()],
                (NONE, _("Ungraded"))]
        if "region" in self.fields:
            regions = OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION).order_by("sort_order",
                                                                                "name")
            self.fields["region"].choices = [
                ("", _("All regions")), *[(str(r.pk), r.name) for r in regions],
                (NONE, _("No region"))]
        if "owner" in self.fields:
            self.fields["owner"].queryset = visible_users(user)
        if key_only and "category" in self.fields:
            self.fields["category"].choices = [
                ("", _("Big and key customers")),
                *[(c.value, c.label) for c in Customer.Category if c in KEY_CATEGORIES]]
        self.is_valid()

    def _data(self):
        # An unbound form has no cleaned_data; an invalid one keeps only its valid fields.
        return getattr(self, "cleaned_data", {}) if self.is_bound else {}

    def filters(self) -> ReportFilters:
        data = self._data()
        owner = data.get("owner")
        return ReportFilters(
            grade=data.get("grade") or "", region=data.get("region") or "",
            owner=owner.pk if owner else None, status=data.get("status") or "",
            category=data.get("category") or "", industry=data.get("industry") or "",
            nature=data.get("nature") or "", district=(data.get("district") or "").strip(),
        )

    def columns_by(self) -> str:
        return self._data().get("columns") or "grade"

    def description(self) -> list[tuple[str, str]]:
        """The filters in force, as people read them: for the printout and the export."""
        return filter_description(self, skip=("columns",))


class CustomerSearchForm(BootstrapFormMixin, forms.Form):
    """The search for the customer whose registration form to open."""

    q = forms.CharField(label=_("search"), required=False)

    def clean_q(self):
        return self.cleaned_data["q"].strip()[:100]

    def search(self) -> str:
        return valid_data(self).get("q") or ""


class AtRiskFilter(BootstrapFormMixin, forms.Form):
    """危险客户统计表's filters: the account manager, the rule."""

    manager = forms.ModelChoiceField(label=_("account manager"), required=False, queryset=None,
                                     empty_label=_("Everyone I see"))
    rule = forms.ChoiceField(label=_("at-risk rule"), required=False)

    def __init__(self, *args, user, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = visible_users(user)
        self.fields["rule"].choices = [("", _("All")), *rules]

    def values(self) -> dict:
        data = valid_data(self)
        return {"manager": data.get("manager"), "rule": data.get("rule") or ""}

    def description(self):
        return filter_description(self)
