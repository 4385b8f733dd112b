"""dataio's background task (huey; run by `manage.py run_huey`): a dry run or a run of an
import, queued by services.import_start."""

from huey.contrib.djhuey import db_task


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
