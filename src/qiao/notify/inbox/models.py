"""The notification inbox (NTF-1): the messages each person reads."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from qiao.org.scope import ScopedQuerySet

from .. import kinds


class Notification(models.Model):
    """A message in one person's inbox. A message of a registered kind (notify.kinds) is
    composed from `params` when read, in the reader's language (`display_title`,
    `display_body`); `title` and `body` hold it as written in the recipient's language, for its
    e-mail copy and for a kind no longer registered."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The same reminder (e.g. "visit 17 due on 2026-11-27") is shown once per person: the
    # sender names it, and a second notify() with that key for that person is skipped.
    key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=Q(key__isnull=False),
                                    name="notify_notification_key_once_per_recipient"),
        ]
        indexes = [
            # The header's badge on every page: SELECT COUNT(*) WHERE recipient_id = %s AND
            # read_at IS NULL — only the unread rows are in this (partial) index.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True),
                         name="notify_unread_idx"),
            # The inbox page: WHERE recipient_id = %s ORDER BY created_at DESC, id DESC LIMIT 25.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notify_inbox_idx"),
        ]

    def __str__(self):
        return self.title

    @cached_property
    def _rendered(self):
        return kinds.render(self.kind, self.params)

    @property
    def display_title(self) -> str:
        return self._rendered[0][:200] if self._rendered else self.title

    @property
    def display_body(self) -> str:
        return self._rendered[1] if self._rendered else self.body
