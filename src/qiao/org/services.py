"""Writes on the organisation: units keep their materialised path right."""

from django.db import transaction

from .models import PATH_STEP, OrgUnit


def _path_for(unit: OrgUnit) -> str:
    prefix = unit.parent.path if unit.parent_id else ""
    return prefix + str(unit.pk).zfill(PATH_STEP)


@transaction.atomic
def org_unit_create(*, name: str, kind: str, parent: OrgUnit | None = None, sort_order=0):
    unit = OrgUnit.objects.create(name=name, kind=kind, parent=parent, sort_order=sort_order)
    unit.path = _path_for(unit)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Re-parent a unit; its whole subtree's paths follow in one statement per descendant."""
    if new_parent and new_parent.path.startswith(unit.path):
        raise ValueError("A unit cannot move under itself.")
    old_path = unit.path
    unit.parent = new_parent
    unit.path = _path_for(unit)
    unit.save()
    for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old_path):]
        child.save(update_fields=["path"])
    return unit


def org_unit_save_from_admin(unit: OrgUnit, *, is_new: bool) -> None:
    """The admin saves the row; this puts the path right (new unit or moved unit)."""
    expected = _path_for(unit)
    if unit.path == expected:
        return
    if is_new or not unit.path:
        unit.path = expected
        unit.save(update_fields=["path"])
    else:
        org_unit_move(unit=unit, new_parent=unit.parent)


@transaction.atomic
def user_move(*, user, unit: OrgUnit):
    """Put `user` in another unit. The records they own carry their unit (so that scope is one
    indexed condition), so those follow in the same transaction."""
    # Imported here: customers builds on org, not the other way round.
    from qiao.customers.services import customers_follow_owner

    user.unit = unit
    user.save(update_fields=["unit"])
    customers_follow_owner(owner=user)
    return user
