"""Pages of a customer's contacts."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiao.core.htmx import render_page
from qiao.core.views import attempt
from qiao.org.decorators import requires

from .. import selectors, services
from ..actions import (
    CONTACT_EDIT,
    CUSTOMER_RESTORE,
)
from ..forms import ContactForm


@requires(CONTACT_EDIT)
def contact_create(request, pk):
    customer = selectors.customer_get(request.user, pk)
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _contact, status = attempt(form, lambda: services.contact_create(
                actor=request.user, customer=customer, data=form.cleaned_data))
            if status is None:
                messages.success(request, _("Contact added."))
                return redirect("customers:detail_tab", pk=customer.pk, tab="contacts")
    return render_page(request, "customers/contact_form.html",
                       {"form": form, "customer": customer}, status=status)


@requires(CONTACT_EDIT)
def contact_edit(request, pk):
    contact = selectors.contact_get(request.user, pk)
    form = ContactForm(request.POST or None, instance=contact)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            fresh = selectors.contact_get(request.user, pk)
            _contact, status = attempt(form, lambda: services.contact_update(
                actor=request.user, contact=fresh, data=form.cleaned_data,
                expected_version=form.cleaned_data["version"]))
            if status is None:
                messages.success(request, _("Contact saved."))
                return redirect("customers:detail_tab", pk=contact.customer_id, tab="contacts")
    return render_page(request, "customers/contact_form.html",
                       {"form": form, "customer": contact.customer, "contact": contact},
                       status=status)


@require_POST
@requires(CONTACT_EDIT)
def contact_delete(request, pk):
    contact = selectors.contact_get(request.user, pk)
    services.contact_delete(actor=request.user, contact=contact)
    messages.success(request, _("Contact %s deleted.") % contact.name)
    return redirect("customers:detail_tab", pk=contact.customer_id, tab="contacts")


@require_POST
@requires(CUSTOMER_RESTORE)
def contact_restore(request, pk):
    contact = selectors.contact_get(request.user, pk, deleted=True)
    services.contact_restore(actor=request.user, contact=contact)
    messages.success(request, _("Contact %s restored.") % contact.name)
    return redirect("customers:detail_tab", pk=contact.customer_id, tab="contacts")
