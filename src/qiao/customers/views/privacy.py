"""Pages of a person's requests about their data (customers.privacy): the request on a
customer, the list of requests, the download of an approved copy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qiao.core.htmx import render_page
from qiao.core.views import attempt
from qiao.org import second_factor
from qiao.org.decorators import requires

from .. import privacy, selectors
from ..actions import PERSONAL_DATA
from ..forms import PersonalDataRequestForm


@requires(PERSONAL_DATA)
def personal_data_new(request, pk):
    customer = selectors.customer_get(request.user, pk)
    form = PersonalDataRequestForm(request.POST or None,
                                   choices=privacy.person_choices(customer))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            contact = form.contact(customer)
            _done, status = attempt(form, lambda: privacy.request_create(
                actor=request.user, customer=customer, contact=contact,
                kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"]))
            if status is None:
                messages.success(request, _("Request recorded and sent to your superior for "
                                            "approval."))
                return redirect("customers:personal_data")
    return render_page(request, "customers/personal_data_form.html",
                       {"form": form, "customer": customer}, status=status)


@require_GET
@requires(PERSONAL_DATA)
def personal_data_list(request):
    return render_page(request, "customers/personal_data_list.html", {
        "requests": privacy.request_list(request.user)[:200], "now": timezone.now(),
        "days": privacy.download_days()})


@second_factor.mark_required
@require_GET
@requires(PERSONAL_DATA)
def personal_data_download(request, pk):
    """An approved copy, for its requester only (anyone else: 404): clear values, so only from
    a session that has verified its second factor (C24)."""
    found = get_object_or_404(privacy.request_list(request.user), pk=pk,
                              requester=request.user)
    try:
        return privacy.export_send(request, found)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("customers:personal_data")
