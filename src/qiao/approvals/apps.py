from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "qiao.approvals"
    verbose_name = _("Approvals")

    def ready(self):
        # Its action, and its header entry: the steps waiting for me.
        from qiao.core.registry import NavEntry, actions, navigation

        from .actions import ACTIONS, APPROVAL_REQUEST

        for action in ACTIONS:
            actions.register(action)
        # Its domain events, offered to the integrations' webhooks (core.registry.events).
        from qiao.core.registry import events as domain_events

        from .events import EVENTS

        for event in EVENTS:
            domain_events.register(event)
        navigation.register(NavEntry("approvals:waiting", _("Approvals"), "bi-check2-square",
                                     (APPROVAL_REQUEST,), order=70))
        # Its inbox messages. Request types are registered by the modules of their subjects.
        from . import notifications

        notifications.register_kinds()
        # Who reads its requests (core.registry.scopes).
        from qiao.core.registry import scopes

        from .scopes import SCOPES

        for scope in SCOPES:
            scopes.register(scope)
        # The start page's blocks: steps waiting for me, my open requests.
        from qiao.core.registry import desk_widgets

        from .desk import WIDGETS

        for widget in WIDGETS:
            desk_widgets.register(widget)
        # What an erasure of a person's data searches (core.privacy.sweep): titles composed
        # with a customer's name, comments written about them.
        from qiao.core.registry import PersonalCopy, personal_copies

        from .models import ApprovalEvent, ApprovalRequest, ApprovalTask

        personal_copies.register(PersonalCopy(ApprovalRequest, ("title_params", "written_title")))
        personal_copies.register(PersonalCopy(ApprovalTask, ("comment",)))
        personal_copies.register(PersonalCopy(ApprovalEvent, ("comment", "params")))
