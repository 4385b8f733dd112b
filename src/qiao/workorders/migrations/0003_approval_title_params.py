"""Existing approval requests of work orders get the parameters of their title, so that they are
read in the reader's language (approvals composes titles when read; this module knows what a
work order's title says). Writes approvals' table: this request type's own rows."""

from django.db import migrations

from qiao.approvals.backfill import empty_title_params, fill_title_params

TYPES = ["work_order"]


def fill(apps, schema_editor):
    fill_title_params(apps, TYPES, "workorders.WorkOrder",
                      lambda w: {"title": w.title, "customer": w.customer.name},
                      related=["customer"])


def empty(apps, schema_editor):
    empty_title_params(apps, TYPES)


class Migration(migrations.Migration):

    dependencies = [
        ("workorders", "0002_plausible_ranges_and_money"),
        ("approvals", "0007_titles_read_in_the_readers_language"),
    ]

    # before approvals copies the title parameters into the messages already in inboxes
    run_before = [("approvals", "0009_approval_messages_params")]

    operations = [migrations.RunPython(fill, empty)]
