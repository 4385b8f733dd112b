"""The second factor (C24): a time-based one-time code from an authenticator app (TOTP, through
django-otp), with single-use recovery codes for a lost phone.

Nobody is asked for it to log in. It is asked on the privileged routes — the admin, a view
marked `second_factor_required`, an approval whose type says so, reveals beyond the hourly
budget — once per session: the first such request of a session that has not verified goes to
the verification page (or, for someone without an authenticator yet, to the set-up page) and
comes back afterwards. QIAO_SECOND_FACTOR turns the requirement off (the test settings do, the
tests of this module turn it on)."""

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiao.core import registry
from qiao.core.exceptions import SecondFactorRequired
from qiao.core.origin import Origin

ENROLLED = "org.second_factor_enrolled"
RECOVERY_CODES_RENEWED = "org.recovery_codes_renewed"
RESET = "org.second_factor_reset"
RECOVERY_CODES = 10
DEVICE_NAME = "Qiao"


def mark_required(view):
    """Marks a view as privileged: org.middleware.SecondFactorMiddleware sends a session that
    has not verified to the verification page first."""
    view.second_factor_required = True
    return view


def required() -> bool:
    return getattr(settings, "QIAO_SECOND_FACTOR", True)


def verified(user) -> bool:
    """Whether this request's session has verified a code (django-otp's middleware gives the
    request's user `is_verified`; a user from elsewhere — a token, a task — has not)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def satisfied(user) -> bool:
    return not required() or verified(user)


def check(user, message) -> None:
    """For a service doing something privileged: refused (403) unless `user`'s session has
    verified — a user acting through an API token never has."""
    if not satisfied(user):
        raise SecondFactorRequired(message)


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def page_for(user, next_url: str) -> str:
    """Where a session that must verify goes: set up first if there is nothing to verify with."""
    name = "org:second_factor_verify" if enrolled(user) else "org:second_factor_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


# --- set-up, verification, recovery codes, reset --------------------------------------------------

@transaction.atomic
def enrolment_start(user) -> TOTPDevice:
    """A new secret for `user`'s authenticator, unconfirmed until a code from it is entered
    (an earlier unconfirmed one is dropped: only the QR code on screen counts)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def qr_code_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212529")


def secret_text(device: TOTPDevice) -> str:
    """The secret as the apps' manual entry takes it: base32, in groups of four."""
    code = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def enrolment_confirm(request, device: TOTPDevice, code: str) -> list[str] | None:
    """The first code from the new authenticator: it now guards this account (any earlier one
    is replaced), this session counts as verified, and fresh recovery codes are returned to be
    shown once. None when the code is wrong."""
    if device.confirmed or not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    django_otp.login(request, device)
    codes = _recovery_codes_new(device.user)
    registry.emit(ENROLLED, user=device.user, origin=Origin.of(request))
    return codes


def verify(request, code: str) -> bool:
    """A code from the authenticator, or one of the recovery codes (used up by it): this
    session is verified. Wrong codes are throttled by django-otp (each failure doubles the
    wait before the next attempt counts)."""
    code = code.strip().replace(" ", "").lower()
    device = None
    totp = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if totp is not None:
        device = django_otp.verify_token(request.user, totp.persistent_id, _digits(code))
    if device is None:
        static = StaticDevice.objects.filter(user=request.user).first()
        if static is not None:
            device = django_otp.verify_token(request.user, static.persistent_id, code)
    if device is None:
        return False
    django_otp.login(request, device)
    return True


@transaction.atomic
def recovery_codes_renew(request) -> list[str]:
    """New recovery codes; the old ones stop working. For a verified session only (the view
    checks)."""
    codes = _recovery_codes_new(request.user)
    registry.emit(RECOVERY_CODES_RENEWED, user=request.user, origin=Origin.of(request))
    return codes


@transaction.atomic
def reset(*, actor, user, origin: Origin | None = None) -> None:
    """An administrator clears `user`'s authenticator and recovery codes (a lost phone): the
    next privileged request asks them to set up again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    registry.emit(RESET, actor=actor, user=user, origin=origin)


def _recovery_codes_new(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": DEVICE_NAME})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())
