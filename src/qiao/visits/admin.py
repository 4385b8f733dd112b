"""Visit rules are configured in the admin (VIS-1), and hospitality budgets may be set there
too (as on the budget page); visit records and commitments are shown there for support, read
only: they change through the pages (services)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from qiao.core.admin import CleanInputAdminMixin, ReadOnlyAdminMixin
from qiao.core.forms import CleanInputMixin

from .models import HANDBOOK_TASKS, Commitment, HospitalityBudget, Visit, VisitRule


class VisitRuleForm(CleanInputMixin, forms.ModelForm):
    """The checklist as boxes to tick (seed 002 §4.1.3 a–f), stored as their codes."""

    tasks = forms.MultipleChoiceField(
        label=_("tasks on each visit"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(task.value, task.label) for task in HANDBOOK_TASKS],
        help_text=_("The checklist of each visit (seed 002 §4.1.3 a–f)."))

    class Meta:
        model = VisitRule
        fields = ["grade", "category", "frequency_days", "method", "tasks", "training"]

    def clean_tasks(self):
        chosen = set(self.cleaned_data["tasks"])
        return [task.value for task in HANDBOOK_TASKS if task.value in chosen]


@admin.register(VisitRule)
class VisitRuleAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    """How often each grade (optionally each classification within it) is visited, how, and
    what is done on each visit."""

    form = VisitRuleForm
    list_display = ("grade", "category", "frequency_days", "method", "training")
    list_select_related = ("grade",)
    ordering = ("grade__rank", "category")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("customer", "author", "visited_on", "kind", "method")
    list_filter = ("kind", "method")
    list_select_related = ("customer", "author")
    date_hierarchy = "visited_on"


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("text", "customer", "owner", "due_on", "status", "return_due_on")
    list_filter = ("status",)
    list_select_related = ("customer", "owner")


@admin.register(HospitalityBudget)
class HospitalityBudgetAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    """招待费预算: a manager's budget of a month (the first day), for every grade or one."""

    list_display = ("manager", "month", "grade", "amount")
    list_filter = ("month", "grade")
    list_select_related = ("manager", "grade")
    raw_id_fields = ("manager",)
    date_hierarchy = "month"
