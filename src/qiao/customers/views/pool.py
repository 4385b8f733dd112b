"""The public pool (公海, CUS-11)."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiao.core.lists import list_page
from qiao.core.views import perform
from qiao.org.decorators import requires
from qiao.org.permissions import can

from .. import lists, selectors, services
from ..actions import (
    CUSTOMER_VIEW,
    POOL_CLAIM,
)
from ..forms import ReleaseForm

# --- the public pool (公海, CUS-11) ------------------------------------------------------------

@requires(POOL_CLAIM)
def pool_list(request):
    return list_page(request, lists.POOL)


@require_POST
@requires(POOL_CLAIM)
def pool_claim(request, pk):
    customer = selectors.pool_claim_get(request.user, pk)
    return perform(request, lambda: services.pool_claim(actor=request.user, customer=customer),
                   done=_("%s is now your customer.") % customer.name,
                   then=reverse("customers:detail", args=[customer.pk]),
                   refused=lambda status: redirect("customers:pool"))


@require_POST
@requires(CUSTOMER_VIEW)
def pool_release(request, pk):
    """Its manager, or someone who may reassign, returns a customer to its region's pool."""
    customer = selectors.customer_get(request.user, pk)
    form = ReleaseForm(request.POST)

    def release():
        if not form.is_valid():
            raise ValidationError(_("Give the reason for returning the customer to the "
                                    "public pool."))
        services.pool_release(actor=request.user, customer=customer,
                              reason=form.cleaned_data["reason"])

    return perform(request, release,
                   done=_("%s was returned to the public pool.") % customer.name,
                   then=reverse("customers:pool" if can(request.user, POOL_CLAIM)
                                else "customers:list"),
                   refused=lambda status: redirect("customers:detail", pk=customer.pk))
