"""Visits work in the task worker (huey; run by `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import reminders


@db_periodic_task(crontab(hour="7", minute="20"))
@lock_task("visits-due-reminders")
def visits_due_daily() -> int:
    """Every morning at 07:20: each manager's overdue customers and yesterday's missed
    scheduled visits, one inbox message a day (its dedupe key makes a repeated run
    harmless)."""
    return reminders.visits_due_remind()
