from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "qiao.org"
    verbose_name = _("Organisation")

    def ready(self):
        # What people may see has changed (services.clearance_changed): the domains subscribe.
        from qiao.core.registry import DomainEvent, actions, events

        from .services import CLEARANCE_CHANGED

        events.register(DomainEvent(CLEARANCE_CHANGED, _("Clearance changed")))
        # Its own actions (administering the organisation, revealing numbers, the API).
        from .actions import ACTIONS

        for action in ACTIONS:
            actions.register(action)
