"""Writes of the operation log: one function per logged operation, each one INSERT.

Nothing here raises into the caller's business: a view that logs a customer view calls
`customer_view_record` after it has fetched the customer through its selector.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core import registry
from qiao.core.exceptions import RateLimited, SecondFactorRequired
from qiao.core.masking import mask_phone, sensitive_kind
from qiao.core.origin import Origin
from qiao.org import second_factor
from qiao.org.actions import FIELD_REVEAL
from qiao.org.permissions import can
from qiao.org.selectors import first_superior

from .actions import AUDIT_VIEW
from .models import OperationLog

Kind = OperationLog.Kind
ALERT_WINDOW = timedelta(hours=1)


def operation_record(*, actor, action, origin: Origin | None = None, customer=None,
                     object_repr="",
                     details=None, username=None) -> OperationLog:
    """Append one row: who (actor, their username now), what, on which customer, from where."""
    return OperationLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=username if username is not None else (actor.get_username() if actor
                                                               else ""),
        action=action, customer=customer,
        object_repr=(object_repr or (customer.log_label if customer else ""))[:200],
        details=details or {},
        ip_address=origin.ip_address if origin else None,
        user_agent=origin.user_agent if origin else "",
    )


def login_record(*, origin: Origin | None, user) -> OperationLog:
    return operation_record(actor=user, action=Kind.LOGIN, origin=origin)


def login_failed_record(*, origin: Origin | None, username: str) -> OperationLog:
    """The username tried; the account when it exists (so its supervisor sees the attempts)."""
    from qiao.org.models import User

    username = username[:150]
    actor = User.objects.filter(username=username).first() if username else None
    return operation_record(actor=actor, action=Kind.LOGIN_FAILED, origin=origin,
                            username=username)


def logout_record(*, origin: Origin | None, user) -> OperationLog | None:
    if user is None or not user.is_authenticated:
        return None  # logging out without a session: nothing happened
    return operation_record(actor=user, action=Kind.LOGOUT, origin=origin)


def customer_view_record(*, actor, customer, origin: Origin | None = None) -> OperationLog:
    """A customer page was shown: one INSERT, then the volume check (one indexed COUNT)."""
    row = operation_record(actor=actor, action=Kind.CUSTOMER_VIEW, origin=origin,
                           customer=customer)
    view_alert_check(actor=actor, origin=origin, now=row.occurred_at)
    return row


def view_alert_check(*, actor, origin: Origin | None = None, now=None) -> OperationLog | None:
    """Record a 'view_alert' when `actor` opened more than QIAO_AUDIT_VIEW_ALERT_PER_HOUR
    distinct customers in the last hour, at most once per hour per user.

    Cost: one COUNT(DISTINCT customer_id) per customer view, answered from the covering
    index (actor, action, occurred_at, customer) over that user's last hour only — a few
    dozen index entries for normal work, the threshold's worth at most before the alert
    fires. A second query (the existing alert) runs only above the threshold. Checking only
    every 10th view was considered and not taken: knowing "the 10th" needs a per-user counter,
    that is a query of the same cost, or a cache that several workers do not share without
    Redis; and the alert would come up to 9 views late.
    """
    limit = getattr(settings, "QIAO_AUDIT_VIEW_ALERT_PER_HOUR", 100)
    now = now or timezone.now()
    since = now - ALERT_WINDOW
    opened = (OperationLog.objects
              .filter(actor=actor, action=Kind.CUSTOMER_VIEW, occurred_at__gt=since)
              .values("customer").distinct().count())
    if opened <= limit:
        return None
    if OperationLog.objects.filter(actor=actor, action=Kind.VIEW_ALERT,
                                   occurred_at__gt=since).exists():
        return None
    alert = operation_record(actor=actor, action=Kind.VIEW_ALERT, origin=origin,
                             details={"distinct_customers": opened, "threshold": limit,
                                      "window_minutes": int(ALERT_WINDOW.total_seconds() // 60)})
    _alert_supervisor(actor, alert, opened)
    return alert


VIEW_ALERT = "view_alert"  # an inbox message, composed when read (notify registers its kind)
# The domain event announcing a supervisor's alert (registered in AuditConfig.ready). The inbox
# sits above the operation log: notify subscribes and puts the message in the inbox, inside the
# alert's transaction. Payload: recipient, kind, params, url, key — the message to send.
VIEW_ALERT_RAISED = "audit.view_alert_raised"


def view_alert_title(params) -> str:
    return _("%(user)s opened %(n)d customers within an hour") % params


def _alert_supervisor(actor, alert, opened):
    """The alert in the inbox of the user's supervisor (AUD-2), linked to the user's log: the
    nearest one up the line who may read that log (audit.view, the user in their scope)."""
    boss = first_superior(actor, lambda person: can(person, AUDIT_VIEW)
                          and OperationLog.objects.visible_to(person).filter(pk=alert.pk).exists())
    if boss is None:
        return
    registry.emit(VIEW_ALERT_RAISED, recipient=boss, kind=VIEW_ALERT,
                  params={"user": str(actor), "n": opened},
                  url=f"/audit/?username={actor.get_username()}&action=customer_view",
                  key=f"view_alert:{alert.pk}")


# --- reveals of masked fields and exports ------------------------------------------------------

def _recent_count(actor, action, now) -> int:
    return OperationLog.objects.filter(actor=actor, action=action,
                                       occurred_at__gt=now - ALERT_WINDOW).count()


def field_reveal(*, actor, instance, field: str, customer, origin: Origin | None = None) -> str:
    """The clear value of a masked field, for `actor`, who has already been given `instance`
    through its access function (so it is in their scope and clearance). Logged, value never
    included; more than QIAO_REVEALS_PER_HOUR reveals in an hour are refused (RateLimited) and
    the refusal is logged too. `customer` is the customer the value belongs to (for the log and
    the pool rule: a pool customer's details stay masked until claimed)."""
    if not sensitive_kind(instance, field):
        # Nothing masked by that name: as a record that does not exist (404).
        raise ObjectDoesNotExist(f"{field} is not a sensitive field of {instance._meta.label}")
    if not can(actor, FIELD_REVEAL) or customer.in_pool:
        raise PermissionDenied
    where = {"actor": actor, "origin": origin, "customer": customer,
             "details": {"model": instance._meta.label_lower, "pk": instance.pk, "field": field}}
    refusal = _reveal_refusal(actor, _recent_count(actor, Kind.REVEAL, timezone.now()))
    if refusal is not None:
        operation_record(action=Kind.REVEAL_REFUSED, **where)
        raise refusal
    # The customer as the log names it (a person by number); another record by kind and number.
    shown = customer.log_label if instance == customer else (
        f"{customer.log_label} · {instance._meta.verbose_name} #{instance.pk}")
    operation_record(action=Kind.REVEAL, object_repr=shown, **where)
    return getattr(instance, field)


def _reveal_refusal(actor, revealed: int) -> RateLimited | SecondFactorRequired | None:
    """Within QIAO_REVEALS_PER_HOUR, nothing; beyond it, only a session that has verified its
    second factor goes on, up to QIAO_REVEALS_PER_HOUR_VERIFIED (C24)."""
    budget = settings.QIAO_REVEALS_PER_HOUR
    if revealed < budget:
        return None
    if not second_factor.required():
        return RateLimited(_("You have revealed %(n)d values in the last hour, the most allowed. "
                             "Try again later.") % {"n": budget})
    if not second_factor.verified(actor):
        return SecondFactorRequired(
            _("You have revealed %(n)d values in the last hour. To reveal more, verify with your "
              "second factor.") % {"n": budget})
    most = settings.QIAO_REVEALS_PER_HOUR_VERIFIED
    if revealed < most:
        return None
    return RateLimited(_("You have revealed %(n)d values in the last hour, the most allowed. "
                         "Try again later.") % {"n": most})


def duplicate_check_record(*, actor, origin: Origin | None = None, name="", credit_code="",
                           phone="") -> OperationLog | None:
    """A question put to the duplicate check (CUS-5) while a customer form is filled in. The
    check answers whether a name, credit code or phone exists anywhere in the company (as a
    count, for customers the user cannot see), so it is an oracle: each question is logged —
    name and credit code as typed, so that an auditor sees who probed what, the phone masked
    like everywhere else (its ends are enough to match a complaint) — and beyond
    QIAO_DUPLICATE_CHECKS_PER_HOUR questions in an hour it is refused (RateLimited), the refusal
    logged too. An empty question (nothing typed) is neither logged nor counted (None)."""
    keys = {"name": name.strip(), "credit_code": credit_code.strip(),
            "phone": mask_phone(phone) if phone.strip() else ""}
    keys = {key: value for key, value in keys.items() if value}
    if not keys:
        return None
    budget = getattr(settings, "QIAO_DUPLICATE_CHECKS_PER_HOUR", 60)
    where = {"actor": actor, "origin": origin, "details": {"keys": keys},
             "object_repr": " / ".join(keys.values())}
    if _recent_count(actor, Kind.DUPLICATE_CHECK, timezone.now()) >= budget:
        operation_record(action=Kind.DUPLICATE_CHECK_REFUSED, **where)
        raise RateLimited(_("You have checked for duplicates %(n)d times in the last hour, the "
                            "most allowed. Saving the form still checks for duplicates.")
                          % {"n": budget})
    return operation_record(action=Kind.DUPLICATE_CHECK, **where)


def export_record(*, actor, origin: Origin | None = None, what: str, rows: int, filters=None,
                  fmt: str = "xlsx", sha256: str = "", customer=None) -> OperationLog:
    """A file left the system (every file of core.exports.send, whichever module made it):
    who, what, how many rows, with which filters ({label: value} as people read them), in
    which format (xlsx or csv), and the SHA-256 of the bytes sent. Written before the file is
    sent, so a download broken off half-way is in the log too."""
    return operation_record(actor=actor, action=Kind.EXPORT, origin=origin, object_repr=what,
                            customer=customer,
                            details={"rows": rows, "filters": filters or {}, "format": fmt,
                                     "sha256": sha256})


def print_record(*, actor, origin: Origin | None = None, what: str, rows: int, filters=None,
                 customer=None) -> OperationLog:
    """A print layout was rendered: paper leaves the system as a file does, so it is logged as
    an export is (who, what, how many rows on paper, with which filters)."""
    return operation_record(actor=actor, action=Kind.PRINT, origin=origin, object_repr=what,
                            customer=customer, details={"rows": rows, "filters": filters or {}})


# --- org's changes of accounts and access -------------------------------------------------------
#
# Recorders of org's domain events (subscribed in AuditConfig.ready with in_transaction): each
# row is written inside the transaction of the change it records. The operation log itself is
# not in the admin: it names customers, and the administrators' role sees no business data. It
# is read on /audit/ by those with audit.view.

def password_changed_record(*, user, forced: bool, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=user, action=Kind.PASSWORD_CHANGED_FORCED if forced
                            else Kind.PASSWORD_CHANGED, origin=origin)


def password_set_by_admin_record(*, actor, user, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=actor, action=Kind.PASSWORD_SET_BY_ADMIN, origin=origin,
                            object_repr=str(user), details={"user": user.get_username()})


def password_reset_issued_record(*, actor, user, valid_hours: int,
                                 origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=actor, action=Kind.PASSWORD_RESET_ISSUED, origin=origin,
                            object_repr=str(user),
                            details={"user": user.get_username(), "valid_hours": valid_hours})


def password_reset_used_record(*, user, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=user, action=Kind.PASSWORD_RESET_USED, origin=origin)


def api_token_created_record(*, token, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=token.user, action=Kind.API_TOKEN_CREATED, origin=origin,
                            object_repr=str(token),
                            details={"token": token.pk, "prefix": token.prefix,
                                     "expires_at": token.expires_at.isoformat()})


def api_token_revoked_record(*, actor, token, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=actor, action=Kind.API_TOKEN_REVOKED, origin=origin,
                            object_repr=str(token),
                            details={"token": token.pk, "prefix": token.prefix,
                                     "owner": token.user.get_username()})


def second_factor_enrolled_record(*, user, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=user, action=Kind.SECOND_FACTOR_ENROLLED, origin=origin)


def recovery_codes_renewed_record(*, user, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=user, action=Kind.RECOVERY_CODES_RENEWED, origin=origin)


def second_factor_reset_record(*, actor, user, origin: Origin | None = None) -> OperationLog:
    return operation_record(actor=actor, action=Kind.SECOND_FACTOR_RESET, origin=origin,
                            object_repr=str(user), details={"user": user.get_username()})


# The operation of a change of who may do or see what, by the model saved in the admin.
ACCESS_CHANGE_KINDS = {"org.role": Kind.ROLE_CHANGE, "org.position": Kind.POSITION_CHANGE,
                       "org.user": Kind.PERMISSION_CHANGE}


def access_change_record(*, actor, obj, changes: dict, created: bool,
                         origin: Origin | None = None) -> OperationLog:
    """A role, position or user saved in the admin: new, or with watched fields changed
    ({field: [old, new]})."""
    return operation_record(actor=actor, action=ACCESS_CHANGE_KINDS[obj._meta.label_lower],
                            origin=origin, object_repr=f"{obj._meta.verbose_name}: {obj}",
                            details={"created": created, "changes": changes,
                                     "model": obj._meta.label_lower, "pk": obj.pk})
