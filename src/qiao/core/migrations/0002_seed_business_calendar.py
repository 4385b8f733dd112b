"""The business calendar's first rows: every official holiday and make-up workday chinesecalendar
knows (2004 to the latest year it has), and the working periods 09:00–12:00 and 13:30–18:00.
`manage.py calendar_seed` adds the days of a newer library version later."""

import datetime

from django.db import migrations

from qiao.core.calendar import seed_official_days


def seed(apps, schema_editor):
    seed_official_days(apps.get_model("core", "CalendarDay"))
    WorkingPeriod = apps.get_model("core", "WorkingPeriod")
    if not WorkingPeriod.objects.exists():
        WorkingPeriod.objects.bulk_create([
            WorkingPeriod(start=datetime.time(9, 0), end=datetime.time(12, 0)),
            WorkingPeriod(start=datetime.time(13, 30), end=datetime.time(18, 0)),
        ])


class Migration(migrations.Migration):

    dependencies = [("core", "0001_business_calendar")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
