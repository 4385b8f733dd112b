"""Background tasks of the approval engine (huey; run by `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="*/15"))
@lock_task("approvals-escalate")
def approvals_escalate() -> int:
    """Every quarter of an hour: steps waiting longer than their chain allows."""
    return services.tasks_escalate()


@db_periodic_task(crontab(hour="0", minute="5"))
@lock_task("approvals-delegations-expire")
def delegations_expire() -> int:
    """Just after midnight: steps still with a delegate whose delegation has run out go back."""
    return services.delegations_expire()
