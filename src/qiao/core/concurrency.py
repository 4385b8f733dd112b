"""Optimistic concurrency: a compare-and-set on the `version` column."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .exceptions import StaleVersionError


@transaction.atomic
def save_versioned(instance, *, expected_version, change_reason=""):
    """Save `instance` only if its row still carries `expected_version`.

    The conditional UPDATE claims the row (a row lock on PostgreSQL, the write lock that an
    IMMEDIATE transaction holds on SQLite), so of two people saving at once exactly one wins
    and the other gets StaleVersionError with nothing written. The full save that follows
    goes through the model's normal save, so django-simple-history records before/after.
    """
    model = type(instance)
    # Counted up by the database: an absurd version from outside matches no row (stale), and is
    # never turned into a number the column cannot hold.
    claimed = model._base_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if claimed != 1:
        raise StaleVersionError.of(instance)
    instance.version = expected_version + 1
    instance.updated_at = timezone.now()
    if change_reason:
        instance._change_reason = change_reason
    instance.save()
    return instance


def field_values(instance, fields) -> dict:
    """The stored values of `fields` of `instance`, taken before and after an edit is applied
    to it: equal, the edit changes nothing and its service writes nothing (no version, no
    history row, no timeline event), as a form saved unchanged must."""
    return {name: getattr(instance, instance._meta.get_field(name).attname) for name in fields}
