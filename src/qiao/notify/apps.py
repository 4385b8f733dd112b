from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "qiao.notify"
    verbose_name = _("Notifications")

    def ready(self):
        # Who reads the inbox (core.registry.scopes).
        from qiao.core.registry import scopes

        from .scopes import SCOPES

        for scope in SCOPES:
            scopes.register(scope)
        # The start page's block: the unread messages.
        from qiao.core.registry import desk_widgets

        from .desk import WIDGETS

        for widget in WIDGETS:
            desk_widgets.register(widget)
