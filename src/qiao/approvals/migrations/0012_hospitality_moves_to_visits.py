"""The hospitality request now lives in visits (visits 0001 took over its tables and content
types): it leaves approvals' state; the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0011_request_secret_level_backfill"),
        ("visits", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='hospitalityrequest',
                name='customer',
            ),
            migrations.RemoveField(
                model_name='hospitalityrequest',
                name='requester',
            ),
            migrations.DeleteModel(
                name='HistoricalHospitalityRequest',
            ),
            migrations.DeleteModel(
                name='HospitalityRequest',
            ),
        ]),
    ]
