"""Appraisal pages: thin — parse, fetch through the selectors, one service, render."""

import copy

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qiao.audit import services as audit_services
from qiao.core.exports import send
from qiao.core.htmx import render_page
from qiao.core.lists import list_export, list_page
from qiao.core.origin import Origin
from qiao.core.views import attempt, perform
from qiao.org.decorators import requires
from qiao.org.permissions import can

from . import exports, lists, selectors, services
from .actions import APPRAISAL_MANAGE, APPRAISAL_VIEW
from .forms import (
    AppraisalForm,
    DraftForm,
    LineForm,
    RankingFilter,
    ReviewForm,
    ScorecardForm,
    VersionForm,
    kpi_formset,
    kpis_of,
)
from .models import Form, Status
from .periods import period_bounds, period_label
from .reports import RANKING


@require_GET
@requires(APPRAISAL_VIEW)
def appraisal_list(request):
    return list_page(request, lists.APPRAISALS, can_export=True,
                     can_manage=can(request.user, APPRAISAL_MANAGE))


@require_GET
@requires(APPRAISAL_VIEW)
def appraisal_export(request, fmt):
    return list_export(request, lists.APPRAISALS, fmt)


@requires(APPRAISAL_MANAGE)
def appraisal_new(request):
    """考核表 of a person or unit by a scheme, or the department manager's sheet."""
    form = DraftForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data

            def draft():
                if data["scorecard"] is None:
                    return services.sheet_draft(actor=request.user, person=data["person"],
                                                period_kind=data["period_kind"], day=data["day"])
                return services.appraisal_draft(actor=request.user, scorecard=data["scorecard"],
                                                day=data["day"], person=data["person"],
                                                unit=data["unit"])
            appraisal, status = attempt(form, draft)
            if status is None:
                messages.success(request, _("Appraisal drafted."))
                return redirect("appraisal:detail", pk=appraisal.pk)
    return render_page(request, "appraisal/new.html", {"form": form}, status=status)


def _page(request, appraisal, *, status=200, form=None, line=None, review=None):
    user = request.user
    writes = user.pk == appraisal.evaluator_id and appraisal.editable
    reviews = (can(user, APPRAISAL_MANAGE) and appraisal.status == Status.SUBMITTED
               and user.pk not in (appraisal.evaluator_id, appraisal.person_id))
    version = {"version": appraisal.version}
    return render_page(request, "appraisal/detail.html", {
        "appraisal": appraisal, "writes": writes,
        "form": form or (AppraisalForm(instance=appraisal, initial=version) if writes else None),
        "line_form": line or (LineForm(initial=version) if writes else None),
        "submit_form": VersionForm(initial=version) if writes else None,
        "review": review or (ReviewForm(initial=version) if reviews else None),
        "dimensions": selectors.sheet_dimensions(appraisal) if appraisal.form == Form.SHEET
        else None,
        "history": selectors.history_of(user, appraisal)}, status=status)


@requires(APPRAISAL_VIEW)
def appraisal_detail(request, pk):
    appraisal = selectors.appraisal_get(request.user, pk)
    if request.method != "POST":
        return _page(request, appraisal)
    # The form fills a copy: the service compares what was posted with the record as it is.
    form = AppraisalForm(request.POST, instance=copy.copy(appraisal))
    if not form.is_valid():
        return _page(request, selectors.appraisal_get(request.user, pk), status=400, form=form)
    _saved, status = attempt(form, lambda: services.appraisal_save(
        actor=request.user, appraisal=appraisal, data=form.cleaned_data, scores=form.scores(),
        expected_version=form.cleaned_data["version"]))
    if status is not None:
        return _page(request, selectors.appraisal_get(request.user, pk), status=status, form=form)
    messages.success(request, _("Draft saved."))
    return redirect("appraisal:detail", pk=pk)


@require_POST
@requires(APPRAISAL_MANAGE)
def line_add(request, pk):
    appraisal = selectors.appraisal_get(request.user, pk)
    form = LineForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        _line, status = attempt(form, lambda: services.line_add(
            actor=request.user, appraisal=appraisal, kind=data["kind"], reason=data["reason"],
            amount=data["amount"], points=data["points"], expected_version=data["version"]))
        if status is None:
            messages.success(request, _("Reward or penalty added."))
            return redirect("appraisal:detail", pk=pk)
    return _page(request, selectors.appraisal_get(request.user, pk), status=status, line=form)


