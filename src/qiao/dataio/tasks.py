"""dataio's background tasks (huey; run by `manage.py run_huey`): a dry run or a run of an
import, queued by services.import_start; the nightly backup and one an administrator asks for
(services.backup_queue)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def import_task(run_id: int, actor_id: int, dry_run: bool) -> str:
    from qiao.org.models import User

    from . import services
    from .models import ImportRun

    run = ImportRun.objects.filter(pk=run_id).first()
    actor = User.objects.filter(pk=actor_id, is_active=True).first()
    if run is None or actor is None or run.owner_id != actor.pk:
        return "gone"
    if dry_run:
        return services.import_check(actor=actor, run=run).status
    return services.import_run(actor=actor, run=run).status


@db_periodic_task(crontab(hour="1", minute="30"))
@lock_task("dataio-backup")
def backup_daily() -> str:
    """Every night at 01:30 (TIME_ZONE): a new archive in QIAO_BACKUP_DIR, then the archives
    older than QIAO_BACKUP_KEEP_DAYS deleted (only after the new one is complete). A failure is
    logged and shown on the backups page (dataio.backup.backup_scheduled)."""
    from . import backup

    return backup.backup_scheduled().name


@db_task()
@lock_task("dataio-backup")
def backup_now() -> str:
    """An administrator's "back up now" (services.backup_queue): the nightly job's steps."""
    from . import backup

    return backup.backup_scheduled().name
