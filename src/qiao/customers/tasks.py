"""Background and periodic tasks of the customer archive (huey; run by `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from . import reminders, services


@db_periodic_task(crontab(hour="2", minute="30"))
@lock_task("customers-pool-reclaim")
def pool_reclaim_daily() -> int:
    """The public pool's reclaim rule, every night at 02:30 (TIME_ZONE). Idempotent, so a run
    repeated after a crash or started by hand (`manage.py pool_reclaim`) does no harm; the
    lock keeps two workers from running it at once."""
    return services.pool_reclaim()


@db_periodic_task(crontab(hour="7", minute="0"))
@lock_task("customers-reminders")
def reminders_daily() -> int:
    """Every morning at 07:00: licences about to expire and contacts' birthdays, into the
    owners' inboxes before the working day, and customers above their owner's clearance, to
    the owner's supervisor (dedupe keys make a repeated run harmless)."""
    return (reminders.licence_expiry_remind() + reminders.birthday_remind()
            + reminders.clearance_mismatch_remind())
