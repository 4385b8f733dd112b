"""Base models every business record builds on: timestamps, soft delete and a version."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(is_deleted=False)

    def deleted(self):
        return self.filter(is_deleted=True)


class BusinessModel(TimeStampedModel):
    """A record people edit together: soft delete, and a version for optimistic locking.

    `version` is compared and bumped in one UPDATE by `core.concurrency.save_versioned`,
    which works the same on SQLite (where select_for_update is a no-op) and PostgreSQL.
    """

    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = SoftDeleteQuerySet.as_manager()

    class Meta:
        abstract = True
