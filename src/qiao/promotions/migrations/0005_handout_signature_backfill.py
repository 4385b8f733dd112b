"""Signatures stored before Qiao recorded what a stored file is: type, size and SHA-256 read
from the disk, uploaded by whoever handed the goods out when the customer signed, and named as
a new signature is (in the installation's language). A file missing from the disk is tolerated
(core.files.stored_files_backfill)."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

from qiao.core.files import stored_files_backfill


def _signature(row):
    row.uploaded_by_id, row.uploaded_at = row.handed_out_by_id, row.signed_at
    row.original_name = (translation.gettext("Signature of %(name)s.png")
                         % {"name": row.signer_name})[:200]


def fill(apps, schema_editor):
    with translation.override(settings.LANGUAGE_CODE):
        stored_files_backfill(apps.get_model("promotions", "Handout").objects.all(),
                              fields=["uploaded_by", "uploaded_at", "original_name"],
                              extra=_signature)


class Migration(migrations.Migration):

    dependencies = [
        ('promotions', '0004_handout_signature_stored_file'),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
