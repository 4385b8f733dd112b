"""Inbox messages of dataio: a backup that failed, told to those who look after the backups
(the DATA_BACKUP action) the moment it fails, not only on the backups page they may not open
for days. Stored as its kind and parameters and composed when read (notify.kinds)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

BACKUP_FAILED = "backup_failed"


def register_kinds():
    """Called from the app's ready()."""
    from qiao.notify import kinds

    kinds.register(BACKUP_FAILED, title=lambda p: _("The backup of %s failed") % p["at"],
                   body=lambda p: _("%(error)s\nThe last good archive is still there; "
                                    "see the backups page and start one again once the cause "
                                    "is put right.") % {"error": p["error"]})


def backup_failed_tell(error: Exception) -> None:
    """Tell the holders of DATA_BACKUP that a backup failed: one message per failure (keyed by
    its moment, so a retry of the telling sends nothing twice)."""
    from django.db.models import Q

    from qiao.notify.services import notify
    from qiao.org.models import User
    from qiao.org.scope import holds_action_q

    from .actions import DATA_BACKUP

    # The superusers too: the first administrator, made with `createsuperuser`, has no role.
    keepers = User.objects.filter(holds_action_q(DATA_BACKUP, "position__role__")
                                  | Q(is_superuser=True), is_active=True)
    at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    notify(recipients=list(keepers), kind=BACKUP_FAILED,
           params={"at": at, "error": str(error)[:500]}, url=reverse("dataio:backups"),
           key=f"backup-failed-{at}")
