"""The team's figures on the start page (工作台) of those who look after a team, a region or
the company: their customers by grade and by status (the grade table of the customer tables)
and the follow-ups recorded this week. Registered in ReportsConfig.ready."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DeskWidget
from qiao.customers.selectors import follow_ups_since
from qiao.org.scope import resolved_scope

from . import selectors
from .actions import REPORT_VIEW


def start_of_week(now=None):
    """Monday 00:00 of this week in the configured time zone."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=today.weekday())


def looks_after_others(user) -> bool:
    """Does the user's data scope reach beyond their own records (a team, a unit, all)?"""
    kind, ids = resolved_scope(user)
    return kind in ("all", "units") or (kind == "owners" and len(ids) > 1)


def team_context(user):
    if not looks_after_others(user):
        return None
    table = selectors.grade_summary(selectors.report_customers(user, selectors.ReportFilters()))
    return {"total": table.total,
            "by_grade": [(row.member.label, row.total) for row in table.rows],
            "by_status": [(column.label, count)
                          for column, count in zip(table.columns, table.totals, strict=True)],
            "follow_ups": follow_ups_since(user, start_of_week())}


WIDGETS = [
    DeskWidget("team_overview", _("Team overview"), "reports/_desk_team.html", team_context,
               (REPORT_VIEW,), order=70, width="full", url_name="reports:grades",
               icon="bi-people"),
]
