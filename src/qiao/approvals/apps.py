from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "qiao.approvals"
    verbose_name = _("Approvals")

    def ready(self):
        # Request types register themselves in code, as models register with the admin.
        from . import notifications, types  # noqa: F401

        notifications.register_kinds()
