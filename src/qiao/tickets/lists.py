"""The service desk's list (core.lists): an agent's queue, a manager's customers' tickets, a
supervisor's team — the same page with its filters, print layout and Excel/CSV file."""

from django.utils.translation import gettext_lazy as _

from qiao.core.exports import DATE, Column
from qiao.core.lists import ListSpec

from . import selectors
from .forms import CallFilterForm, FilterForm


def _filters(request):
    return FilterForm(request.GET or None)


TICKETS = ListSpec(
    url_name="tickets:list",
    template="tickets/list.html",
    fragment="tickets/_results.html",
    form=_filters,
    rows=lambda user, form: selectors.ticket_list(user, **form.values()),
    searched=lambda form: bool(form.values().get("q")),
    title=_("Service tickets"),
    # The columns of tickets/_results.html.
    columns=[
        Column(_("Number"), "number", 12),
        Column(_("Kind"), "kind", 10),
        Column(_("Subject"), "subject", 30),
        Column(_("Customer"), "customer.name", 28),
        Column(_("Severity"), "severity", 8),
        Column(_("Status"), "status", 10),
        Column(_("Assignee"), "assignee", 10),
        Column(_("Resolution due"), "resolution_due", 16, kind=DATE),
        Column(_("Registered"), "created_at", 16, kind=DATE),
    ],
)


def _call_filters(request):
    return CallFilterForm(request.GET or None)


CALLS = ListSpec(
    url_name="tickets:call_list",
    template="tickets/calls/list.html",
    fragment="tickets/calls/_results.html",
    form=_call_filters,
    rows=lambda user, form: selectors.call_list(user, **form.values()),
    searched=lambda form: bool(form.values().get("q")),
    title=_("Calls"),
)
