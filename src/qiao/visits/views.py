"""Visit pages: thin — parse, fetch through the selectors, one service, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.core.htmx import render_page
from qiao.core.lists import list_export, list_page
from qiao.core.views import attempt, perform
from qiao.customers.models import Customer
from qiao.org.decorators import requires
from qiao.org.permissions import can

from . import lists, selectors, services
from .actions import VISIT_EXPORT, VISIT_RECORD
from .forms import CancelForm, FulfilForm, HospitalityForm, VisitCustomerForm, VisitForm

# --- visits --------------------------------------------------------------------------------


@require_GET
@requires(VISIT_RECORD)
def visit_list(request):
    return list_page(request, lists.VISITS,
                     can_export=can(request.user, VISIT_EXPORT),
                     due=selectors.due_customers(request.user)[:10])


@require_GET
@requires(VISIT_RECORD)
@requires(VISIT_EXPORT)
def visit_export(request, fmt):
    return list_export(request, lists.VISITS, fmt)


def _customer(user, pk) -> Customer:
    try:
        return Customer.objects.visible_to(user).select_related("grade").get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@requires(VISIT_RECORD)
def visit_new(request):
    """A new visit record: the customer first (from the list), then its form (also opened
    from the customer page with ?customer=)."""
    user = request.user
    chosen = request.POST.get("customer") or request.GET.get("customer")
    if not chosen:
        pick = VisitCustomerForm(request.POST or None, user=user)
        if request.method == "POST":
            pick.is_valid()  # shows "this field is required"
        return render_page(request, "visits/visit_pick.html", {"form": pick},
                           status=400 if request.method == "POST" else 200)
    customer = _customer(user, chosen)
    form = VisitForm(request.POST or None, user=user, customer=customer)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = attempt(form, lambda: services.visit_record(
                actor=user, data=form.to_input()))
            if status is None:
                visit, created = result
                if created:
                    messages.success(request, _("Visit record saved."))
                else:
                    messages.info(request, _("This visit record was already saved; it is "
                                             "shown here, not saved twice."))
                return redirect("visits:detail", pk=visit.pk)
    return render_page(request, "visits/visit_form.html",
                       {"form": form, "customer": customer,
                        "rule": selectors.rule_for(customer)}, status=status)


@require_GET
@requires(VISIT_RECORD)
def visit_detail(request, pk):
    visit = selectors.visit_get(request.user, pk)
    return render_page(request, "visits/visit_detail.html", {
        "visit": visit, "tasks": selectors.task_labels(visit.tasks),
        "fulfil_form": FulfilForm(), "cancel_form": CancelForm(),
        "today": timezone.localdate()})


# --- commitments ---------------------------------------------------------------------------


@require_GET
@requires(VISIT_RECORD)
def commitment_list(request):
    return list_page(request, lists.COMMITMENTS, today=timezone.localdate(),
                     fulfil_form=FulfilForm(), cancel_form=CancelForm())


def _back(request, commitment):
    target = request.POST.get("next", "")
    if target == "list":
        return reverse("visits:commitments")
    return reverse("visits:detail", args=[commitment.visit_id])


@require_POST
@requires(VISIT_RECORD)
def commitment_fulfil(request, pk):
    commitment = selectors.commitment_get(request.user, pk)
    form = FulfilForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    then = _back(request, commitment)
    return perform(request, lambda: services.commitment_fulfil(
        actor=request.user, commitment=commitment, note=note),
        done=_("Commitment fulfilled: a return visit is now due."), then=then,
        refused=lambda status: redirect(then))


@require_POST
@requires(VISIT_RECORD)
def commitment_cancel(request, pk):
    commitment = selectors.commitment_get(request.user, pk)
    form = CancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    then = _back(request, commitment)
    return perform(request, lambda: services.commitment_cancel(
        actor=request.user, commitment=commitment, note=note),
        done=_("Commitment cancelled."), then=then, refused=lambda status: redirect(then))


# --- hospitality ---------------------------------------------------------------------------


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
