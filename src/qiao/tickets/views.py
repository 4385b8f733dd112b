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
from qiao.core.views import attempt
from qiao.org.decorators import requires
from qiao.org.permissions import can

from . import lists, selectors, services
from .actions import TICKET_ASSIGN, TICKET_HANDLE
from .forms import (
    AssignForm,
    CaseForm,
    CloseForm,
    NoteForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
    TicketForm,
)
from .models import Status


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
