"""The customer archive's lists (core.lists): the customer list with its file (DAT-2) and the
public pool. The file's columns are those of the list page, in its order; values are what the
page shows: the phone masked as the `{% sensitive %}` tag shows it, an empty cell where the page
shows "—"."""

from django.utils.translation import gettext_lazy as _

from qiao.core.exports import DATE, Column
from qiao.core.lists import ListSpec

from . import selectors
from .forms import CustomerFilterForm, PoolFilterForm


def _customer_filters(request):
    return CustomerFilterForm(request.GET or None, user=request.user)


CUSTOMERS = ListSpec(
    url_name="customers:list",
    template="customers/list.html",
    fragment="customers/_fragments/results.html",
    form=_customer_filters,
    rows=lambda user, form: selectors.customer_list(user, form.filters()),
    searched=lambda form: bool(form.filters().q.strip()),
    title=_("Customer archive"),
    # The columns of customers/_fragments/results.html; grade, owner and region are joined
    # by the selector (no query per row).
    columns=[
        Column(_("Customer name"), "name", 34),
        Column(_("Grade"), "grade.name", 8),
        Column(_("Classification"), "category", 12),
        Column(_("Status"), "status", 8),
        Column(_("Region"), "region.name", 10),
        Column(_("Phone"), "phone", 16),
        Column(_("Account manager"), "owner", 10),
        Column(_("Updated"), "updated_at", 16, kind=DATE),
    ],
)


def _pool_filters(request):
    return PoolFilterForm(request.GET or None, regions=selectors.pool_regions(request.user))


def _pool_rows(user, form):
    q, region = form.values()
    return selectors.pool_list(user, q=q, region=region)


def _pool_context(request, form) -> dict:
    """Today's claims and the customers owned, against the limits of the region looked at, or
    of the user's only region."""
    user = request.user
    rules = selectors.pool_rules(form.regions)
    rule = rules.get(form.values()[1]) or (next(iter(rules.values())) if len(rules) == 1
                                           else None)
    return {"several_regions": len(form.regions) > 1, "rule": rule,
            "claimed_today": selectors.pool_claims_today(user),
            "owned": selectors.owned_count(user)}


# The pool of the user's region(s): search, a region filter for those with several, a claim
# button per customer. Details masked; no file.
POOL = ListSpec(
    url_name="customers:pool",
    template="customers/pool.html",
    fragment="customers/_fragments/pool_results.html",
    form=_pool_filters,
    rows=_pool_rows,
    searched=lambda form: bool(form.values()[0].strip()),
    context=_pool_context,
)
