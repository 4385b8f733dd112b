"""Existing approval requests of lifecycle changes and transfers get the parameters of their
title, so that they are read in the reader's language (approvals composes titles when read;
this module knows what those titles say). Writes approvals' table: these request types' own
rows."""

from django.db import migrations

from qiao.approvals.backfill import empty_title_params, fill_title_params

LIFECYCLE = ["customer_onboarding", "customer_offboarding"]
TRANSFER = ["customer_transfer"]


def _name(user):
    return user.display_name or user.username  # User.__str__, which historical models lack


def fill(apps, schema_editor):
    fill_title_params(apps, LIFECYCLE, "customers.LifecycleRequest",
                      lambda r: {"customer": r.customer.name, "from": r.from_status,
                                 "to": r.to_status},
                      related=["customer"])
    fill_title_params(apps, TRANSFER, "customers.TransferRequest",
                      lambda t: {"count": t.items.count(), "from": _name(t.from_user),
                                 "to": _name(t.to_user)},
                      related=["from_user", "to_user"])


def empty(apps, schema_editor):
    empty_title_params(apps, LIFECYCLE + TRANSFER)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0011_reformat_phones_and_refresh_search_keys"),
        ("approvals", "0007_titles_read_in_the_readers_language"),
    ]

    # before approvals copies the title parameters into the messages already in inboxes
    run_before = [("approvals", "0009_approval_messages_params")]

    operations = [migrations.RunPython(fill, empty)]
