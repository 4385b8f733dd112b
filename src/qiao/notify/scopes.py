"""Who reads the inbox (core.registry.scopes, registered in apps.ready)."""

from qiao.core.registry import Scope, ScopeMode

from .models import Notification


def own_inbox(notifications, user):
    """A user sees their own notifications, nobody else's (not even an administrator)."""
    if not user or not user.is_authenticated:
        return notifications.none()
    return notifications.filter(recipient=user)


SCOPES = (Scope(Notification, ScopeMode.CUSTOM, custom=own_inbox),)
