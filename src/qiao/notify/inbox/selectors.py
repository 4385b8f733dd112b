"""Reads of the inbox: always the user's own notifications (Notification.objects.visible_to)."""

from django.shortcuts import get_object_or_404

from .models import Notification

CACHE_ATTRIBUTE = "_notify_unread_count"  # on the request's user: one count per request


def inbox(user):
    """The user's notifications, newest first (index notify_inbox_idx)."""
    return Notification.objects.visible_to(user).order_by("-created_at", "-id")


def unread_newest(user, limit=5):
    """The user's `limit` newest unread notifications (the desk), one query on the partial
    index of unread rows (notify_unread_idx)."""
    return list(inbox(user).filter(read_at__isnull=True)[:limit])


def notification_get(user, pk: int) -> Notification:
    """One of the user's own notifications; anyone else's is 404, like a missing one."""
    return get_object_or_404(Notification.objects.visible_to(user), pk=pk)


def unread_count(user) -> int:
    """One indexed COUNT (notify_unread_idx), kept on the user object, which lives for one
    request: the header and the page asking again cost no second query."""
    if not user or not user.is_authenticated:
        return 0
    count = getattr(user, CACHE_ATTRIBUTE, None)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        setattr(user, CACHE_ATTRIBUTE, count)
    return count
