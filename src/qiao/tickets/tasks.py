"""The service desk's work in the task worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import services


@db_periodic_task(crontab(minute="*"))
@lock_task("tickets-sla-sweep")
def sla_sweep_minutely() -> dict:
    """Every minute: warnings before a breach and escalations at a breach, each exactly once
    (services.sla_sweep marks before it tells, in one transaction with the message)."""
    return services.sla_sweep()
