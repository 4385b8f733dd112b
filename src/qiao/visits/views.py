"""Visit pages: thin — parse, fetch through the selectors, one service, render."""

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qiao.core.htmx import render_page
from qiao.core.lists import list_export, list_page
from qiao.core.views import attempt, perform
from qiao.customers.models import Customer
from qiao.org.decorators import requires
from qiao.org.permissions import can

from . import exports, lists, selectors, services
from .actions import VISIT_EXPORT, VISIT_RECORD
from .forms import (
    WEEKDAYS,
    CancelForm,
    FulfilForm,
    ScheduleCommentForm,
    ScheduleForm,
    VersionForm,
    VisitCustomerForm,
    VisitForm,
)

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


# --- weekly visit schedules (客户访问日程表) ---------------------------------------------------


def _week(request):
    """The week asked for (?week=any day of it), else the default one (next week from Friday)."""
    try:
        return selectors.week_of(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        return selectors.default_week()


def _week_links(week):
    return {"previous_week": week - timedelta(days=7), "next_week": week + timedelta(days=7)}


def _schedule_page(request, schedule, form=None, status=200):
    user = request.user
    lines = selectors.schedule_items(user, schedule)
    if form is None:
        form = ScheduleForm(user=user, schedule=schedule, lines=lines)
    days = []
    open_days = set(selectors.working_days(schedule.week_start))
    for day in selectors.week_days(schedule.week_start):
        days.append({"day": day, "working": day in open_days,
                     "lines": [(line, *form.line_fields(line)) for line in lines
                               if line.day == day]})
    return render_page(request, "visits/schedule_week.html", {
        "schedule": schedule, "days": days, "form": form, "count": len(lines),
        "editable": schedule.manager_id == user.pk and not schedule.is_submitted,
        "submit_form": VersionForm(initial={"version": schedule.version}),
        "comment_form": ScheduleCommentForm(initial={"version": schedule.version,
                                                     "comment": schedule.comment}),
        "may_comment": schedule.manager_id != user.pk, "week": schedule.week_start,
        "tab": "week" if schedule.manager_id == user.pk else "team",
        **_week_links(schedule.week_start)}, status=status)


@require_GET
@requires(VISIT_RECORD)
def schedule_week(request):
    """我的拜访日程: the user's schedule of a week — proposed from the rules the first time this
    week's or next week's is opened; none for another week without one."""
    week = _week(request)
    try:
        schedule, _created = services.schedule_propose(actor=request.user, week_start=week)
    except Http404:
        return render_page(request, "visits/schedule_none.html",
                           {"week": week, **_week_links(week)})
    return _schedule_page(request, schedule)


@require_GET
@requires(VISIT_RECORD)
def schedule_detail(request, pk):
    """One schedule the user sees: a team member's for the supervisor, with the comment form."""
    return _schedule_page(request, selectors.schedule_get(request.user, pk))


@require_POST
@requires(VISIT_RECORD)
def schedule_edit(request, pk):
    user = request.user
    schedule = selectors.schedule_get(user, pk)
    if schedule.manager_id != user.pk:
        raise Http404
    lines = selectors.schedule_items(user, schedule)
    form = ScheduleForm(request.POST, user=user, schedule=schedule, lines=lines)
    status = 400
    if form.is_valid():
        _result, status = attempt(form, lambda: services.schedule_edit(
            actor=user, schedule=schedule, expected_version=form.cleaned_data["version"],
            change=form.to_change()))
        if status is None:
            messages.success(request, _("Visit schedule saved."))
            return redirect(f"{reverse('visits:schedule')}?week={schedule.week_start}")
    schedule.refresh_from_db()
    return _schedule_page(request, schedule, form=form, status=status)


def _back_to(schedule, user):
    if schedule.manager_id == user.pk:
        return f"{reverse('visits:schedule')}?week={schedule.week_start}"
    return reverse("visits:schedule_detail", args=[schedule.pk])


@require_POST
@requires(VISIT_RECORD)
def schedule_submit(request, pk):
    user = request.user
    schedule = selectors.schedule_get(user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else 0
    then = _back_to(schedule, user)
    return perform(request, lambda: services.schedule_submit(
        actor=user, schedule=schedule, expected_version=version),
        done=_("Visit schedule submitted to your supervisor."), then=then,
        refused=lambda status: redirect(then))


@require_POST
@requires(VISIT_RECORD)
def schedule_comment(request, pk):
    user = request.user
    schedule = selectors.schedule_get(user, pk)
    form = ScheduleCommentForm(request.POST)
    then = reverse("visits:schedule_detail", args=[schedule.pk])
    if not form.is_valid():
        messages.error(request, _("Write a comment."))
        return redirect(then)
    return perform(request, lambda: services.schedule_comment(
        actor=user, schedule=schedule, expected_version=form.cleaned_data["version"],
        comment=form.cleaned_data["comment"]),
        done=_("Comment saved."), then=then, refused=lambda status: redirect(then))


@require_GET
@requires(VISIT_RECORD)
def schedule_team(request):
    """The team's schedules of a week (the supervisor's), each with its number of visits."""
    week = _week(request)
    schedules = selectors.team_schedules(request.user, week)
    return render_page(request, "visits/schedule_team.html", {
        "week": week, "schedules": schedules,
        "missing": selectors.team_without_schedule(request.user, week, schedules),
        **_week_links(week)})


@require_GET
@requires(VISIT_RECORD)
def schedule_month(request):
    """The month's calendar of the user's own scheduled visits."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    if not 2000 <= first.year <= 2100:
        first = today.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_page(request, "visits/schedule_month.html", {
        "month": first, "previous_month": previous, "next_month": following,
        "weeks": selectors.month_days(request.user, request.user, first.year, first.month),
        "weekdays": WEEKDAYS, "today": today})


@requires(VISIT_RECORD)
def schedule_feed(request):
    """The user's calendar feed: its secret address, made anew or revoked."""
    user = request.user
    action = request.POST.get("action")
    if request.method == "POST" and action == "revoke":
        services.feed_revoke(actor=user)
        messages.success(request, _("The calendar address no longer works."))
        return redirect("visits:schedule_feed")
    if request.method == "POST" and action == "issue":
        services.feed_issue(actor=user)
        messages.success(request, _("A new calendar address was made; the previous one no "
                                    "longer works."))
        return redirect("visits:schedule_feed")
    feed = selectors.feed_of(user)
    url = request.build_absolute_uri(reverse("visits:feed", args=[feed.token])) if feed else ""
    return render_page(request, "visits/schedule_feed.html", {"feed": feed, "feed_url": url},
                       status=400 if request.method == "POST" else 200)


@require_GET
def calendar_feed(request, token):
    """The .ics of a user's scheduled visits, read by a phone's calendar without a login: the
    secret token is the key; an unknown or revoked one is 404."""
    user = selectors.feed_user(token)
    if user is None or not can(user, VISIT_RECORD):
        raise Http404
    # In the user's language (a calendar app sends no session and its own Accept-Language).
    with translation.override(user.language or translation.get_language()):
        body = exports.schedule_ics(user, selectors.feed_items(user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="qiao-visits.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
