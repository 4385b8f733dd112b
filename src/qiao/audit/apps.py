from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "qiao.audit"
    verbose_name = _("Operation log")

    def ready(self):
        # Its action and header entry (core.registry.actions, navigation).
        from qiao.core.registry import NavEntry, actions, navigation

        from .actions import ACTIONS, AUDIT_VIEW

        for action in ACTIONS:
            actions.register(action)
        navigation.register(NavEntry("audit:log", _("Operation log"), "bi-journal-text",
                                     (AUDIT_VIEW,), order=60, menu="more"))
        # Who reads the log (core.registry.scopes).
        from qiao.core.registry import scopes

        from .scopes import SCOPES

        for scope in SCOPES:
            scopes.register(scope)
        # django.contrib.auth's user_logged_in / user_login_failed / user_logged_out are the
        # framework's sanctioned hook for authentication events (there is no service of ours
        # that a login passes through: LoginView, LogoutView, the admin's login and
        # Client.login all end in django.contrib.auth.login/logout/authenticate), so the
        # operation log listens to them here — recording only, no business logic.
        from django.contrib.auth.signals import (
            user_logged_in,
            user_logged_out,
            user_login_failed,
        )
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import receivers, triggers

        user_logged_in.connect(receivers.on_logged_in, dispatch_uid="qiao.audit.login")
        user_login_failed.connect(receivers.on_login_failed, dispatch_uid="qiao.audit.failed")
        user_logged_out.connect(receivers.on_logged_out, dispatch_uid="qiao.audit.logout")
        # The SQLite triggers (migration 0001) ask this per-connection function whether
        # deleting log rows is locked; see receivers.register_sqlite_guard.
        connection_created.connect(receivers.register_sqlite_guard,
                                   dispatch_uid="qiao.audit.sqlite_guard")
        post_migrate.connect(triggers.reinstall_after_migrate, sender=self,
                             dispatch_uid="qiao.audit.triggers")
        # Lists' files and prints (core.lists), org's changes of accounts and access: recorded
        # inside their transactions.
        from qiao.core import exports, registry
        from qiao.org import second_factor
        from qiao.org import services as org_services

        from . import services

        for code, recorder in [
            (exports.EXPORTED, services.export_record),
            (exports.PRINTED, services.print_record),
            (org_services.PASSWORD_CHANGED, services.password_changed_record),
            (org_services.PASSWORD_SET_BY_ADMIN, services.password_set_by_admin_record),
            (org_services.PASSWORD_RESET_ISSUED, services.password_reset_issued_record),
            (org_services.PASSWORD_RESET_USED, services.password_reset_used_record),
            (org_services.API_TOKEN_CREATED, services.api_token_created_record),
            (org_services.API_TOKEN_REVOKED, services.api_token_revoked_record),
            (org_services.ACCESS_CHANGED, services.access_change_record),
            (second_factor.ENROLLED, services.second_factor_enrolled_record),
            (second_factor.RECOVERY_CODES_RENEWED, services.recovery_codes_renewed_record),
            (second_factor.RESET, services.second_factor_reset_record),
        ]:
            registry.subscribe(code, recorder, in_transaction=True)
        # The supervisor's alert, announced for the inbox (notify subscribes).
        registry.events.register(registry.DomainEvent(services.VIEW_ALERT_RAISED,
                                                      _("Viewing alert raised")))
