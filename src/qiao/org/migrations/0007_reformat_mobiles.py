"""Users' mobiles already stored are put into the stored form of core.fields.PhoneField."""

from django.db import migrations

from qiao.core.fields import phones_reformat


def forwards(apps, schema_editor):
    phones_reformat(apps.get_model("org", "User"), ["mobile"])


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0006_plausible_ranges_and_phone_field"),
    ]

    # Backwards: the old forms are still valid values, so there is nothing to undo.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
