"""Writes on the organisation: units keep their materialised path right; passwords; personal
API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from qiao.core import registry
from qiao.core.origin import Origin

from .actions import API_USE, ORG_ADMIN
from .models import PATH_STEP, ApiToken, OrgUnit
from .permissions import administers_accounts, can


def _path_for(unit: OrgUnit) -> str:
    prefix = unit.parent.path if unit.parent is not None else ""
    return prefix + str(unit.pk).zfill(PATH_STEP)


@transaction.atomic
def org_unit_create(*, name: str, kind: str, parent: OrgUnit | None = None, sort_order=0):
    unit = OrgUnit.objects.create(name=name, kind=kind, parent=parent, sort_order=sort_order)
    unit.path = _path_for(unit)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Re-parent a unit; its whole subtree's paths follow in one statement per descendant."""
    if new_parent and new_parent.path.startswith(unit.path):
        raise ValueError("A unit cannot move under itself.")
    old_path = unit.path
    unit.parent = new_parent
    unit.path = _path_for(unit)
    unit.save()
    for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old_path):]
        child.save(update_fields=["path"])
    return unit


def org_unit_save_from_admin(unit: OrgUnit, *, is_new: bool) -> None:
    """The admin saves the row; this puts the path right (new unit or moved unit)."""
    expected = _path_for(unit)
    if unit.path == expected:
        return
    if is_new or not unit.path:
        unit.path = expected
        unit.save(update_fields=["path"])
    else:
        org_unit_move(unit=unit, new_parent=unit.parent)


# What to do when an administrator changes what people may see — a role's clearance, a
# position's role, a user's position: the domain event "org.clearance_changed" (registered in
# OrgConfig.ready), heard after commit with the ids of the users concerned by the domains that
# subscribe in their AppConfig.ready (customers flags the customers now above their manager's
# clearance to the manager's supervisor). Such a change cannot be refused: the organisation
# decides who is cleared, and the records follow.
CLEARANCE_CHANGED = "org.clearance_changed"

# Changes of accounts and of who may do what, announced as domain events (registered in
# OrgConfig.ready) whose recorder, the operation log (audit), writes its row inside the
# change's transaction: org sits below audit and does not know it.
# (Event names, not secrets: S105 is a false alarm on them.)
PASSWORD_CHANGED = "org.password_changed"  # noqa: S105 — user, forced (a required change), origin
PASSWORD_SET_BY_ADMIN = "org.password_set_by_admin"  # noqa: S105 — actor, user, origin
PASSWORD_RESET_ISSUED = "org.password_reset_issued"  # noqa: S105 — actor, user, origin, valid_hours
PASSWORD_RESET_USED = "org.password_reset_used"  # noqa: S105 — user, origin
API_TOKEN_CREATED = "org.api_token_created"  # noqa: S105 — token, origin
API_TOKEN_REVOKED = "org.api_token_revoked"  # noqa: S105 — actor, token, origin
# A role, position or user saved in the admin (org.admin.AccessChangeAdminMixin): actor,
# origin, obj, changes ({field: [old, new]}), created.
ACCESS_CHANGED = "org.access_changed"


def clearance_changed(*, users) -> None:
    """`users` (a queryset) may now be cleared for less than before: the subscribers hear of it
    after commit, with `owner_ids`."""
    ids = list(users.values_list("pk", flat=True))
    if ids:
        registry.emit(CLEARANCE_CHANGED, owner_ids=ids)


@transaction.atomic
def user_move(*, user, unit: OrgUnit):
    """Put `user` in another unit. The records they own carry their unit (so that scope is one
    indexed condition), so those follow in the same transaction: each hook of
    core.registry.owner_moved (registered by the domains in their AppConfig.ready) is called
    with `owner=user`."""
    user.unit = unit
    user.save(update_fields=["unit"])
    for hook in registry.owner_moved:
        hook(owner=user)
    return user


# --- passwords -------------------------------------------------------------------------------
#
# A password someone else chose (an administrator, the demo) is the user's only until they
# choose their own: `must_change_password` is set with it, and with QIAO_FORCE_PASSWORD_CHANGE
# on, org.middleware sends the user to the change page before anything else. Every change is in
# the operation log (the events above); the password itself never is.

def _password_set(user, password: str) -> None:
    """Check `password` against the policy (AUTH_PASSWORD_VALIDATORS: ValidationError) and store
    it. Other sessions of the user end with it: their session hash no longer matches."""
    password_validation.validate_password(password, user)
    user.set_password(password)


