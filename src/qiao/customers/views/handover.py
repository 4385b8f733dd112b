"""The handover (交接, ORG-6) of a manager's customers."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from qiao.core.htmx import render_page
from qiao.core.origin import Origin
from qiao.core.pagination import paginate
from qiao.core.views import attempt
from qiao.org.decorators import requires

from .. import requests as lifecycle_requests
from .. import selectors
from ..actions import CUSTOMER_REASSIGN
from ..forms import HandoverForm
from .archive import PAGE_SIZE

# --- handover (交接, ORG-6) --------------------------------------------------------------------

@requires(CUSTOMER_REASSIGN)
def handover_list(request):
    """Staff in scope who own customers, leavers first, and how many customers are still
    owned by disabled accounts (they must be handed over)."""
    staff = selectors.handover_staff(request.user)
    leavers = [s for s in staff if not s.is_active]
    return render_page(request, "customers/handover_list.html", {
        "staff": staff, "leavers": len(leavers),
        "orphaned": sum(s.customer_count for s in leavers),
    })


def _reassigned(request, from_user, to_user, kind, result):
    if kind == "requested":
        messages.success(request, _("The transfer needs approval: your request has been "
                                    "submitted. The customers move when it is approved."))
        return redirect("approvals:detail", pk=result.pk)
    messages.success(request, _("%(count)d customers handed over from %(from)s to %(to)s.") % {
        "count": result, "from": from_user, "to": to_user})
    return redirect("customers:handover")


@requires(CUSTOMER_REASSIGN)
def handover(request, user_id):
    """One person's customers, to hand over all or some of them to another manager."""
    from_user = selectors.handover_staff_get(request.user, user_id)
    form = HandoverForm(request.POST or None,
                        targets=selectors.handover_targets(request.user, from_user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            to_user = form.cleaned_data["to_user"]
            outcome, status = attempt(form, lambda: lifecycle_requests.customers_reassign(
                actor=request.user, from_user=from_user, to_user=to_user,
                customers=form.chosen(), reason=form.cleaned_data["reason"],
                origin=Origin.of(request)))
            if status is None:
                return _reassigned(request, from_user, to_user, *outcome)
    page, query = paginate(request, selectors.handover_customers(request.user, from_user),
                           PAGE_SIZE)
    ticked = set(form.cleaned_data.get("customers") or []) if form.is_bound else set()
    return render_page(request, "customers/handover.html", {
        "from_user": from_user, "form": form, "page": page, "query": query, "ticked": ticked,
        "needs_approval": lifecycle_requests.transfer_needs_approval(),
        "pending_transfers": lifecycle_requests.open_transfers_of(from_user, request.user),
        "in_transfer": lifecycle_requests.in_open_transfer(c.pk for c in page.object_list),
    }, status=status)
