"""Promotion messages already in inboxes get their own kinds (list confirmed, new
recommendations: both were "promotion") and their parameters (the campaign their key names), so
that they are composed when read, in the reader's language. Writes notify's table: this
module's own messages."""

import re

from django.db import migrations

KEY = re.compile(r"^promotion-(confirmed|recommended)-(\d+)")
KINDS = {"confirmed": "promotion_confirmed", "recommended": "promotion_recommended"}


def fill(apps, schema_editor):
    Notification = apps.get_model("notify", "Notification")
    Campaign = apps.get_model("promotions", "Campaign")
    notes = list(Notification.objects.filter(kind="promotion"))
    keys = {n.pk: KEY.match(n.key or "") for n in notes}
    campaigns = Campaign.objects.in_bulk({int(m.group(2)) for m in keys.values() if m})
    found = []
    for note in notes:
        match = keys[note.pk]
        campaign = campaigns.get(int(match.group(2))) if match else None
        if campaign is not None:
            note.kind, note.params = KINDS[match.group(1)], {"name": campaign.name}
            found.append(note)
    Notification.objects.bulk_update(found, ["kind", "params"], batch_size=500)


def empty(apps, schema_editor):
    apps.get_model("notify", "Notification").objects.filter(
        kind__in=list(KINDS.values())).update(kind="promotion", params={})


class Migration(migrations.Migration):

    dependencies = [
        ("promotions", "0002_plausible_ranges"),
        ("notify", "0002_message_parameters"),
    ]

    operations = [migrations.RunPython(fill, empty)]
