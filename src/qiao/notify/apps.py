from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "qiao.notify"
    verbose_name = _("Notifications")

    def ready(self):
        from qiao.audit import services as audit_services
        from qiao.core.registry import desk_widgets, scopes, subscribe, subscribe_every

        from . import kinds, services
        from .delivery import services as delivery_services
        from .delivery import tasks  # noqa: F401 — huey discovers only an app's own `tasks`
        from .inbox.desk import WIDGETS
        from .scopes import SCOPES

        # Who reads the inbox (core.registry.scopes).
        for scope in SCOPES:
            scopes.register(scope)
        # The start page's block: the unread messages.
        for widget in WIDGETS:
            desk_widgets.register(widget)
        # The operation log's alert to a supervisor (audit sits below notify: it announces the
        # alert as a domain event, the inbox carries it, inside the alert's transaction).
        kinds.register(audit_services.VIEW_ALERT, title=audit_services.view_alert_title)
        subscribe(audit_services.VIEW_ALERT_RAISED, services.notify_one, in_transaction=True)
        # The integrations' webhooks: every domain event offered to them (`webhook=True`),
        # whichever app registers it, queued in the outbox after the event's commit.
        subscribe_every(delivery_services.event_deliveries_create)
        # What an erasure of a person's data searches (core.privacy.sweep): the messages and
        # the outbox copy names and numbers out of records.
        from qiao.core.registry import PersonalCopy, personal_copies

        from .delivery.models import Delivery
        from .inbox.models import Notification

        personal_copies.register(PersonalCopy(Notification, ("params", "title", "body")))
        personal_copies.register(PersonalCopy(Delivery, ("payload", "message", "last_error")))