def _step(request, pk, call, done):
    """A button of the appraisal's page (at the version shown): done, or the page again with
    the refusal."""
    appraisal = selectors.appraisal_get(request.user, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page was out of date; it has been reloaded."))
        return _page(request, appraisal, status=400)
    return perform(request, lambda: call(appraisal, form.cleaned_data["version"]), done=done,
                   then=redirect("appraisal:detail", pk=pk).url,
                   refused=lambda status: _page(
                       request, selectors.appraisal_get(request.user, pk), status=status))


@require_POST
@requires(APPRAISAL_MANAGE)
def line_remove(request, pk):
    line_id = request.POST.get("line", "")
    return _step(request, pk, lambda appraisal, version: services.line_remove(
        actor=request.user, appraisal=appraisal, line_id=int(line_id) if line_id.isdigit() else 0,
        expected_version=version), _("Reward or penalty removed."))


@require_POST
@requires(APPRAISAL_MANAGE)
def appraisal_submit(request, pk):
    return _step(request, pk, lambda appraisal, version: services.appraisal_submit(
        actor=request.user, appraisal=appraisal, expected_version=version),
        _("Appraisal submitted for confirmation."))


@require_POST
@requires(APPRAISAL_MANAGE)
def appraisal_review(request, pk):
    appraisal = selectors.appraisal_get(request.user, pk)
    form = ReviewForm(request.POST)
    confirm = request.POST.get("decision") == "confirm"
    status = 400
    if form.is_valid():
        _done, status = attempt(form, lambda: services.appraisal_review(
            actor=request.user, appraisal=appraisal, confirm=confirm,
            comment=form.cleaned_data["comment"], expected_version=form.cleaned_data["version"]))
        if status is None:
            messages.success(request, _("Appraisal confirmed.") if confirm
                             else _("Appraisal returned."))
            return redirect("appraisal:detail", pk=pk)
    return _page(request, selectors.appraisal_get(request.user, pk), status=status, review=form)


# --- schemes ---------------------------------------------------------------------------------

@require_GET
@requires(APPRAISAL_MANAGE)
def scorecards(request):
    rows = list(selectors.scorecards().prefetch_related("kpis"))
    return render_page(request, "appraisal/scorecards.html", {"scorecards": rows})


@requires(APPRAISAL_MANAGE)
def scorecard_edit(request, pk=None):
    scorecard = selectors.scorecard_get(pk) if pk is not None else None
    form = ScorecardForm(request.POST or None, instance=scorecard)
    formset = kpi_formset(scorecard, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and formset.is_valid():
            saved, status = attempt(form, lambda: services.scorecard_save(
                actor=request.user, scorecard=scorecard, data=form.cleaned_data,
                kpis=kpis_of(formset)))
            if status is None:
                messages.success(request, _("Appraisal scheme saved."))
                return redirect("appraisal:scorecards")
    return render_page(request, "appraisal/scorecard_form.html", {
        "form": form, "formset": formset, "scorecard": scorecard}, status=status)


# --- the ranking -------------------------------------------------------------------------------

@require_GET
@requires(APPRAISAL_VIEW)
def ranking(request):
    """The period's ranking of the appraisals the user sees, with its chart, Excel and print."""
    form = RankingFilter(request.GET or None)
    chosen = form.values()
    start, end = period_bounds(chosen["period_kind"], chosen["day"])
    lines = selectors.ranking(request.user, period_kind=chosen["period_kind"],
                              period_start=start, form=chosen["form"])
    table = {"lines": lines, "period": period_label(chosen["period_kind"], start),
             "start": start, "end": end}
    chart = {"names": [line["name"] for line in lines],
             "scores": [str(line["final_score"]) for line in lines],
             "label": _("Final score")}
    printing = request.GET.get("print") == "1"
    described = dict(form.description())
    export = exports.RankingFile(table)
    if request.GET.get("format") == "xlsx":
        return send(request, export.file(request.user, RANKING, form.description()),
                    rows=export.rows, filters=described)
    if printing:
        audit_services.print_record(actor=request.user, origin=Origin.of(request),
                                    what=str(RANKING.label), rows=export.rows, filters=described)
    query = request.GET.copy()
    for name in ("print", "format"):
        query.pop(name, None)
    return render_page(request, "appraisal/ranking.html", {
        "table": table, "chart": chart, "report": RANKING, "form": form, "printing": printing,
        "query": query.urlencode(), "filters_text": form.description(),
        "today": timezone.localdate()})
