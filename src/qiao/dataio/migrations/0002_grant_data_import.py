"""Give the default roles created before imports the action to import (account managers and
up, as dataio.actions declares it). Reversible."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action


class Migration(migrations.Migration):
    dependencies = [("dataio", "0001_initial"), ("org", "0007_reformat_mobiles")]

    operations = [grant_action("data.import", roles=(
        "director", "dept_manager", "regional_manager", "supervisor", "account_manager"))]
