"""The sales orders list (core.lists): a manager's own, a supervisor's team's, with the print
layout and the Excel/CSV file."""

from django.utils.translation import gettext_lazy as _

from qiao.core.exports import DATE, MONEY, Column
from qiao.core.lists import ListSpec

from . import selectors
from .forms import OrderFilter


def _filters(request):
    return OrderFilter(request.GET or None)


ORDERS = ListSpec(
    url_name="sales:orders",
    template="sales/orders.html",
    fragment="sales/_orders.html",
    form=_filters,
    rows=lambda user, form: selectors.order_list(user, **form.values()),
    searched=lambda form: bool(form.values().get("q")),
    title=_("Sales orders"),
    # The columns of sales/_orders.html.
    columns=[
        Column(_("Order number"), "number", 12),
        Column(_("Order date"), "ordered_on", 12, kind=DATE),
        Column(_("Customer"), "customer.name", 28),
        Column(_("Order channel"), "channel", 12),
        Column(_("New or fixed customer"), "customer_kind", 10),
        Column(_("Order amount"), "amount", 14, kind=MONEY),
        Column(_("Discount"), "discount", 12, kind=MONEY),
        Column(_("Status"), "status", 10),
        Column(_("Account manager"), "manager", 10),
    ],
)
