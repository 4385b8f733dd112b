"""Background tasks of the deliveries (huey; run by `manage.py run_huey`, registered in
NotifyConfig.ready)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import services


@db_task()
def delivery_send_task(delivery_id: int):
    """Queued after the notification's commit. A failed attempt asks for the next one at its
    backoff time; should that task be lost too, the sweeper below sends the row."""
    result = services.delivery_send(delivery_id)
    if result == "retry":
        from .models import Delivery

        due = Delivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True).first()
        if due:
            delivery_send_task.schedule((delivery_id,), eta=due)
    return result


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-deliveries-sweep")
def deliveries_sweep_minutely() -> int:
    """Every minute: deliveries due and unsent (retries, lost tasks, dead workers' claims)."""
    return services.deliveries_sweep()
