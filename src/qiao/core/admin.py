"""What several apps' admins share."""


class ReadOnlyAdminMixin:
    """Records the admin shows but never adds, changes or deletes: their changes go through
    the app's services (approval requests, deliveries, campaigns, API tokens)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
