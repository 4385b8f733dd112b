"""Supervisors' alerts already in inboxes get their parameters (from the log row their key
names), so that they are composed when read, in the reader's language. Writes notify's table:
this module's own messages."""

from django.db import migrations

BATCH = 500


def _log_id(note):
    number = note.key.split(":", 1)[1]
    return int(number) if number.isdigit() else None


def fill(apps, schema_editor):
    Notification = apps.get_model("notify", "Notification")
    OperationLog = apps.get_model("audit", "OperationLog")
    pending = Notification.objects.filter(kind="view_alert", params={},
                                          key__startswith="view_alert:")
    last = 0
    while batch := list(pending.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = batch[-1].pk
        logs = OperationLog.objects.select_related("actor").in_bulk(
            {_log_id(n) for n in batch} - {None})
        found = []
        for note in batch:
            log = logs.get(_log_id(note))
            if log is None or "distinct_customers" not in (log.details or {}):
                continue  # keeps its text as written
            actor = log.actor
            name = (actor.display_name or actor.username) if actor else log.actor_username
            note.params = {"user": name, "n": log.details["distinct_customers"]}
            found.append(note)
        Notification.objects.bulk_update(found, ["params"])


def empty(apps, schema_editor):
    apps.get_model("notify", "Notification").objects.filter(kind="view_alert").update(params={})


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0005_print_operation"),
        ("notify", "0002_message_parameters"),
    ]

    operations = [migrations.RunPython(fill, empty)]
