"""The visits' block of the start page (工作台), registered in VisitsConfig.ready: the user's
own commitments past their due date and the return visits (回访) now due, and from Friday to
Sunday next week's visit schedule (客户访问日程表) to make."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DeskWidget

from . import selectors
from .actions import VISIT_RECORD

SHOWN = 5


def commitments_context(user):
    """Overdue commitments (how many, the five most overdue) and return visits due: three
    indexed queries (cmt_owner, cmt_return_due)."""
    today = timezone.localdate()
    overdue, count = selectors.overdue_commitments(user, today=today, limit=SHOWN)
    for commitment in overdue:
        commitment.days_late = (today - commitment.due_on).days
    returns = selectors.return_visits_due(user, today=today, limit=SHOWN)
    return {"overdue": overdue, "overdue_count": count, "returns": returns,
            "more_url": reverse("visits:commitments") + "?mine=on&overdue=on",
            "schedule": schedule_offer(user, today)}


def schedule_offer(user, today):
    """From Friday on (the week is planned at the weekend): next week's schedule — its status
    if it was opened, else an invitation to look at the proposal. One indexed query."""
    if today.weekday() < 4:
        return None
    week = selectors.next_week(today)
    schedule = selectors.schedule_of(user, user, week)
    return {"week": week, "schedule": schedule,
            "url": f"{reverse('visits:schedule')}?week={week.isoformat()}"}


WIDGETS = [
    DeskWidget("visits_commitments", _("Overdue commitments and return visits"),
               "visits/_desk_commitments.html", commitments_context, (VISIT_RECORD,), order=45,
               url_name="visits:commitments", icon="bi-check2-square"),
]
