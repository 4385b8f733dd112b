"""Every change to work reports (工作日志、个人总结报告, seed 002 篇3) and going-out registrations
(外出登记, seed 000): drafted, saved, submitted, commented; registered, returned. Each function
checks the actor, runs in one transaction and refuses bad input with ValidationError, leaving
nothing written; a record out of the actor's scope, or not theirs to change, is
PermissionDenied (404)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from qiao.core.concurrency import save_versioned
from qiao.core.exceptions import StaleVersionError
from qiao.core.history import authored_by
from qiao.core.text import clean_text
from qiao.core.validators import PlausibleDate
from qiao.customers.models import Customer
from qiao.notify import kinds as notify_kinds
from qiao.notify.services import notify
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from . import worklog_selectors as reads
from .actions import VISIT_RECORD
from .models import GoingOut, Method, WorkReport

Status = WorkReport.Status
# Inbox messages (notify.kinds, registered in apps.ready).
REPORT_SUBMITTED = "work_report_submitted"
REPORT_COMMENTED = "work_report_commented"
MAX_BODY = 20000
MAX_COMMENT = 2000
MAX_OUT = datetime.timedelta(days=31)  # one registration: a business trip at the longest


def register_message_kinds():
    notify_kinds.register(REPORT_SUBMITTED, title=lambda p: gettext(
        "%(author)s submitted a work report: %(period)s from %(start)s") % _period_params(p))
    notify_kinds.register(REPORT_COMMENTED, title=lambda p: gettext(
        "%(supervisor)s commented on your work report: %(period)s from %(start)s")
        % _period_params(p), body=lambda p: p["comment"])


def _period_params(params):
    return {**params, "period": WorkReport.Period(params["period"]).label}


def _may_write(actor):
    if not can(actor, VISIT_RECORD):
        raise PermissionDenied


# --- work reports ------------------------------------------------------------------------------

def draft_text(author, period, start, end) -> str:
    """The starting text of a report: what the author did in the period, a line each, under
    the handbook's headings, for the author to edit. Three queries (worklog_selectors.activity)."""
    done = reads.activity(author, start, end)
    sections = [
        (_("Visits made"), [f"{v.visited_on:%m-%d} {v.customer.name}（{v.get_kind_display()}，"
                       f"{Method(v.method).label}）{v.purpose}".rstrip() for v in done.visits]),
        (_("Commitments made"), [f"{c.customer.name}：{c.text}（{_('due date')} {c.due_on}）"
                                 for c in done.commitments_made]),
        (_("Commitments fulfilled"), [f"{c.customer.name}：{c.text}"
                                      for c in done.commitments_fulfilled]),
        (_("Other work with customers"), [
            f"{timezone.localtime(e.occurred_at):%m-%d %H:%M} {e.customer.name}：{e.text}"
            for e in done.events]),
    ]
    lines = []
    for title, items in sections:
        lines.append(f"{title}（{len(items)}）")
        lines += [f"- {item}" for item in items] or [f"- {_('Nothing')}"]
        lines.append("")
    lines += [_("Problems and suggestions"), "- ", "", _("Plan for the next period"), "- "]
    return "\n".join(lines)


@transaction.atomic
def report_draft(*, actor, period, day) -> WorkReport:
    """The actor's new report of the period of kind `period` holding `day`, its text drafted
    from the period's activity. A period not started yet, an implausible day, or a report the
    actor already has for that period is refused (ValidationError)."""
    _may_write(actor)
    if period not in WorkReport.Period.values:
        raise ValidationError({"period": _("Choose a period kind.")})
    PlausibleDate(not_future=True)(day)
    start, end = reads.period_bounds(period, day)
    taken = ValidationError(_("You already have this report (%(period)s from %(start)s): "
                              "open it from the list.")
                            % {"period": WorkReport.Period(period).label, "start": start})
    if WorkReport.objects.filter(author=actor, period=period, period_start=start).exists():
        raise taken
    report = WorkReport(author=actor, unit=actor.unit, period=period, period_start=start,
                        body=draft_text(actor, period, start, end)[:MAX_BODY])
    try:
        with transaction.atomic():
            authored_by(report, actor).save()
    except IntegrityError:  # the same report drafted at the same moment (a double click)
        raise taken from None
    return report


def _lock(actor, report) -> WorkReport:
    found = (WorkReport.objects.visible_to(actor).select_for_update(of=("self",))
             .filter(pk=report.pk).first())
    if found is None:
        raise PermissionDenied
    return found


def _own_draft(actor, report) -> WorkReport:
    _may_write(actor)
    report = _lock(actor, report)
    if report.author_id != actor.pk:
        raise PermissionDenied
    if not report.is_draft:
        raise ValidationError(_("This report has been submitted; it can no longer be changed."))
    return report


