"""Market intelligence (市场信息, issue 12 item 9): unlicensed-trading reports (无证经营举报, seed
002 §4.7) and the competitor information written on visits.

An account manager who sees unlicensed trading reports it at once (`report_submit`): the
first person up their supervisor chain holding `visit.intel_handle` (the regional manager)
is told. They pass it on to the monopoly administration (`report_pass_on`: when, to whom) and
record its result (`report_handle`), which tells the reporter. Only someone who sees the report
and holds the action moves it, one step at a time; each step is timed and attributed.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qiao.core.files import check_upload, store
from qiao.notify import kinds as notify_kinds
from qiao.notify.services import notify
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from .actions import INTEL_HANDLE, VISIT_RECORD
from .models import UnlicensedPhoto, UnlicensedReport, Visit

REPORT_SUBMITTED = "unlicensed_reported"
REPORT_HANDLED = "unlicensed_handled"
PHOTO_TYPES = {"image/jpeg", "image/png"}
State = UnlicensedReport.State


def register_message_kinds():
    notify_kinds.register(REPORT_SUBMITTED, title=lambda p: gettext(
        "%(reporter)s reported unlicensed trading at %(place)s") % p,
        body=lambda p: p["description"])
    notify_kinds.register(REPORT_HANDLED, title=lambda p: gettext(
        "The outcome of your unlicensed trading report at %(place)s") % p,
        body=lambda p: p["outcome"])


# --- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    state: str = ""
    region: object = None  # an OrgUnit: reports of its units and below


def report_list(user, filters: ReportFilters = ReportFilters()):
    """The reports `user` sees, newest first, with who and where joined."""
    rows = UnlicensedReport.objects.visible_to(user).select_related("reporter", "unit")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.region is not None:
        rows = rows.filter(unit__path__startswith=filters.region.path)
    return rows.order_by("-reported_at", "-id")


def report_get(user, pk) -> UnlicensedReport:
    """One report `user` sees (404 otherwise)."""
    try:
        return (UnlicensedReport.objects.visible_to(user)
                .select_related("reporter", "unit", "visit__customer", "passed_by",
                                "handled_by", "photo").get(pk=pk))
    except (UnlicensedReport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def photo_get(user, pk) -> UnlicensedPhoto:
    """The photo of a report `user` sees (404 otherwise); `pk` is the report's."""
    try:
        return UnlicensedPhoto.objects.visible_to(user).get(report_id=pk)
    except (UnlicensedPhoto.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def competitor_visits(user, filters):
    """The visits `user` sees whose competitor information is written, matching `filters`
    (visits.selectors.VisitFilters; `q`: words of the competitor information, all of them)."""
    rows = (Visit.objects.visible_to(user).exclude(competitors="")
            .select_related("customer", "author"))
    for word in filters.q.split():
        rows = rows.filter(competitors__icontains=word)
    if filters.author:
        rows = rows.filter(author_id=filters.author)
    if filters.date_from:
        rows = rows.filter(visited_on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(visited_on__lte=filters.date_to)
    return rows.order_by("-visited_on", "-id")


def handler_of(reporter):
    """Who handles `reporter`'s reports: the first one up their supervisor chain holding
    `visit.intel_handle` (the regional manager over them), or None."""
    return first_superior(reporter, lambda person: can(person, INTEL_HANDLE))


def may_handle(user, report) -> bool:
    """Whether `user` (who sees `report`) moves it on: holds the action, is not its reporter."""
    return can(user, INTEL_HANDLE) and report.reporter_id != user.pk


# --- writes --------------------------------------------------------------------------------


@transaction.atomic
def report_submit(*, actor, place, operator, description, observed_on, visit=None,
                  photo=None) -> UnlicensedReport:
    """An account manager's report of unlicensed trading, with an optional visit of theirs (one
    they see) and photo; the regional manager over them is told. Bad input: nothing written."""
    if not can(actor, VISIT_RECORD):
        raise PermissionDenied
    if visit is not None and not Visit.objects.visible_to(actor).filter(pk=visit.pk).exists():
        raise Http404
    report = UnlicensedReport(reporter=actor, unit=actor.unit, visit=visit, place=place,
                              operator=operator, description=description,
                              observed_on=observed_on, reported_at=timezone.now())
    report.full_clean()
    report.save()
    if photo is not None:
        _store_photo(actor, report, photo)
    handler = handler_of(actor)
    if handler is not None:
        notify(recipients=[handler], kind=REPORT_SUBMITTED,
               params={"reporter": str(actor), "place": report.place,
                       "description": report.description[:200]},
               url=reverse("visits:intel_detail", args=[report.pk]),
               key=f"unlicensed-reported-{report.pk}")
    return report


def _store_photo(actor, report, photo):
    """The photo checked (size, content) before anything is written: a JPEG or PNG only."""
    try:
        content_type = check_upload(photo)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.message_dict.get("file", exc.messages)}) from None
    if content_type not in PHOTO_TYPES:
        raise ValidationError({"photo": _("The photo must be a JPEG or PNG image.")})
    store(UnlicensedPhoto(report=report), photo, uploaded_by=actor).save()


def _required(**values):
    missing = {name: _("This field is required.") for name, value in values.items()
               if not value or (isinstance(value, str) and not value.strip())}
    if missing:
        raise ValidationError(missing)


def _lock(actor, report, expected_state) -> UnlicensedReport:
    """The report locked, when `actor` sees it (404) and may move it (404 too: no hint that
    another step exists), in `expected_state` (else a ValidationError: no step is skipped)."""
    try:
        report = (UnlicensedReport.objects.visible_to(actor).select_for_update()
                  .select_related("reporter").get(pk=report.pk))
    except UnlicensedReport.DoesNotExist:
        raise Http404 from None
    if not may_handle(actor, report):
        raise Http404
    if report.state != expected_state:
        raise ValidationError(_("This report is %(state)s: it cannot take this step.")
                              % {"state": report.get_state_display()})
    return report


@transaction.atomic
def report_pass_on(*, actor, report, passed_to, passed_on: datetime.date) -> UnlicensedReport:
    """The regional manager passed the report on to the monopoly administration: to whom, when."""
    report = _lock(actor, report, State.REPORTED)
    _required(passed_to=passed_to, passed_on=passed_on)
    if passed_on < report.observed_on:
        raise ValidationError({"passed_on": _("It cannot have been passed on before it was "
                                              "observed.")})
    report.passed_to = passed_to
    report.passed_on = passed_on
    report.passed_by = actor
    report.passed_at = timezone.now()
    report.state = State.PASSED_ON
    report.full_clean()
    report._change_reason = "passed on"
    report.save()
    return report


@transaction.atomic
def report_handle(*, actor, report, outcome) -> UnlicensedReport:
    """The monopoly administration's result, recorded by the regional manager; the reporter is
    told. Only once the report was passed on."""
    report = _lock(actor, report, State.PASSED_ON)
    _required(outcome=outcome)
    report.outcome = outcome
    report.handled_by = actor
    report.handled_at = timezone.now()
    report.state = State.HANDLED
    report.full_clean()
    report._change_reason = "handled"
    report.save()
    notify(recipients=[report.reporter], kind=REPORT_HANDLED,
           params={"place": report.place, "outcome": report.outcome[:200]},
           url=reverse("visits:intel_detail", args=[report.pk]),
           key=f"unlicensed-handled-{report.pk}")
    return report
