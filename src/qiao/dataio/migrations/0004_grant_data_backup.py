"""Give the administrator's default role, created before backups, the backups page (as
dataio.actions declares it). Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [("dataio", "0003_worker_job"), ("org", "0007_reformat_mobiles")]

    operations = [grant_action("data.backup", roles=("admin",))]
