"""Sales work in the task worker."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import bonus, services


@db_periodic_task(crontab(minute="10", hour="7"))
@lock_task("sales-report-morning")
def report_morning() -> dict:
    """Each morning at 07:10: on the 1st, last month's report drafts (the managers are told);
    every day, the reminders before the due date and the overdue reports to the reviewers."""
    today = timezone.localdate()
    made = services.report_drafts_create(today.replace(day=1) - timedelta(days=1)) \
        if today.day == 1 else 0
    return {"drafts": made, **services.report_reminders(today)}


@db_periodic_task(crontab(minute="30", hour="6"))
@lock_task("sales-dunning-daily")
def dunning_daily() -> dict:
    """Each morning at 06:30: promises to pay settled (kept or broken), broken promises and
    long-overdue debts escalated to the managers' superiors, settled escalations closed; a
    repeated run changes nothing more."""
    return services.dunning_daily(timezone.localdate())


@db_periodic_task(crontab(minute="20", hour="7"))
@lock_task("sales-bonus-morning")
def bonus_morning() -> dict:
    """Each morning at 07:20; on the 1st, last month's bonus run drafted (and on 1 January last
    year's) and last month's top three published in the inbox; a repeated run changes nothing."""
    return bonus.bonus_morning(timezone.localdate())
