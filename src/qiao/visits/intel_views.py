"""Market-intelligence pages (市场信息): unlicensed-trading reports and the competitor search."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from qiao.core.htmx import render_page
from qiao.core.lists import ListSpec, list_page
from qiao.core.views import attempt
from qiao.org.decorators import requires

from . import intel, selectors
from .actions import VISIT_RECORD
from .intel_forms import (
    CompetitorFilterForm,
    OutcomeForm,
    PassOnForm,
    ReportFilterForm,
    ReportForm,
)

REPORTS = ListSpec(
    url_name="visits:intel_reports",
    template="visits/intel_reports.html",
    fragment="visits/intel_report_results.html",
    form=lambda request: ReportFilterForm(request.GET or None),
    rows=lambda user, form: intel.report_list(user, form.filters()),
    title=gettext_lazy("Unlicensed trading reports"),
)

COMPETITORS = ListSpec(
    url_name="visits:intel_competitors",
    template="visits/intel_competitors.html",
    fragment="visits/intel_competitor_results.html",
    form=lambda request: CompetitorFilterForm(request.GET or None, user=request.user),
    rows=lambda user, form: intel.competitor_visits(user, form.filters()),
    searched=lambda form: bool(form.filters().q),
    title=gettext_lazy("Competitor information"),
)


@require_GET
@requires(VISIT_RECORD)
def report_list(request):
    return list_page(request, REPORTS)


@require_GET
@requires(VISIT_RECORD)
def competitor_list(request):
    return list_page(request, COMPETITORS)


def _visit(request):
    """The visit a report starts from (?visit= or the form's), one the user sees; else None."""
    chosen = request.POST.get("visit") or request.GET.get("visit")
    return selectors.visit_get(request.user, chosen) if chosen else None


@requires(VISIT_RECORD)
def report_new(request):
    """上报无证经营: from a visit's page (the visit and its customer's address filled in) or
    the reports list."""
    visit = _visit(request)
    initial = {"observed_on": visit.visited_on if visit else timezone.localdate()}
    if visit is not None:
        initial["place"] = visit.customer.address[:200]
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            report, status = attempt(form, lambda: intel.report_submit(
                actor=request.user, visit=visit, photo=form.cleaned_data["photo"],
                **{name: form.cleaned_data[name] for name in ReportForm.Meta.fields}))
            if status is None:
                messages.success(request, _("Report sent to your regional manager."))
                return redirect("visits:intel_detail", pk=report.pk)
    return render_page(request, "visits/intel_form.html", {"form": form, "visit": visit},
                       status=status)


def _detail(request, report, *, pass_on_form=None, outcome_form=None, status=200):
    return render_page(request, "visits/intel_detail.html", {
        "report": report, "may_handle": intel.may_handle(request.user, report),
        "pass_on_form": pass_on_form or PassOnForm(initial={"passed_on": timezone.localdate()}),
        "outcome_form": outcome_form or OutcomeForm()}, status=status)


@require_GET
@requires(VISIT_RECORD)
def report_detail(request, pk):
    return _detail(request, intel.report_get(request.user, pk))


@require_POST
@requires(VISIT_RECORD)
def report_pass_on(request, pk):
    report = intel.report_get(request.user, pk)
    if not intel.may_handle(request.user, report):
        raise Http404
    form = PassOnForm(request.POST)
    status = 400
    if form.is_valid():
        _result, status = attempt(form, lambda: intel.report_pass_on(
            actor=request.user, report=report, **form.cleaned_data))
        if status is None:
            messages.success(request, _("Recorded as passed on to the monopoly administration."))
            return redirect("visits:intel_detail", pk=report.pk)
    return _detail(request, report, pass_on_form=form, status=status)


@require_POST
@requires(VISIT_RECORD)
def report_handle(request, pk):
    report = intel.report_get(request.user, pk)
    if not intel.may_handle(request.user, report):
        raise Http404
    form = OutcomeForm(request.POST)
    status = 400
    if form.is_valid():
        _result, status = attempt(form, lambda: intel.report_handle(
            actor=request.user, report=report, outcome=form.cleaned_data["outcome"]))
        if status is None:
            messages.success(request, _("Outcome recorded; the reporter has been told."))
            return redirect("visits:intel_detail", pk=report.pk)
    return _detail(request, report, outcome_form=form, status=status)
