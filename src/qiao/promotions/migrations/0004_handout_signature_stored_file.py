"""A receipt's signature becomes a stored file (core.models.StoredFile): the `signature` column
is renamed `file` and gains what every stored file records; 0005 fills them in."""

import django.db.models.deletion
import django.utils.timezone
import qiao.core.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('promotions', '0003_promotion_message_params'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name='handout', old_name='signature', new_name='file'),
        migrations.RenameField(model_name='historicalhandout', old_name='signature',
                               new_name='file'),
        migrations.AddField(
            model_name='handout',
            name='content_type',
            field=models.CharField(default='application/octet-stream', max_length=100, verbose_name='type'),
        ),
        migrations.AddField(
            model_name='handout',
            name='original_name',
            field=models.CharField(default='', max_length=200, verbose_name='file name'),
        ),
        migrations.AddField(
            model_name='handout',
            name='secret_level',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Public'), (1, 'Internal'), (2, 'Confidential'), (3, 'Secret')], default=1, verbose_name='secret level'),
        ),
        migrations.AddField(
            model_name='handout',
            name='sha256',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='SHA-256'),
        ),
        migrations.AddField(
            model_name='handout',
            name='size',
            field=models.PositiveIntegerField(default=0, verbose_name='size'),
        ),
        migrations.AddField(
            model_name='handout',
            name='uploaded_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='uploaded at'),
        ),
        migrations.AddField(
            model_name='handout',
            name='uploaded_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
        ),
        migrations.AddField(
            model_name='historicalhandout',
            name='content_type',
            field=models.CharField(default='application/octet-stream', max_length=100, verbose_name='type'),
        ),
        migrations.AddField(
            model_name='historicalhandout',
            name='original_name',
            field=models.CharField(default='', max_length=200, verbose_name='file name'),
        ),
        migrations.AddField(
            model_name='historicalhandout',
            name='secret_level',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Public'), (1, 'Internal'), (2, 'Confidential'), (3, 'Secret')], default=1, verbose_name='secret level'),
        ),
        migrations.AddField(
            model_name='historicalhandout',
            name='sha256',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='SHA-256'),
        ),
        migrations.AddField(
            model_name='historicalhandout',
            name='size',
            field=models.PositiveIntegerField(default=0, verbose_name='size'),
        ),
        migrations.AddField(
            model_name='historicalhandout',
            name='uploaded_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='uploaded at'),
        ),
        migrations.AddField(
            model_name='historicalhandout',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by'),
        ),
        migrations.AlterField(
            model_name='handout',
            name='file',
            field=models.FileField(max_length=200, upload_to=qiao.core.models.stored_file_path, verbose_name='file'),
        ),
        migrations.AlterField(
            model_name='historicalhandout',
            name='file',
            field=models.TextField(max_length=200, verbose_name='file'),
        ),
    ]
