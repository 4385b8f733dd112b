from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "qiao.customers"
    verbose_name = _("Customer archive")

    def ready(self):
        # Schema upkeep, not business logic: SQLite drops the search table's triggers whenever
        # a migration rebuilds customers_customer; put them back after every migrate.
        from .search_index import keep_sqlite_search_in_step

        post_migrate.connect(keep_sqlite_search_in_step, sender=self)
        # Its actions (core.registry.actions) and header entries, in the menu's order
        # (core.registry.navigation).
        from qiao.core import registry

        from .actions import (
            ACTIONS,
            CUSTOMER_REASSIGN,
            CUSTOMER_RESTORE,
            CUSTOMER_VIEW,
            PERSONAL_DATA,
            POOL_CLAIM,
        )

        for action in ACTIONS:
            registry.actions.register(action)
        for entry in (
            registry.NavEntry("customers:list", _("Customers"), "bi-people",
                              (CUSTOMER_VIEW,), order=10),
            registry.NavEntry("customers:pool", _("Public pool"), "bi-inbox",
                              (POOL_CLAIM,), order=30),
            registry.NavEntry("customers:handover", _("Handover"), "bi-arrow-left-right",
                              (CUSTOMER_REASSIGN,), order=40, menu="more"),
            registry.NavEntry("customers:recycle_bin", _("Recycle bin"), "bi-trash3",
                              (CUSTOMER_RESTORE,), order=50, menu="more"),
            registry.NavEntry("customers:personal_data", _("Personal data requests"),
                              "bi-shield-lock", (PERSONAL_DATA,), order=52, menu="more"),
        ):
            registry.navigation.register(entry)
        # Its domain events, offered to the integrations' webhooks (core.registry.events).
        from .events import EVENTS

        for event in EVENTS:
            registry.events.register(event)
        # Who reads which of its records (core.registry.scopes).
        from .scopes import SCOPES

        for scope in SCOPES:
            registry.scopes.register(scope)
        # What its sheets import as (DAT-1: dataio reads the file, the rows are saved here).
        from .importers import IMPORTERS

        for importer in IMPORTERS:
            registry.importers.register(importer)
        # A manager moved to another unit: their customers' owning unit follows them.
        from .services import customers_follow_owner

        registry.owner_moved.register(customers_follow_owner)
        # A role's clearance lowered (or a manager moved to another position) in the admin:
        # customers now above their manager's clearance are flagged to the supervisor at once.
        from qiao.org.services import CLEARANCE_CHANGED

        from .reminders import clearance_mismatch_remind, register_kinds

        registry.subscribe(CLEARANCE_CHANGED, clearance_mismatch_remind)
        register_kinds()  # how the reminders read in the inbox
        # The kinds of its own timeline events (core.registry.timeline_kinds).
        from . import timeline

        timeline.register_kinds()
        # Lifecycle changes (CUS-2) and transfers (ORG-6) that go through approval.
        from qiao.approvals import registry

        from . import request_forms, requests
        from .models import LifecycleRequest, TransferRequest

        for code, label in (("customer_onboarding", requests.ONBOARDING_LABEL),
                            ("customer_offboarding", requests.OFFBOARDING_LABEL)):
            registry.register(code, LifecycleRequest, label, customer_field="customer",
                              detail_template="customers/_subject_lifecycle.html",
                              on_decided=requests.lifecycle_decided,
                              title=requests.lifecycle_title,
                              title_params=requests.lifecycle_title_params,
                              edit_form=request_forms.LifecycleRequestForm,
                              on_edit=requests.lifecycle_request_edit)
        registry.register(requests.TRANSFER_TYPE, TransferRequest, requests.TRANSFER_LABEL,
                          detail_template="customers/_subject_transfer.html",
                          on_decided=requests.transfer_decided,
                          title=requests.transfer_title,
                          title_params=requests.transfer_title_params,
                          secret_level=requests.transfer_secret_level,
                          edit_form=request_forms.TransferRequestForm,
                          on_edit=requests.transfer_request_edit)
        # A person's requests about their data (PIPL), decided by a superior.
        from . import privacy

        privacy.register()
        # The start page's blocks (工作台).
        from qiao.core.registry import desk_widgets

        from .desk import WIDGETS

        for widget in WIDGETS:
            desk_widgets.register(widget)
        # Its at-risk rules (CUS-9, core.registry.risk_rules).
        from qiao.core.registry import risk_rules as risk_rules

        from .selectors.risk import RULES as RISK_RULES

        for rule in RISK_RULES:
            risk_rules.register(rule)
