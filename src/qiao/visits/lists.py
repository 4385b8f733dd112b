"""The visits' lists (core.lists): the visit records (客户拜访管理表's rows, with its file) and
the commitments."""

from django.utils.translation import gettext_lazy as _

from qiao.core.exports import DATE, Column
from qiao.core.lists import ListSpec

from . import selectors, worklog_selectors
from .forms import CommitmentFilterForm, VisitFilterForm
from .worklog_forms import GoingOutFilterForm, ReportFilterForm


def _visit_filters(request):
    return VisitFilterForm(request.GET or None, user=request.user)


VISITS = ListSpec(
    url_name="visits:list",
    template="visits/list.html",
    fragment="visits/_results.html",
    form=_visit_filters,
    rows=lambda user, form: selectors.visit_list(user, form.filters()),
    searched=lambda form: bool(form.filters().q),
    title=_("Customer visits"),
    # The columns of visits/_results.html; customer and manager are joined by the selector.
    columns=[
        Column(_("Visit date"), "visited_on", 12, kind=DATE),
        Column(_("Customer name"), "customer.name", 30),
        Column(_("Visit kind"), "kind", 10),
        Column(_("Visit type"), "method", 10),
        Column(_("Account manager"), "author", 10),
        Column(_("Purpose"), "purpose", 24),
        Column(_("Findings"), "findings", 40),
        Column(_("Signed by"), "signer_name", 10),
    ],
)


def _commitment_filters(request):
    return CommitmentFilterForm(request.GET or None)


COMMITMENTS = ListSpec(
    url_name="visits:commitments",
    template="visits/commitments.html",
    fragment="visits/_commitment_results.html",
    form=_commitment_filters,
    rows=lambda user, form: selectors.commitment_list(user, form.filters()),
    title=_("Commitments"),
)


# --- work reports and going out (工作日志、外出登记) ----------------------------------------------

def _report_filters(request):
    return ReportFilterForm(request.GET or None, user=request.user)


WORK_REPORTS = ListSpec(
    url_name="visits:work_reports",
    template="visits/worklog_list.html",
    fragment="visits/worklog_results.html",
    form=_report_filters,
    rows=lambda user, form: worklog_selectors.report_list(user, form.filters()),
    title=_("Work logs and summaries"),
)


def _going_out_filters(request):
    return GoingOutFilterForm(request.GET or None)


GOING_OUT = ListSpec(
    url_name="visits:going_out",
    template="visits/worklog_going_out.html",
    fragment="visits/worklog_going_out_results.html",
    form=_going_out_filters,
    rows=lambda user, form: worklog_selectors.going_out_list(user, out_only=form.out_only()),
    title=_("Going-out registrations"),
)
