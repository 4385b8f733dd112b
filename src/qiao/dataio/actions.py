"""dataio's actions (操作权限), registered in `core.registry.actions` by DataioConfig.ready()
with the roles that hold them by default. Each importer also needs its own actions (creating
customers, editing contacts): importing does nothing the importer could not type in."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ActionDef
from qiao.org.roles import ACCOUNT_MANAGERS_AND_UP

DATA_IMPORT = "data.import"
# The backups page (DAT-4): the list of archives and "back up now". The archives hold every
# record, so only the administrator's role holds it; they are never downloaded from the web.
DATA_BACKUP = "data.backup"

ACTIONS = (
    ActionDef(DATA_IMPORT, _("Import data from Excel and CSV files"), ACCOUNT_MANAGERS_AND_UP),
    ActionDef(DATA_BACKUP, _("See the backups and start one"), ("admin",)),
)
