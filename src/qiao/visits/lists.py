"""The visits' lists (core.lists): the visit records (客户拜访管理表's rows, with its file) and
the commitments."""

from django.utils.translation import gettext_lazy as _

from qiao.core.exports import DATE, Column
from qiao.core.lists import ListSpec

from . import selectors
from .forms import CommitmentFilterForm, VisitFilterForm


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
