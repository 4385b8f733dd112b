"""Attachments stored before Qiao recorded what a stored file is: the type detected from the
content (the browser's claim is dropped), size and SHA-256 read from the disk, uploaded at the
row's creation. A file missing from the disk is tolerated (core.files.stored_files_backfill)."""

from django.db import migrations

from qiao.core.files import stored_files_backfill


def _uploaded_when_created(row):
    row.uploaded_at = row.created_at


def fill(apps, schema_editor):
    stored_files_backfill(apps.get_model("customers", "Attachment").objects.all(),
                          fields=["uploaded_at"], extra=_uploaded_when_created)


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0017_attachment_stored_file'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
