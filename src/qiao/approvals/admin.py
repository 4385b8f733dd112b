"""Chains in the admin, with what each step resolves to for every active account manager, so
a rule that finds nobody is seen when the chain is configured, not first when someone asks."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from qiao.core.admin import CleanInputAdminMixin, ReadOnlyAdminMixin
from qiao.core.forms import CleanInputMixin
from qiao.org.models import User

from . import registry, rules
from .models import ApprovalEvent, ApprovalRequest, ApprovalTask, Chain, ChainStep, Delegation


def _sample_requesters():
    """Every active account manager (the people who raise most requests)."""
    return list(User.objects.filter(is_active=True, position__role__code="account_manager")
                .select_related("unit", "supervisor").order_by("username"))


def step_resolution(step, requesters):
    """[(requester, approver or None)]; the customer owner is taken to be the requester, as
    when a manager asks for their own customer."""
    sample_customer = type("SampleCustomer", (), {})
    rows = []
    for requester in requesters:
        customer = sample_customer()
        customer.owner = requester
        rows.append((requester, rules.resolve(step, requester, customer)))
    return rows


def unresolved_steps(chain, requesters=None):
    requesters = _sample_requesters() if requesters is None else requesters
    return [(step, [r for r, approver in step_resolution(step, requesters) if approver is None])
            for step in chain.steps.select_related("position")]


class ChainForm(CleanInputMixin, forms.ModelForm):
    type_code = forms.ChoiceField(label=_("request type"), choices=registry.choices)

    class Meta:
        model = Chain
        fields = ["type_code", "name", "is_active", "escalate_after_hours"]


class ChainStepInline(CleanInputAdminMixin, admin.TabularInline):
    model = ChainStep
    extra = 1
    fields = ["order", "label", "rule", "position", "min_amount"]


@admin.register(Chain)
class ChainAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    form = ChainForm
    list_display = ["name", "type_code", "is_active", "escalate_after_hours"]
    inlines = [ChainStepInline]
    readonly_fields = ["resolution"]

    @admin.display(description=_("Who approves (for each active account manager)"))
    def resolution(self, chain):
        if not chain.pk:
            return "—"
        requesters = _sample_requesters()
        blocks = []
        for step in chain.steps.select_related("position"):
            cells = format_html_join(
                ", ", "{}: {}",
                ((r.username, approver or format_html('<strong class="errornote">{}</strong>',
                                                      gettext("nobody")))
                 for r, approver in step_resolution(step, requesters)))
            blocks.append(format_html("<li>{} {} — {}</li>", step.order, step, cells))
        return format_html("<ul>{}</ul>", format_html_join("", "{}", ((b,) for b in blocks)))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for step, nobody in unresolved_steps(form.instance):
            if nobody:
                self.message_user(request, gettext(
                    "The step “%(step)s” finds nobody to approve for: %(users)s. Their requests "
                    "will be refused until this is fixed.") % {
                        "step": step, "users": ", ".join(u.username for u in nobody)},
                    messages.WARNING)


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a delegation is made by the person going away (approvals.services.
    delegation_set checks who may stand in for how long and passes the waiting steps)."""

    list_display = ["user", "delegate", "starts_on", "ends_on"]
    list_select_related = ["user", "delegate"]


class TaskInline(admin.TabularInline):
    model = ApprovalTask
    extra = 0
    can_delete = False
    readonly_fields = ("round", "order", "step_label", "approver", "delegated_from", "state",
                       "decided_at", "comment")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ApprovalEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "kind", "actor", "step_label", "comment")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: a request's state changes only through the engine's services."""

    list_display = ["title", "type_code", "requester", "state", "created_at"]
    list_filter = ["type_code", "state"]
    inlines = [TaskInline, EventInline]