@transaction.atomic
def report_save(*, actor, report, expected_version, body) -> WorkReport:
    """The author's text of their draft report; a version changed since is 409. Saved
    unchanged, nothing is written."""
    report = _own_draft(actor, report)
    body = clean_text(body or "", multiline=True).strip()
    if not body:
        raise ValidationError({"body": _("Write the report.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("At most %(n)s characters.") % {"n": MAX_BODY}})
    if body == report.body:  # saved unchanged: nothing written, but a stale page is told
        if expected_version != report.version:
            raise StaleVersionError.of(report)
        return report
    report.body = body
    authored_by(report, actor)
    save_versioned(report, expected_version=expected_version)
    return report


@transaction.atomic
def report_submit(*, actor, report, expected_version) -> WorkReport:
    """The author hands the report to the supervisor (the first one up the line who records
    visits), who is told in the inbox. Submitted once; a stale version is 409."""
    report = _own_draft(actor, report)
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    authored_by(report, actor)
    save_versioned(report, expected_version=expected_version, change_reason="submitted")
    supervisor = first_superior(actor, lambda person: can(person, VISIT_RECORD))
    if supervisor is not None:
        notify(recipients=[supervisor], kind=REPORT_SUBMITTED,
               params={"author": str(actor), "period": report.period,
                       "start": report.period_start.isoformat()},
               url=reverse("visits:work_report", args=[report.pk]),
               key=f"work-report-submitted-{report.pk}")
    return report


@transaction.atomic
def report_comment(*, actor, report, expected_version, comment) -> WorkReport:
    """The supervisor's comment on a submitted report (anyone who sees it and records visits,
    but not its author): the report is reviewed and its author told in the inbox."""
    _may_write(actor)
    comment = clean_text(comment or "", multiline=True).strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("At most %(n)s characters.") % {"n": MAX_COMMENT}})
    report = _lock(actor, report)
    if report.author_id == actor.pk:
        raise PermissionDenied
    if report.is_draft:
        raise ValidationError(_("This report has not been submitted yet."))
    report.comment = comment
    report.commented_by = actor
    report.commented_at = timezone.now()
    report.status = Status.REVIEWED
    authored_by(report, actor)
    save_versioned(report, expected_version=expected_version, change_reason="commented")
    notify(recipients=[report.author], kind=REPORT_COMMENTED,
           params={"supervisor": str(actor), "period": report.period,
                   "start": report.period_start.isoformat(), "comment": comment[:200]},
           url=reverse("visits:work_report", args=[report.pk]))
    return report


def reports_follow_author(*, owner) -> int:
    """The owner_moved hook: reports and registrations carry their author's unit (their
    scope), so they follow the author to a new unit (derived data, no history)."""
    return (WorkReport._base_manager.filter(author=owner).update(unit_id=owner.unit_id)
            + GoingOut._base_manager.filter(author=owner).update(unit_id=owner.unit_id))


# --- going out -------------------------------------------------------------------------------

@transaction.atomic
def going_out_register(*, actor, place, purpose, leaves_at, until,
                       customer: Customer | None = None) -> GoingOut:
    """外出登记: where, why and until when, before going out; the supervisor sees it. Back
    before going out, longer than a month, an implausible date or a customer the actor does not
    see is refused."""
    _may_write(actor)
    place, purpose = clean_text(place or "").strip(), clean_text(purpose or "").strip()
    errors = {}
    if not place:
        errors["place"] = _("Say where you are going.")
    if not purpose:
        errors["purpose"] = _("Say why you are going out.")
    for name, value in (("leaves_at", leaves_at), ("until", until)):
        try:
            PlausibleDate()(value)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if "leaves_at" not in errors and "until" not in errors:
        if until <= leaves_at:
            errors["until"] = _("The time back must be after the time of going out.")
        elif until - leaves_at > MAX_OUT:
            errors["until"] = _("One registration covers at most 31 days.")
    if customer is not None and not Customer.objects.visible_to(actor).filter(
            pk=customer.pk).exists():
        errors["customer"] = _("Choose one of your customers.")
    if errors:
        raise ValidationError(errors)
    going = GoingOut(author=actor, unit=actor.unit, place=place, purpose=purpose,
                     customer=customer, leaves_at=leaves_at, until=until)
    going.full_clean()
    authored_by(going, actor).save()
    return going


@transaction.atomic
def going_out_return(*, actor, going_out) -> GoingOut:
    """The author is back: the registration is closed now. Only one's own; once."""
    _may_write(actor)
    going = (GoingOut.objects.visible_to(actor).select_for_update(of=("self",))
             .filter(pk=going_out.pk).first())
    if going is None or going.author_id != actor.pk:
        raise PermissionDenied
    if going.returned_at is not None:
        raise ValidationError(_("You have already marked this outing as returned."))
    going.returned_at = timezone.now()
    authored_by(going, actor).save()
    return going
