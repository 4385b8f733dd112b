"""Pages of the customers themselves: the list, the form, the customer's page and tabs,
grade, follow-up, delete and restore, reveals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiao.audit import services as audit_services
from qiao.core.exceptions import (
    ANSWERED_ON_PAGE,
    RateLimited,
    SecondFactorRequired,
    http_status,
    user_message,
)
from qiao.core.htmx import render_page
from qiao.core.lists import list_export, list_page
from qiao.core.origin import Origin
from qiao.core.pagination import paginate
from qiao.core.views import attempt, perform
from qiao.dataio.actions import DATA_IMPORT
from qiao.org import second_factor
from qiao.org.actions import FIELD_REVEAL
from qiao.org.decorators import requires
from qiao.org.permissions import action_flags, can

from .. import lists, selectors, services
from .. import tabs as customer_tabs
from ..actions import (
    CUSTOMER_CREATE,
    CUSTOMER_DELETE,
    CUSTOMER_EDIT,
    CUSTOMER_EXPORT,
    CUSTOMER_GRADE,
    CUSTOMER_HISTORY,
    CUSTOMER_RESTORE,
    CUSTOMER_VIEW,
)
from ..forms import (
    CustomerForm,
    FollowUpForm,
    GradeForm,
)
from ..models import Customer

PAGE_SIZE = 25
CONFLICT = 409


@requires(CUSTOMER_VIEW)
def customer_list(request):
    return list_page(request, lists.CUSTOMERS,
                     can_create=can(request.user, CUSTOMER_CREATE),
                     can_import=can(request.user, CUSTOMER_CREATE) and can(request.user, DATA_IMPORT),
                     can_export=can(request.user, CUSTOMER_EXPORT))


@requires(CUSTOMER_VIEW)
@requires(CUSTOMER_EXPORT)
def customer_export(request, fmt):
    return list_export(request, lists.CUSTOMERS, fmt)


def _save_customer(request, form, customer=None):
    """Run the create/update service: (customer, None, 200) when saved; else (None, the
    duplicates the service asked about or None, the status) with the refusal on the form."""
    confirmed = form.cleaned_data.get("confirm_duplicate", False)
    if customer is None:
        def save():
            return services.customer_create(actor=request.user, data=form.service_data(),
                                            tags=form.cleaned_data["tags"],
                                            confirmed_not_duplicate=confirmed)
    else:
        def save():
            return services.customer_update(
                actor=request.user, customer=customer, data=form.service_data(),
                tags=form.cleaned_data["tags"], expected_version=form.cleaned_data["version"],
                confirmed_not_duplicate=confirmed)
    try:
        saved, status = attempt(form, save, let_through=services.PossibleDuplicates)
    except services.PossibleDuplicates as question:  # a question to answer, not an error
        form.add_error(None, _("Possible duplicates found; check them below, then tick the box "
                               "to save anyway."))
        return None, question.found, 200
    return saved, None, status or 200


def _invalid_form_status(form) -> int:
    """400 for bad input; 409 when the credit code belongs to another live customer."""
    return CONFLICT if form.has_error("credit_code", "duplicate") else 400


@requires(CUSTOMER_CREATE)
def customer_create(request):
    form = CustomerForm(request.POST or None, user=request.user)
    duplicates, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            customer, duplicates, status = _save_customer(request, form)
            if customer:
                messages.success(request, _("Customer %s created.") % customer.name)
                return redirect("customers:detail", pk=customer.pk)
        else:
            status = _invalid_form_status(form)
    return render_page(request, "customers/form.html",
                       {"form": form, "duplicates": duplicates}, status=status)


@requires(CUSTOMER_EDIT)
def customer_edit(request, pk):
    customer = selectors.customer_get(request.user, pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    duplicates, status = None, 200
    if request.method == "POST":
        # The form writes onto the instance; give the service a fresh copy to compare with.
        customer = selectors.customer_get(request.user, pk)
        if form.is_valid():
            saved, duplicates, status = _save_customer(request, form, customer)
            if saved:
                messages.success(request, _("Changes saved."))
                return redirect("customers:detail", pk=saved.pk)
        else:
            status = _invalid_form_status(form)
    return render_page(request, "customers/form.html",
                       {"form": form, "customer": customer, "duplicates": duplicates},
                       status=status)


@requires(CUSTOMER_VIEW)
def duplicate_check(request):
    """htmx: while the form is filled in, show customers that look like this one. Each
    question is logged and the questions per hour are limited (audit.services)."""
    keys = {"name": request.GET.get("name", "")[:120],
            "credit_code": request.GET.get("credit_code", "")[:30],
            "phone": request.GET.get("phone", "")[:30]}
    try:
        audit_services.duplicate_check_record(actor=request.user, origin=Origin.of(request),
                                              **keys)
    except RateLimited as exc:  # said in place of the list
        return render_page(request, "customers/_fragments/duplicates.html",
                           {"error": str(exc)}, status=http_status(exc))
    exclude = request.GET.get("exclude", "")
    duplicates = selectors.find_duplicates(
        request.user, **keys,
        exclude_pk=int(exclude) if exclude.isascii() and exclude.isdigit() and len(exclude) <= 18
        else None)
    return render_page(request, "customers/_fragments/duplicates.html",
                       {"duplicates": duplicates})


def _page_context(user, customer, active="profile") -> dict:
    pending = customer.pending_to_status
    return {
        "customer": customer,
        "tags": customer.tag_list,
        "tabs": [(tab, getattr(customer, tab.count_attr) if tab.count_attr else None)
                 for tab in customer_tabs.NAV_TABS if can(user, tab.action)],
        "active_tab": active,
        "pending_status": Customer.Status(pending).label if pending else "",
        "perms": action_flags(user),
        "can_reveal": can(user, FIELD_REVEAL) and not customer.in_pool,
    }


def _view_recorded(request, customer):
    """The customer was read (AUD-2): logged and counted towards the viewing alert."""
    audit_services.customer_view_record(actor=request.user, customer=customer,
                                        origin=Origin.of(request))


@requires(CUSTOMER_VIEW)
def customer_detail(request, pk):
    """The profile and the first screen; the tabs load when opened (customer_tab)."""
    customer = selectors.customer_page(request.user, pk)
    _view_recorded(request, customer)
    return render_page(request, "customers/detail.html", _page_context(request.user, customer))


@requires(CUSTOMER_VIEW)
def customer_tab(request, pk, tab):
    """One tab of the customer page: its fragment for htmx, else the page with that tab open
    (links work without JavaScript). 404 for an unknown tab, a customer the user does not
    see, or a tab whose action the user lacks."""
    entry = customer_tabs.get(tab)
    if entry is None or not can(request.user, entry.action):
        raise Http404
    user = request.user
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        customer = selectors.customer_get(user, pk)
        # A tab is a read of the customer like the page: logged and counted towards the view
        # alert, so that fetching tabs directly reads nothing unrecorded.
        if entry.logs_view:
            _view_recorded(request, customer)
        response = render(request, entry.template, {
            "customer": customer, "perms": action_flags(user),
            "can_reveal": can(user, FIELD_REVEAL) and not customer.in_pool,
            **entry.context(user, customer)})
        patch_vary_headers(response, ["HX-Request"])  # one URL, a fragment or the page
        return response
    customer = selectors.customer_page(user, pk)
    _view_recorded(request, customer)
    context = _page_context(user, customer, active=entry.code)
    context.update(entry.context(user, customer))
    context["tab_template"] = entry.template
    response = render(request, "customers/detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@requires(CUSTOMER_HISTORY)
def customer_history(request, pk):
    customer = selectors.customer_get(request.user, pk)
    return render_page(request, "customers/history.html", {
        "customer": customer, "entries": selectors.history_entries(customer)})


def _post_on_customer(request, pk, run, success_message, tab=None):
    """Shared shape of the small POST actions on a customer page; back to the page, or to the
    tab the action was taken on."""
    customer = selectors.customer_get(request.user, pk)
    try:
        outcome = run(customer)
        # One message, or one per outcome the action may have ({outcome: message}).
        messages.success(request, success_message[outcome] if isinstance(success_message, dict)
                         else success_message)
    except ANSWERED_ON_PAGE as exc:
        messages.error(request, user_message(exc))
    if tab:
        return redirect("customers:detail_tab", pk=customer.pk, tab=tab)
    return redirect("customers:detail", pk=customer.pk)


@require_POST
@requires(CUSTOMER_GRADE)
def customer_grade(request, pk):
    form = GradeForm(request.POST)

    def run(customer):
        if not form.is_valid():
            raise ValidationError(_("Choose a grade and a classification and give a reason."))
        services.customer_change_grade(
            actor=request.user, customer=customer, grade=form.cleaned_data["grade"],
            category=form.cleaned_data["category"], reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"])

    return _post_on_customer(request, pk, run, _("Grade changed."))


@require_POST
@requires(CUSTOMER_EDIT)
def customer_follow_up(request, pk):
    form = FollowUpForm(request.POST)

    def run(customer):
        if not form.is_valid():
            raise ValidationError(_("Choose how you followed up and say what was discussed."))
        services.customer_follow_up_record(actor=request.user, customer=customer,
                                           **form.cleaned_data)

    return _post_on_customer(request, pk, run, _("Follow-up recorded."), tab="timeline")


@require_POST
@requires(CUSTOMER_DELETE)
def customer_delete(request, pk):
    customer = selectors.customer_get(request.user, pk)
    services.customer_delete(actor=request.user, customer=customer)
    messages.success(request, _("Customer %s moved to the recycle bin.") % customer.name)
    return redirect("customers:list")


@requires(CUSTOMER_RESTORE)
def recycle_bin(request):
    page, query = paginate(request, selectors.deleted_customers(request.user), PAGE_SIZE)
    return render_page(request, "customers/recycle_bin.html", {"page": page, "query": query})


@require_POST
@requires(CUSTOMER_RESTORE)
def customer_restore(request, pk):
    customer = selectors.customer_get_deleted(request.user, pk)
    return perform(request, lambda: services.customer_restore(actor=request.user,
                                                              customer=customer),
                   done=_("Customer %s restored.") % customer.name,
                   then=reverse("customers:detail", args=[customer.pk]),
                   refused=lambda status: redirect("customers:recycle_bin"))


REVEALABLE = {"customer": selectors.customer_get, "contact": selectors.contact_get}


@require_POST
@requires(FIELD_REVEAL)
def field_reveal(request, model, pk, field):
    """htmx: one masked value of a customer or contact, in clear, in place of its mask (ORG-4).
    Fetched through the record's access function (404 outside scope); logged and throttled."""
    if model not in REVEALABLE:
        raise Http404
    instance = REVEALABLE[model](request.user, pk)
    customer = instance if model == "customer" else instance.customer
    try:
        value = audit_services.field_reveal(actor=request.user, instance=instance, field=field,
                                            customer=customer, origin=Origin.of(request))
    except (RateLimited, SecondFactorRequired) as exc:  # said in place of the value
        verify_url = (second_factor.page_for(request.user, request.headers.get("HX-Current-URL")
                                             or reverse("customers:detail", args=[customer.pk]))
                      if isinstance(exc, SecondFactorRequired) else "")
        return render_page(request, "customers/_fragments/revealed.html",
                           {"error": str(exc), "verify_url": verify_url}, status=http_status(exc))
    return render_page(request, "customers/_fragments/revealed.html",
                       {"value": value, "field": field, "kind": instance.SENSITIVE_FIELDS[field]})