@transaction.atomic
def user_password_change(*, user, password: str, origin: Origin | None = None) -> None:
    """`user` chose a new password (the form has checked their current one). Ends the
    requirement to change it; logged as a change, or as the required change done."""
    forced = user.must_change_password
    _password_set(user, password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    registry.emit(PASSWORD_CHANGED, user=user, forced=forced, origin=origin)


@transaction.atomic
def user_password_set_by_admin(*, actor, user, origin: Origin | None = None) -> None:
    """The admin's user forms stored a password for `user`, chosen by `actor`: someone else's
    choice, so `user` must choose their own at their next login. Logged. (An administrator
    changing their own password there has simply changed it.)"""
    if user.pk == actor.pk:
        registry.emit(PASSWORD_CHANGED, user=actor, forced=False, origin=origin)
        return
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    registry.emit(PASSWORD_SET_BY_ADMIN, actor=actor, user=user, origin=origin)


def password_reset_hours() -> int:
    return settings.PASSWORD_RESET_TIMEOUT // 3600


def user_password_reset_link(*, actor, user, origin: Origin | None = None) -> str:
    """A one-time link with which `user` sets a new password, for the administrator to hand
    over (no e-mail needed). Django's password-reset token: it expires after
    PASSWORD_RESET_TIMEOUT and is void once used, once the password changes otherwise, or once
    the user logs in. Issuing one changes nothing else; it is logged, the link never is."""
    if not administers_accounts(actor):
        raise PermissionDenied
    if not user.is_active:
        raise ValidationError(_("%(user)s's account is disabled; enable it before issuing a "
                                "reset link.") % {"user": user})
    path = reverse("org:password_reset", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)})
    registry.emit(PASSWORD_RESET_ISSUED, actor=actor, user=user, origin=origin,
                  valid_hours=password_reset_hours())
    # Absolute with QIAO_BASE_URL; else the path, which the page shows on its own address.
    return settings.QIAO_BASE_URL + path if settings.QIAO_BASE_URL else path


@transaction.atomic
def user_password_reset(*, user, password: str, origin: Origin | None = None) -> None:
    """`user` set a new password through a reset link (its token checked by the view): the
    password is their own, and a lockout of their username ends with it. Logged."""
    from axes.utils import reset as axes_reset

    _password_set(user, password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    axes_reset(username=user.get_username())
    registry.emit(PASSWORD_RESET_USED, user=user, origin=origin)


# --- personal API tokens (DAT-3) -------------------------------------------------------------

TOKEN_PREFIX = "qiao_"  # noqa: S105 (a marker that makes leaked tokens easy to find, not a secret)
TOKEN_MAX_DAYS = 365
TOKEN_NAME_MAX = 60
# last_used_at is written at most this often per token, so that using the API is not a write
# per request.
TOKEN_LAST_USED_EVERY = timedelta(minutes=1)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", errors="replace")).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str, days: int,
                     origin: Origin | None = None) -> tuple[ApiToken, str]:
    """A new personal token of `user`, valid for `days` (1–TOKEN_MAX_DAYS): (token, secret).
    The secret is returned this once; only its SHA-256 digest is stored. Logged."""
    if not can(user, API_USE):
        raise PermissionDenied
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give the token a name, so that you recognise it later.")]
    elif len(name) > TOKEN_NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": TOKEN_NAME_MAX}]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= TOKEN_MAX_DAYS:
        errors["days"] = [_("A token is valid for 1 to %(n)d days.") % {"n": TOKEN_MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:12], digest=token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days))
    registry.emit(API_TOKEN_CREATED, token=token, origin=origin)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken, origin: Origin | None = None) -> ApiToken:
    """Revoke `token` at once: its owner's own, or any as an organisation administrator.
    Revoking a revoked token changes nothing and logs nothing."""
    if token.user_id != actor.pk and not can(actor, ORG_ADMIN):
        raise PermissionDenied
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    registry.emit(API_TOKEN_REVOKED, actor=actor, token=token, origin=origin)
    return token


def api_token_authenticate(secret: str):
    """The user of a usable token with this secret, else None (unknown, expired, revoked, or
    its user disabled: the same None). Notes the use at most once a minute."""
    if not secret or len(secret) > 200:
        return None
    now = timezone.now()
    token = (ApiToken.objects.usable(now).select_related("user__position__role", "user__unit")
             .filter(digest=token_digest(secret)).first())
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
