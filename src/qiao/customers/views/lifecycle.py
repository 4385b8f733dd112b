"""The status change of a customer, at once or as a request for approval (CUS-2)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiao.org.decorators import requires

from .. import requests as lifecycle_requests
from ..actions import CUSTOMER_LIFECYCLE
from ..forms import TransitionForm
from .archive import _post_on_customer


@require_POST
@requires(CUSTOMER_LIFECYCLE)
def customer_transition(request, pk):
    form = TransitionForm(request.POST)

    def run(customer):
        if not form.is_valid():
            raise ValidationError(_("Choose the new status."))
        kind, _result = lifecycle_requests.lifecycle_change(
            actor=request.user, customer=customer, to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"], checked=request.POST.getlist("checklist"),
            expected_version=form.cleaned_data["version"])
        return kind

    return _post_on_customer(request, pk, run, {
        "changed": _("Status changed."),
        "requested": _("The status change needs approval: your request has been submitted."),
    }, tab="lifecycle")
