"""Service desk pages: thin — parse, fetch through the selectors, one service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qiao.core.exceptions import ANSWERED_ON_PAGE, http_status, user_message
from qiao.core.forms import add_errors
from qiao.core.htmx import render_page
from qiao.core.lists import list_export, list_page
from qiao.core.validators import normalize_phone
from qiao.core.views import attempt
from qiao.customers.models import Customer
from qiao.org.decorators import requires
from qiao.org.permissions import can

from . import lists, selectors, services
from .actions import TICKET_ASSIGN, TICKET_HANDLE
from .forms import (
    AssignForm,
    CallChooseForm,
    CallForm,
    CallTicketForm,
    CaseForm,
    CloseForm,
    NoteForm,
    NumberForm,
    PeriodForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
    TicketForm,
)
from .models import TICKET_KIND_OF_PURPOSE, CallDirection, Kind, Status


@require_GET
@requires(TICKET_HANDLE, TICKET_ASSIGN)
def ticket_list(request):
    return list_page(request, lists.TICKETS, can_export=can(request.user, TICKET_ASSIGN),
                     can_create=can(request.user, TICKET_HANDLE))


@require_GET
@requires(TICKET_ASSIGN)
def ticket_export(request, fmt):
    return list_export(request, lists.TICKETS, fmt)


@requires(TICKET_HANDLE)
def ticket_new(request):
    form = TicketForm(request.POST or None, user=request.user, initial={
        "customer": request.GET.get("customer"), "kind": request.GET.get("kind")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ticket, status = attempt(form, lambda: services.ticket_create(
                actor=request.user, data=form.cleaned_data))
            if status is None:
                messages.success(request, _("Service ticket %s registered.") % ticket.number)
                return redirect("tickets:detail", pk=ticket.pk)
    return render_page(request, "tickets/form.html", {"form": form}, status=status)


# The steps of the ticket's page: the form each posts, and the service it runs with the form's
# cleaned data.
STEPS = {
    "reply": (ReplyForm, lambda user, ticket, data: services.ticket_reply(
        actor=user, ticket=ticket, body=data["body"], expected_version=data["version"]),
        _("Reply recorded.")),
    "note": (NoteForm, lambda user, ticket, data: services.ticket_note(
        actor=user, ticket=ticket, body=data["body"]), _("Note added.")),
    "assign": (AssignForm, lambda user, ticket, data: services.ticket_assign(
        actor=user, ticket=ticket, queue=data["queue"], assignee=data["assignee"],
        reason=data["reason"], expected_version=data["version"]), _("Ticket reassigned.")),
    "resolve": (ResolveForm, lambda user, ticket, data: services.ticket_resolve(
        actor=user, ticket=ticket, resolution=data["resolution"], cause=data["cause"],
        expected_version=data["version"]), _("Ticket resolved: ask the customer to confirm.")),
    "close": (CloseForm, lambda user, ticket, data: services.ticket_close(
        actor=user, ticket=ticket, rating=data["rating"], comment=data["comment"],
        expected_version=data["version"]), _("Ticket closed.")),
    "reopen": (ReopenForm, lambda user, ticket, data: services.ticket_reopen(
        actor=user, ticket=ticket, reason=data["reason"], expected_version=data["version"]),
        _("Ticket reopened.")),
    "case": (CaseForm, lambda user, ticket, data: services.case_library_add(
        actor=user, ticket=ticket, summary=data["case_summary"]),
        _("Added to the case library.")),
}
# Steps without a form of their own: a button carrying the version shown.
BUTTONS = {
    "take": (lambda user, ticket, version: services.ticket_take(actor=user, ticket=ticket),
             _("The ticket is yours.")),
    "wait": (lambda user, ticket, version: services.ticket_wait(
        actor=user, ticket=ticket, expected_version=version),
        _("Waiting on the customer: the resolution clock has stopped.")),
    "resume": (lambda user, ticket, version: services.ticket_resume(
        actor=user, ticket=ticket, expected_version=version),
        _("Work resumed: the resolution clock runs again.")),
}


def _step_form(step, data=None, **kwargs):
    """The form of `step`; its fields' ids carry the step (the page holds several forms, and a
    reply and a note both have a "body")."""
    return STEPS[step][0](data, auto_id=f"id_{step}_%s", **kwargs)


def _forms(user, ticket, bound=None):
    """The step forms the page offers `user` for `ticket` now, `bound` (name, form) in place."""
    initial = {"version": ticket.version}
    offered = {}
    if can(user, TICKET_HANDLE):
        offered["note"] = _step_form("note")
        if ticket.is_open or ticket.status == Status.RESOLVED:
            offered["reply"] = _step_form("reply", initial=initial)
        if ticket.is_open:
            offered["resolve"] = _step_form("resolve", initial=initial)
        if ticket.status == Status.RESOLVED:
            offered["close"] = _step_form("close", initial=initial)
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            offered["reopen"] = _step_form("reopen", initial=initial)
    if can(user, TICKET_ASSIGN):
        if ticket.is_open:
            offered["assign"] = _step_form("assign", initial={
                **initial, "queue": ticket.queue_id, "assignee": ticket.assignee_id})
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            offered["case"] = _step_form("case", initial={"case_summary": ticket.case_summary})
    if bound:
        offered[bound[0]] = bound[1]
    return offered


def _detail(request, ticket, *, status=200, bound=None):
    user = request.user
    return render_page(request, "tickets/detail.html", {
        "ticket": ticket,
        "clocks": services.clocks(ticket),
        "thread": selectors.ticket_messages(ticket),
        "events": [(event, services.event_text(event))
                   for event in selectors.ticket_events(ticket)],
        "forms": _forms(user, ticket, bound),
        "canned": selectors.canned_replies(ticket.kind) if can(user, TICKET_HANDLE) else [],
        "may_take": can(user, TICKET_HANDLE) and services.may_take(user, ticket),
        "customer_link": selectors.customer_visible(user, ticket),
        "reopen_until": services.reopen_until(ticket) if ticket.closed_at else None,
    }, status=status)


@require_GET
@requires(TICKET_HANDLE, TICKET_ASSIGN)
def ticket_detail(request, pk):
    return _detail(request, selectors.ticket_get(request.user, pk))


# Assigning and the case library are a supervisor's; every other step is handling.
ASSIGNING_STEPS = ("assign", "case")


@require_POST
@requires(TICKET_HANDLE, TICKET_ASSIGN)
def ticket_step(request, pk, step):
    """One step of the ticket's page (reply, note, assign, resolve, close, reopen, case, take,
    wait, resume): done → back to the page; refused → the page again with the reason."""
    if not can(request.user, TICKET_ASSIGN if step in ASSIGNING_STEPS else TICKET_HANDLE):
        raise Http404
    ticket = selectors.ticket_get(request.user, pk)
    if step in BUTTONS:
        call, done = BUTTONS[step]
        version = request.POST.get("version", "")
        try:
            if not version.isdigit():  # a button of a page shown before: its version is sent
                raise ValidationError(_("The page is out of date: look at the ticket again."))
            call(request.user, ticket, int(version))
        except ANSWERED_ON_PAGE as exc:
            messages.error(request, user_message(exc))
            return _detail(request, selectors.ticket_get(request.user, pk),
                           status=http_status(exc))
        messages.success(request, done)
        return redirect("tickets:detail", pk=pk)
    _form_class, call, done = STEPS[step]
    form = _step_form(step, request.POST)
    if form.is_valid():
        try:
            call(request.user, ticket, form.cleaned_data)
        except ANSWERED_ON_PAGE as exc:
            add_errors(form, exc)
            messages.error(request, user_message(exc))
            return _detail(request, selectors.ticket_get(request.user, pk),
                           status=http_status(exc), bound=(step, form))
        messages.success(request, done)
        return redirect("tickets:detail", pk=pk)
    return _detail(request, ticket, status=400, bound=(step, form))


@require_GET
@requires(TICKET_ASSIGN)
def analysis(request):
    """服务分析: the year's tickets by month and kind, complaints by cause, category, region and
    account manager, clocks met and satisfaction — charts and tables."""
    this_year = timezone.localdate().year
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and this_year - 10 <= int(year) <= this_year else this_year
    figures = selectors.analysis(request.user, year)
    chart = {"months": [f"{m}月" for m in range(1, 13)],
             "kinds": [{"name": str(k["kind"].label), "data": k["months"]}
                       for k in figures["kinds"]],
             "causes": [{"name": str(c["label"]), "value": c["n"]} for c in figures["by_cause"]]}
    return render_page(request, "tickets/analysis.html", {
        "figures": figures, "chart": chart,
        "years": range(this_year, this_year - 5, -1)})


@require_GET
@requires(TICKET_HANDLE)
def case_search(request):
    """The case library searched while answering (htmx fragment on the ticket's page)."""
    q = request.GET.get("q", "").strip()[:100]
    return render_page(request, "tickets/_cases.html", {
        "q": q, "cases": selectors.cases(request.user, q) if q else []})


# --- the call centre (CC-1, CC-4) ---------------------------------------------------------------

@require_GET
@requires(TICKET_HANDLE, TICKET_ASSIGN)
def call_list(request):
    return list_page(request, lists.CALLS, can_create=can(request.user, TICKET_HANDLE))


def _number_context(user, phone):
    """The customers the number matches that `user` sees, their open tickets and the number's
    last calls."""
    key = normalize_phone(phone or "")
    candidates = selectors.number_matches(user, key)
    return candidates, selectors.caller_context(user, candidates, key)


@requires(TICKET_HANDLE)
def call_incoming(request):
    """来电: the agent enters (or the phone fills in) the number, sees who it may be — each
    candidate's open tickets, the number's last calls — and records the call."""
    user = request.user
    lookup = NumberForm(request.GET or None)
    phone = lookup.cleaned_data["phone"] if lookup.is_valid() else ""
    if request.method == "POST":
        phone = request.POST.get("phone", "")
    candidates, context = _number_context(user, phone)
    initial = {"phone": phone, "direction": CallDirection.INBOUND,
               "customer": candidates[0].pk if len(candidates) == 1 else None}
    form = CallForm(request.POST or None, user=user, candidates=candidates, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = attempt(form, lambda: services.call_record(
                actor=user, data=form.cleaned_data))
            if status is None:
                call, _new = result
                messages.success(request, _("Call recorded."))
                return redirect("tickets:call_detail", pk=call.pk)
    return render_page(request, "tickets/calls/incoming.html", {
        "lookup": lookup, "phone": phone, "form": form, **context}, status=status)


def _call_page(request, call, *, status=200, choose=None, ticket_form=None):
    user = request.user
    may_work = can(user, TICKET_HANDLE) and (call.agent_id == user.pk
                                             or can(user, TICKET_ASSIGN))
    candidates = (selectors.number_matches(user, call.phone_normalized)
                  if may_work and call.ticket_id is None else [])
    if may_work and call.ticket_id is None and call.customer_id is not None:
        ticket_form = ticket_form or CallTicketForm(initial={
            "kind": TICKET_KIND_OF_PURPOSE.get(call.purpose, Kind.INQUIRY),
            "subject": call.summary[:120]}, auto_id="id_ticket_%s")
    else:
        ticket_form = None
    if len(candidates) > 1 or (candidates and call.customer_id is None):
        choose = choose or CallChooseForm(candidates=candidates,
                                          initial={"customer": call.customer_id})
    else:
        choose = None
    return render_page(request, "tickets/calls/detail.html", {
        "call": call, "choose": choose, "ticket_form": ticket_form,
        "customer_link": call.customer_id is not None
        and Customer.objects.visible_to(user).filter(pk=call.customer_id).exists(),
    }, status=status)


@require_GET
@requires(TICKET_HANDLE, TICKET_ASSIGN)
def call_detail(request, pk):
    return _call_page(request, selectors.call_get(request.user, pk))


@require_POST
@requires(TICKET_HANDLE)
def call_choose(request, pk):
    """The agent says which of the number's customers called."""
    call = selectors.call_get(request.user, pk)
    candidates = selectors.number_matches(request.user, call.phone_normalized)
    form = CallChooseForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            services.call_choose_customer(actor=request.user, call=call,
                                          customer=form.cleaned_data["customer"])
        except ANSWERED_ON_PAGE as exc:
            add_errors(form, exc)
            return _call_page(request, call, status=http_status(exc), choose=form)
        messages.success(request, _("Customer recorded for the call."))
        return redirect("tickets:call_detail", pk=pk)
    return _call_page(request, call, status=400, choose=form)


@require_POST
@requires(TICKET_HANDLE)
def call_ticket(request, pk):
    """建工单: the ticket the call raised, registered in one step."""
    call = selectors.call_get(request.user, pk)
    form = CallTicketForm(request.POST, auto_id="id_ticket_%s")
    if form.is_valid():
        try:
            ticket = services.call_ticket_create(actor=request.user, call=call,
                                                 data=form.cleaned_data)
        except ANSWERED_ON_PAGE as exc:
            add_errors(form, exc)
            messages.error(request, user_message(exc))
            return _call_page(request, selectors.call_get(request.user, pk),
                              status=http_status(exc), ticket_form=form)
        messages.success(request, _("Service ticket %s registered.") % ticket.number)
        return redirect("tickets:detail", pk=ticket.pk)
    return _call_page(request, call, status=400, ticket_form=form)


@require_GET
@requires(TICKET_ASSIGN)
def call_statistics(request):
    """座席统计 (CC-4): per agent, the calls in and out, the average handling time and the
    first-contact resolution of a period (this month so far by default)."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"date_from": today.replace(day=1), "date_to": today})
    rows = (selectors.agent_statistics(request.user, form.cleaned_data["date_from"],
                                       form.cleaned_data["date_to"])
            if form.is_valid() else [])
    return render_page(request, "tickets/calls/statistics.html", {
        "form": form, "rows": rows, "fcr_days": selectors.FCR_DAYS},
        status=200 if form.is_valid() else 400)
