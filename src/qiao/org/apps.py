from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "qiao.org"
    verbose_name = _("Organisation")

    def ready(self):
        # What people may see has changed (services.clearance_changed): the domains subscribe.
        # The changes of accounts and access: the operation log records them.
        from qiao.core.registry import DomainEvent, actions, events

        from . import second_factor, services

        for code, label in [
            (services.CLEARANCE_CHANGED, _("Clearance changed")),
            (services.PASSWORD_CHANGED, _("Password changed")),
            (services.PASSWORD_SET_BY_ADMIN, _("Password set by an administrator")),
            (services.PASSWORD_RESET_ISSUED, _("Password reset link issued")),
            (services.PASSWORD_RESET_USED, _("Password reset through a link")),
            (services.API_TOKEN_CREATED, _("API token created")),
            (services.API_TOKEN_REVOKED, _("API token revoked")),
            (services.ACCESS_CHANGED, _("Access changed in the admin")),
            (second_factor.ENROLLED, _("Second factor set up")),
            (second_factor.RECOVERY_CODES_RENEWED, _("Recovery codes renewed")),
            (second_factor.RESET, _("Second factor reset by an administrator")),
        ]:
            events.register(DomainEvent(code, label))
        # Its own actions (administering the organisation, revealing numbers, the API).
        from .actions import ACTIONS

        for action in ACTIONS:
            actions.register(action)
