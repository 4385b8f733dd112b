from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin, filter_description, valid_data
from qiao.core.money import MoneyFormField

from . import selectors, sources
from .models import (
    CRITERION_MAX,
    MAX_CAP,
    MAX_POINTS,
    MAX_TARGET,
    Appraisal,
    Form,
    LineKind,
    PeriodKind,
    Scorecard,
    Status,
)
from .periods import previous_period

ALL = [("", _("All"))]
KPI_ROWS = 7  # the scheme form's KPI lines


class ScorecardForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Scorecard
        fields = ["name", "role", "subject", "period_kind", "active", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("active", True)


class KpiForm(BootstrapFormMixin, forms.Form):
    """One KPI line of a scheme; a line without an indicator is left out."""

    source = forms.ChoiceField(label=_("indicator"), required=False)
    weight = forms.IntegerField(label=_("weight (%)"), required=False, min_value=1,
                                max_value=100)
    target = forms.DecimalField(label=_("target"), required=False, max_digits=14,
                                decimal_places=2, min_value=0.01, max_value=MAX_TARGET)
    cap = forms.IntegerField(label=_("score cap (%)"), required=False, min_value=100,
                             max_value=MAX_CAP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—"), *sources.choices()]

    def clean(self):
        data = super().clean()
        if data.get("source"):
            for name in ("weight", "target"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Required for a KPI."))
        return data


KpiFormSet = forms.formset_factory(KpiForm, extra=0, max_num=KPI_ROWS, absolute_max=KPI_ROWS,
                                   validate_max=True)


def kpi_formset(scorecard=None, data=None):
    initial = [{"source": k.source, "weight": k.weight, "target": k.target, "cap": k.cap}
               for k in scorecard.kpis.all()] if scorecard is not None and scorecard.pk else []
    initial += [{}] * (KPI_ROWS - len(initial))
    return KpiFormSet(data, initial=initial, prefix="kpi")


def kpis_of(formset) -> list[dict]:
    return [{"source": f.cleaned_data["source"], "weight": f.cleaned_data["weight"],
             "target": f.cleaned_data["target"], "cap": f.cleaned_data.get("cap") or 100}
            for f in formset.forms if f.cleaned_data.get("source")]


class DraftForm(BootstrapFormMixin, forms.Form):
    """A new appraisal: a scheme's for a person or unit, or the department manager's sheet."""

    scorecard = forms.ModelChoiceField(label=_("appraisal scheme"), required=False,
                                       queryset=Scorecard.objects.none(),
                                       empty_label=_("Department manager's performance "
                                                     "evaluation"))
    person = forms.ModelChoiceField(label=_("appraisee"), required=False, queryset=None)
    unit = forms.ModelChoiceField(label=_("appraised unit"), required=False, queryset=None)
    period_kind = forms.ChoiceField(label=_("period (manager's evaluation)"), required=False,
                                    choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    day = forms.DateField(label=_("a day of the evaluation period"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].queryset = selectors.scorecards(active_only=True)
        self.fields["person"].queryset = selectors.appraisable_people(user)
        self.fields["unit"].queryset = selectors.appraisable_units(user)
        self.fields["day"].initial = previous_period(PeriodKind.QUARTER, timezone.localdate())


class AppraisalForm(BootstrapFormMixin, forms.ModelForm):
    """The evaluator's part, at the version shown; on the manager's sheet a score per
    criterion (`c<id>`)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Appraisal
        fields = ["evaluation", "comments"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("evaluation", "comments")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = []
        if self.instance.form == Form.SHEET:
            choices = [("", "—"), *((str(n), str(n)) for n in range(CRITERION_MAX + 1))]
            for criterion in self.instance.criteria.all():
                name = f"c{criterion.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=criterion.text, required=False, choices=choices, coerce=int,
                    empty_value=None)
                self.initial.setdefault(name, criterion.score)
                self.criteria.append((criterion, name))

    def scores(self) -> dict:
        return {criterion.pk: self.cleaned_data.get(name) for criterion, name in self.criteria}


class LineForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("reward or penalty"), choices=LineKind.choices)
    reason = forms.CharField(label=_("reason"), max_length=200)
    amount = MoneyFormField(label=_("amount"), required=False)
    points = forms.DecimalField(label=_("points"), required=False, max_digits=4,
                                decimal_places=1, min_value=0.1, max_value=MAX_POINTS)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(BootstrapFormMixin, forms.Form):
    comment = forms.CharField(label=_("reason for returning"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class AppraisalFilter(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("appraisee"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("status"), required=False, choices=ALL + list(Status.choices))
    form = forms.ChoiceField(label=_("form"), required=False, choices=ALL + list(Form.choices))

    def values(self) -> dict:
        return {k: v for k, v in valid_data(self).items() if v}

    def description(self):
        return filter_description(self)


class RankingFilter(BootstrapFormMixin, forms.Form):
    period_kind = forms.ChoiceField(label=_("period"), required=False, choices=PeriodKind.choices)
    day = forms.DateField(label=_("a day of the evaluation period"), required=False)
    form = forms.ChoiceField(label=_("form"), required=False, choices=Form.choices)

    def values(self) -> dict:
        data = valid_data(self)
        kind = data.get("period_kind") or PeriodKind.QUARTER
        day = data.get("day") or previous_period(kind, timezone.localdate())
        return {"period_kind": kind, "day": day, "form": data.get("form") or Form.KPI}

    def description(self):
        return filter_description(self)
