"""The visits' block of the start page (工作台), registered in VisitsConfig.ready: the user's
own commitments past their due date and the return visits (回访) now due."""

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
            "more_url": reverse("visits:commitments") + "?mine=on&overdue=on"}


WIDGETS = [
    DeskWidget("visits_commitments", _("Overdue commitments and return visits"),
               "visits/_desk_commitments.html", commitments_context, (VISIT_RECORD,), order=45,
               url_name="visits:commitments", icon="bi-check2-square"),
]
