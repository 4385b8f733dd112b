"""Existing hospitality requests get the parameters of their title, so that they too are read
in the reader's language (the modules of the other request types fill theirs)."""

from django.db import migrations

from qiao.approvals.backfill import empty_title_params, fill_title_params

TYPES = ["hospitality"]


def fill(apps, schema_editor):
    fill_title_params(apps, TYPES, "approvals.HospitalityRequest",
                      lambda h: {"customer": h.customer.name, "amount": f"{h.amount:.2f}"},
                      related=["customer"])


def empty(apps, schema_editor):
    empty_title_params(apps, TYPES)


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0007_titles_read_in_the_readers_language"),
    ]

    operations = [migrations.RunPython(fill, empty)]
