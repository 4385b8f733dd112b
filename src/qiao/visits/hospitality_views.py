"""Hospitality pages (招待): the request with the manager's budget shown before it is
submitted, the monthly budgets a superior sets for their managers, and the actual cost with
its receipt recorded after the event. Thin: parse, fetch through the selectors, one service,
render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.core.htmx import render_page
from qiao.core.views import attempt
from qiao.org.decorators import requires

from . import selectors, services
from .actions import HOSPITALITY_BUDGET
from .forms import BudgetFilter, BudgetSheetForm, HospitalityCostForm, HospitalityForm

# --- the request, with the budget ------------------------------------------------------------


def _chosen(request, form):
    """The date, customer and amount the form holds — posted, or asked about with "show the
    balance" (the same fields sent by GET) — as far as they are valid."""
    check = form if form.is_bound else HospitalityForm(request.GET, user=request.user)
    check.is_valid()
    data = check.cleaned_data
    return data.get("date") or timezone.localdate(), data.get("customer"), data.get("amount")


def _budget(request, form):
    day, customer, amount = _chosen(request, form)
    overview = selectors.budget_overview(request.user, day, customer)
    applies = overview["applies"]
    overview["over"] = applies is not None and amount is not None and amount > applies.balance
    return overview


@requires(APPROVAL_REQUEST)
def hospitality_new(request):
    initial = {name: request.GET.get(name) for name in HospitalityForm.Meta.fields
               if request.GET.get(name)}
    form = HospitalityForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            approval, status = attempt(form, lambda: services.hospitality_request_create(
                actor=request.user, **form.cleaned_data))
            if status is None:
                messages.success(request, _("Hospitality request submitted."))
                return redirect("approvals:detail", pk=approval.pk)
    return render_page(request, "visits/hospitality_form.html",
                       {"form": form, "budget": _budget(request, form)}, status=status)


# --- the monthly budgets (招待费预算) ------------------------------------------------------------


@requires(HOSPITALITY_BUDGET)
def hospitality_budgets(request):
    filters = BudgetFilter(request.GET or None)
    month, grade = filters.values()["month"], filters.values()["grade"]
    here = f"{reverse('visits:hospitality_budgets')}?" + urlencode(
        {"month": f"{month:%Y-%m}", "grade": grade.pk if grade else ""})
    if request.method == "POST" and "copy" in request.POST:
        copied = services.hospitality_budgets_copy(actor=request.user, month=month)
        messages.success(request, ngettext(
            "%(count)d budget copied from last month.",
            "%(count)d budgets copied from last month.", copied) % {"count": copied}
            if copied else _("Nothing to copy: last month has no budget that this month lacks."))
        return redirect(here)
    form = BudgetSheetForm(request.POST or None,
                           rows=selectors.budget_sheet(request.user, month, grade))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changed, status = attempt(form, lambda: services.hospitality_budgets_set(
                actor=request.user, month=month, grade=grade, amounts=form.amounts()))
            if status is None:
                messages.success(request, ngettext(
                    "%(count)d budget saved.", "%(count)d budgets saved.", changed)
                    % {"count": changed})
                return redirect(here)
    return render_page(request, "visits/hospitality_budgets.html", {
        "filters": filters, "form": form, "month": month, "grade": grade,
        "previous_month": selectors.previous_month(month),
        "next_month": selectors.next_month(month)}, status=status)


# --- the actual cost (实际费用) ----------------------------------------------------------------


@requires(APPROVAL_REQUEST)
def hospitality_cost(request, pk):
    """The requester records what the hospitality of approval request `pk` cost."""
    hospitality = selectors.hospitality_get(request.user, pk)
    if hospitality.requester_id != request.user.pk:
        raise Http404
    if hasattr(hospitality, "cost"):
        messages.info(request, _("The actual cost of this hospitality is already recorded."))
        return redirect("approvals:detail", pk=pk)
    form = HospitalityCostForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _cost, status = attempt(form, lambda: services.hospitality_cost_record(
                actor=request.user, hospitality=hospitality, **form.cleaned_data))
            if status is None:
                messages.success(request, _("Actual cost recorded."))
                return redirect("approvals:detail", pk=pk)
    return render_page(request, "visits/hospitality_cost.html", {
        "hospitality": hospitality, "approval": hospitality.approval, "form": form,
        "tolerance": f"{services.COST_TOLERANCE:.0%}"}, status=status)
