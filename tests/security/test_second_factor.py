"""C24: the privileged routes — the admin, reveals beyond the hourly budget (and what else is
marked) — are not reachable by a session that has not verified a second factor. Set up with a
QR code and the app's first code, verified once per session with a code or a single-use
recovery code, replaced only after verifying, reset by an administrator; all of it logged."""

import contextlib
import re
import time

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiao.audit.models import OperationLog
from qiao.org import second_factor

from ..factories import make_customer

K = OperationLog.Kind
SETUP, VERIFY = reverse("org:second_factor_setup"), reverse("org:second_factor_verify")


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.QIAO_SECOND_FACTOR = True


def code_of(device, steps_ahead=0) -> str:
    """What the phone's app shows now (or `steps_ahead` periods of 30 s later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + 30 * steps_ahead
    return str(totp.token()).zfill(device.digits)


def enrol(client, user) -> list[str]:
    """Set up through the pages, as a user does: the QR page, then the app's first code."""
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": code_of(device)})
    assert response.status_code == 200
    codes = re.findall(r'<li class="col py-1 user-select-all">([a-z2-7]+)</li>',
                       response.content.decode())
    assert len(codes) == second_factor.RECOVERY_CODES
    return codes


def admin_urls():
    """The index and every registered model's list and add page."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        for view in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):  # a model the admin only lists
                urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"))
    return urls


def test_no_admin_page_is_reachable_without_a_verified_second_factor(personas):
    """C24: 0 reachable. Someone without an authenticator is sent to set one up, someone with
    one to verify, each coming back to the page asked for; ordinary pages ask for nothing."""
    client = personas.client("admin")
    urls = admin_urls()
    assert len(urls) > 10
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{SETUP}?{urlencode({'next': url})}", url
    htmx = client.get(reverse("admin:index"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(SETUP)
    assert personas.client("am01").get(reverse("home")).status_code == 200

    enrol(client, personas["admin"])
    for url in (reverse("admin:index"), reverse("admin:org_user_changelist")):
        assert client.get(url).status_code == 200, url
    fresh = personas.client("admin")  # another login: verified again
    response = fresh.get(reverse("admin:index"))
    assert response["Location"] == f"{VERIFY}?{urlencode({'next': reverse('admin:index')})}"
    assert not fresh.post(reverse("admin:logout"))["Location"].startswith(VERIFY)  # stays open


def test_setting_up_takes_the_apps_first_code_and_shows_recovery_codes_once(personas):
    client, am01 = personas.client("am01"), personas["am01"]
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and 'data-testid="second-factor-secret"' in page
    device = TOTPDevice.objects.get(user=am01, confirmed=False)
    for wrong in ("000000" if code_of(device) != "000000" else "111111", "", "１２３", "\u200b" * 6):
        response = client.post(SETUP, {"code": wrong})
        assert response.status_code == 400, wrong
    assert not second_factor.enrolled(am01)
    codes = enrol(client, am01)
    assert second_factor.enrolled(am01) and second_factor.recovery_codes_left(am01) == 10
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert OperationLog.objects.filter(action=K.SECOND_FACTOR_ENROLLED, actor=am01).count() == 1
    status = client.get(reverse("org:second_factor")).content.decode()
    assert "10" in status and "recovery-codes-renew" in status


def test_a_session_verifies_with_the_apps_code_or_a_recovery_code_used_once(personas):
    admin_user = personas["admin"]
    codes = enrol(personas.client("admin"), admin_user)
    device = TOTPDevice.objects.get(user=admin_user)
    index = reverse("admin:index")

    by_app = personas.client("admin")
    response = by_app.post(f"{VERIFY}?next={index}", {"code": code_of(device, steps_ahead=1),
                                                       "next": index})
    assert response.status_code == 302 and response["Location"] == index
    assert by_app.get(index).status_code == 200

    by_recovery = personas.client("admin")
    assert by_recovery.post(VERIFY, {"code": codes[0].upper(), "next": index})["Location"] == index
    assert second_factor.recovery_codes_left(admin_user) == 9
    # A next= elsewhere leads home instead.
    elsewhere = personas.client("admin")
    response = elsewhere.post(VERIFY, {"code": codes[1], "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
    again = personas.client("admin")  # a used code is spent
    assert again.post(VERIFY, {"code": codes[0], "next": index}).status_code == 400
    assert again.get(index).status_code == 302


def test_replacing_the_authenticator_or_the_recovery_codes_needs_the_current_one(personas):
    am01 = personas["am01"]
    old_codes = enrol(personas.client("am01"), am01)
    thief = personas.client("am01")  # knows the password, not the phone
    response = thief.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    renew = thief.post(reverse("org:second_factor_recovery_codes"))
    assert renew.status_code == 302 and renew["Location"].startswith(VERIFY)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(old_codes)

    thief.post(VERIFY, {"code": old_codes[0]})  # now it is the user, with a recovery code
    page = thief.post(reverse("org:second_factor_recovery_codes")).content.decode()
    new_codes = re.findall(r'<li class="col py-1 user-select-all">([a-z2-7]+)</li>', page)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert OperationLog.objects.filter(action=K.RECOVERY_CODES_RENEWED, actor=am01).count() == 1


def test_reveals_beyond_the_hourly_budget_need_the_second_factor(personas, settings):
    settings.QIAO_REVEALS_PER_HOUR, settings.QIAO_REVEALS_PER_HOUR_VERIFIED = 1, 2
    am01 = personas["am01"]
    customer = make_customer(am01, phone="021-50123456", id_number="", bank_account="6222 0210 0100 8888")
    phone = reverse("customers:reveal", args=["customer", customer.pk, "phone"])
    account = reverse("customers:reveal", args=["customer", customer.pk, "bank_account"])
    client = personas.client("am01")
    assert client.post(phone).status_code == 200
    refused = client.post(account, headers={"HX-Request": "true",
                                            "HX-Current-URL": f"http://testserver/customers/{customer.pk}/"})
    assert refused.status_code == 403
    body = refused.content.decode()
    assert 'data-testid="reveal-verify"' in body and "8888" not in body
    enrol(client, am01)  # set up and verified in this session
    assert client.post(account).status_code == 200
    beyond = client.post(phone)
    assert beyond.status_code == 429 and 'data-testid="reveal-verify"' not in beyond.content.decode()
    assert OperationLog.objects.filter(action=K.REVEAL, actor=am01).count() == 2
    assert OperationLog.objects.filter(action=K.REVEAL_REFUSED, actor=am01).count() == 2


def test_an_administrator_resets_a_lost_phone_and_it_is_logged(personas):
    am01, admin_user = personas["am01"], personas["admin"]
    enrol(personas.client("am01"), am01)
    client = personas.client("admin")
    enrol(client, admin_user)
    response = client.post(reverse("admin:org_user_changelist"),
                           {"action": "second_factor_reset", "_selected_action": [am01.pk]})
    assert response.status_code == 302
    assert not second_factor.enrolled(am01) and second_factor.recovery_codes_left(am01) == 0
    entry = OperationLog.objects.get(action=K.SECOND_FACTOR_RESET)
    assert entry.actor == admin_user and entry.details == {"user": "am01"}
    # Their next privileged request asks them to set up again.
    assert personas.client("am01").get(VERIFY)["Location"].startswith(SETUP)


def test_without_the_setting_nothing_is_asked(personas, settings):
    settings.QIAO_SECOND_FACTOR = False
    assert personas.client("admin").get(reverse("admin:index")).status_code == 200
    page = Client()
    assert page.get(SETUP).status_code == 302  # the pages themselves need a login
