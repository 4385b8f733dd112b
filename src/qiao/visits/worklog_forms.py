"""The forms of work reports (工作日志、个人总结) and going-out registrations (外出登记)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin, filter_description, valid_data
from qiao.customers.selectors import offer_customers
from qiao.org.scope import visible_users

from . import worklog_selectors
from .models import GoingOut, WorkReport

DATETIME = "%Y-%m-%dT%H:%M"


class ReportNewForm(BootstrapFormMixin, forms.Form):
    period = forms.ChoiceField(label=_("period kind"), choices=WorkReport.Period.choices)
    day = forms.DateField(label=_("a day of the period"),
                          help_text=_("The report covers the day, week, month, quarter or year "
                                      "holding this day."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


class ReportForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = WorkReport
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}


class ReportCommentForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(label=_("supervisor's comment"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ReportFilterForm(BootstrapFormMixin, forms.Form):
    period = forms.ChoiceField(label=_("period kind"), required=False,
                               choices=[("", _("All period kinds")), *WorkReport.Period.choices])
    author = forms.ModelChoiceField(label=_("author"), required=False, queryset=None,
                                    empty_label=_("Everyone"))
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=[("", _("All statuses")), *WorkReport.Status.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = visible_users(user)  # type: ignore[attr-defined]

    def filters(self) -> worklog_selectors.ReportFilters:
        data = valid_data(self)
        return worklog_selectors.ReportFilters(period=data.get("period") or "",
                                               author=data.get("author"),
                                               status=data.get("status") or "")

    def description(self) -> list[tuple[str, str]]:
        return filter_description(self)


class GoingOutForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = GoingOut
        fields = ["place", "purpose", "customer", "leaves_at", "until"]
        widgets = {name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME)
                   for name in ("leaves_at", "until")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(self.fields["customer"], user)
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("leaves_at", now)
            self.initial.setdefault("until", now + timedelta(hours=2))


class GoingOutFilterForm(BootstrapFormMixin, forms.Form):
    out = forms.BooleanField(label=_("Only those still out"), required=False)

    def out_only(self) -> bool:
        return bool(valid_data(self).get("out"))

    def description(self) -> list[tuple[str, str]]:
        return filter_description(self)
