"""Logging of permission changes made in the Django admin (SPEC AUD-2).

The operation log itself is not in the admin: it names customers, and the administrators'
role sees no business data. It is read on /audit/ by those with audit.view.
"""

from .models import OperationLog
from .services import admin_change_record, admin_changes

Kind = OperationLog.Kind

# model label: (operation, the fields whose change is a change of who may do or see what)
AUDITED = {
    "org.role": (Kind.ROLE_CHANGE, ("code", "name", "data_scope", "clearance", "actions")),
    "org.position": (Kind.POSITION_CHANGE, ("name", "role")),
    "org.user": (Kind.PERMISSION_CHANGE, ("position", "unit", "supervisor", "is_active",
                                           "must_change_password",
                                           "is_staff", "is_superuser", "groups",
                                           "user_permissions")),
}


class AuditedAdminMixin:
    """First base of org's RoleAdmin, PositionAdmin and QiaoUserAdmin: a new record, or a
    change of a watched field, appends one row with old → new values."""

    def save_model(self, request, obj, form, change):
        action, fields = AUDITED[obj._meta.label_lower]
        old = type(obj)._base_manager.filter(pk=obj.pk).first() if change else None
        changes = admin_changes(form=form, old=old, fields=fields)
        super().save_model(request, obj, form, change)
        if changes or not change:
            admin_change_record(request=request, action=action, obj=obj, changes=changes,
                                created=not change)
