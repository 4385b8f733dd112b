"""Visit pages: thin — parse, one service, render."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.core.htmx import render_page
from qiao.core.views import attempt
from qiao.org.decorators import requires

from . import services
from .forms import HospitalityForm


@requires(APPROVAL_REQUEST)
def hospitality_new(request):
    form = HospitalityForm(request.POST or None, user=request.user,
                           initial={"customer": request.GET.get("customer")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            approval, status = attempt(form, lambda: services.hospitality_request_create(
                actor=request.user, **form.cleaned_data))
            if status is None:
                messages.success(request, _("Hospitality request submitted."))
                return redirect("approvals:detail", pk=approval.pk)
    return render_page(request, "visits/hospitality_form.html", {"form": form}, status=status)
