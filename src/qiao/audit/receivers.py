"""Receivers of django.contrib.auth's login signals (connected in AuditConfig.ready)."""

from django.conf import settings

from qiao.core.origin import Origin

from . import services


def on_logged_in(sender, request, user, **kwargs):
    services.login_record(origin=Origin.of(request), user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    services.login_failed_record(origin=Origin.of(request), username=str(credentials.get("username", "")))


def on_logged_out(sender, request, user, **kwargs):
    services.logout_record(origin=Origin.of(request), user=user)


def register_sqlite_guard(sender, connection, **kwargs):
    """qiao_audit_locked() for the SQLite DELETE trigger of audit_operationlog.

    Why a function: Django empties tables between transactional tests (flush) with
    `DELETE FROM` on SQLite, which fires row triggers (PostgreSQL's flush uses TRUNCATE,
    which does not). A connection that never registered the function — the sqlite3 shell,
    any other program — cannot delete at all ("no such function"); a Qiao connection can
    only where settings.QIAO_AUDIT_LOCKED is False (the test settings' business, never
    production's). UPDATE is refused unconditionally.
    """
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        "qiao_audit_locked", 0, lambda: int(getattr(settings, "QIAO_AUDIT_LOCKED", True)),
        deterministic=False)
