"""The hospitality request moves from the approval engine to visits with its rows: the same
tables (approvals_hospitalityrequest and its history), now in visits' state; approvals 0012
then removes them from approvals' state. The content types are renamed, keeping their ids, so
approval requests (a generic foreign key) still find their subjects and the admin's
permissions stay attached."""

import django.db.models.deletion
import django.utils.timezone
import qiao.core.money
import qiao.core.validators
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ["hospitalityrequest", "historicalhospitalityrequest"]


def rename_content_types(apps, schema_editor, old="approvals", new="visits"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        # A fresh database has none yet: post_migrate creates visits' own.
        if not types.filter(app_label=new, model=model).exists():
            types.filter(app_label=old, model=model).update(app_label=new)


def rename_back(apps, schema_editor):
    rename_content_types(apps, schema_editor, old="visits", new="approvals")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # After every approvals migration that reads approvals.HospitalityRequest.
        ("approvals", "0011_request_secret_level_backfill"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0018_attachment_stored_file_backfill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables exist (approvals 0001): only the state moves.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='HistoricalHospitalityRequest',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('amount', qiao.core.money.MoneyField(minimum='0.01', verbose_name='amount (CNY)')),
                    ('date', models.DateField(validators=[qiao.core.validators.PlausibleDate()], verbose_name='date')),
                    ('guests', models.CharField(max_length=200, verbose_name='guests')),
                    ('purpose', models.TextField(verbose_name='purpose')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.CharField(max_length=100, null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('customer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='customers.customer', verbose_name='customer')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('requester', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requester')),
                ],
                options={
                    'verbose_name': 'historical hospitality request',
                    'verbose_name_plural': 'historical hospitality requests',
                    'db_table': 'approvals_historicalhospitalityrequest',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='HospitalityRequest',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='updated at')),
                    ('amount', qiao.core.money.MoneyField(minimum='0.01', verbose_name='amount (CNY)')),
                    ('date', models.DateField(validators=[qiao.core.validators.PlausibleDate()], verbose_name='date')),
                    ('guests', models.CharField(max_length=200, verbose_name='guests')),
                    ('purpose', models.TextField(verbose_name='purpose')),
                    ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer', verbose_name='customer')),
                    ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requester')),
                ],
                options={
                    'verbose_name': 'hospitality request',
                    'verbose_name_plural': 'hospitality requests',
                    'db_table': 'approvals_hospitalityrequest',
                },
            ),
        ]),
        migrations.RunPython(rename_content_types, rename_back),
    ]
