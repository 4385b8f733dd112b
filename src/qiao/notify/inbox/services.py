"""Writes of the inbox: its reader marks messages read."""

from django.utils import timezone

from . import selectors
from .models import Notification


def notification_mark_read(*, user, notification) -> bool:
    """Mark one of the user's own notifications read (already read: nothing changes)."""
    changed = Notification.objects.filter(pk=notification.pk, recipient=user,
                                          read_at__isnull=True).update(read_at=timezone.now())
    _forget_count(user)
    return bool(changed)


def notifications_mark_all_read(*, user) -> int:
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now())
    _forget_count(user)
    return changed


def _forget_count(user):
    setattr(user, selectors.CACHE_ATTRIBUTE, None)  # count again when next asked
