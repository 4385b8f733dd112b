"""Work report (工作日志、个人总结) and going-out (外出登记) pages: thin — parse, one selector or
service, render or redirect."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qiao.core.htmx import render_page
from qiao.core.lists import list_page
from qiao.core.views import attempt, perform
from qiao.org.decorators import requires

from . import lists, worklog
from . import worklog_selectors as reads
from .actions import VISIT_RECORD
from .forms import VersionForm
from .worklog_forms import GoingOutForm, ReportCommentForm, ReportForm, ReportNewForm

# --- work reports ------------------------------------------------------------------------------


@require_GET
@requires(VISIT_RECORD)
def report_list(request):
    """工作日志: the user's reports and their team's, filtered by period kind, author, status."""
    return list_page(request, lists.WORK_REPORTS)


@require_http_methods(["GET", "POST"])
@requires(VISIT_RECORD)
def report_new(request):
    """A new report of a period: drafted from the period's activity, then edited."""
    form = ReportNewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            report, status = attempt(form, lambda: worklog.report_draft(
                actor=request.user, **form.cleaned_data))
            if status is None:
                messages.success(request, _("Report drafted from your work of the period: "
                                            "check it, complete it and submit it."))
                return redirect("visits:work_report_edit", pk=report.pk)
    return render_page(request, "visits/worklog_new.html", {"form": form}, status=status)


@require_GET
@requires(VISIT_RECORD)
def report_detail(request, pk):
    report = reads.report_get(request.user, pk)
    mine = report.author_id == request.user.pk
    return render_page(request, "visits/worklog_detail.html", {
        "report": report, "mine": mine,
        "submit_form": VersionForm(initial={"version": report.version}),
        "comment_form": ReportCommentForm(initial={"version": report.version,
                                                   "comment": report.comment}),
        "may_comment": not mine and not report.is_draft})


@require_http_methods(["GET", "POST"])
@requires(VISIT_RECORD)
def report_edit(request, pk):
    """The author's draft: the text, saved with its version (409 when changed since)."""
    report = reads.report_get(request.user, pk)
    if report.author_id != request.user.pk:
        raise Http404
    if not report.is_draft:
        return redirect("visits:work_report", pk=report.pk)
    form = ReportForm(request.POST or None, instance=report,
                      initial={"version": report.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _result, status = attempt(form, lambda: worklog.report_save(
                actor=request.user, report=report, body=form.cleaned_data["body"],
                expected_version=form.cleaned_data["version"]))
            if status is None:
                messages.success(request, _("Report saved."))
                return redirect("visits:work_report", pk=report.pk)
    return render_page(request, "visits/worklog_edit.html", {"form": form, "report": report},
                       status=status)


@require_POST
@requires(VISIT_RECORD)
def report_submit(request, pk):
    report = reads.report_get(request.user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else 0
    then = reverse("visits:work_report", args=[report.pk])
    return perform(request, lambda: worklog.report_submit(
        actor=request.user, report=report, expected_version=version),
        done=_("Report submitted to your supervisor."), then=then,
        refused=lambda status: redirect(then))


@require_POST
@requires(VISIT_RECORD)
def report_comment(request, pk):
    report = reads.report_get(request.user, pk)
    form = ReportCommentForm(request.POST)
    then = reverse("visits:work_report", args=[report.pk])
    if not form.is_valid():
        messages.error(request, _("Write a comment."))
        return redirect(then)
    return perform(request, lambda: worklog.report_comment(
        actor=request.user, report=report, expected_version=form.cleaned_data["version"],
        comment=form.cleaned_data["comment"]),
        done=_("Comment saved."), then=then, refused=lambda status: redirect(then))


# --- going out -------------------------------------------------------------------------------


@require_GET
@requires(VISIT_RECORD)
def going_out_list(request):
    """外出登记: the user's registrations and their team's (those still out, if asked)."""
    return list_page(request, lists.GOING_OUT)


@require_http_methods(["GET", "POST"])
@requires(VISIT_RECORD)
def going_out_new(request):
    form = GoingOutForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _going, status = attempt(form, lambda: worklog.going_out_register(
                actor=request.user, **form.cleaned_data))
            if status is None:
                messages.success(request, _("Going out registered; your supervisor sees it."))
                return redirect("visits:going_out")
    return render_page(request, "visits/worklog_going_out_form.html", {"form": form},
                       status=status)


@require_POST
@requires(VISIT_RECORD)
def going_out_return(request, pk):
    going = reads.going_out_get(request.user, pk)
    then = reverse("visits:going_out")
    return perform(request, lambda: worklog.going_out_return(actor=request.user,
                                                             going_out=going),
                   done=_("Marked as returned."), then=then,
                   refused=lambda status: redirect(then))
