"""Passwords: the policy (10 characters or more, not like the user's name, not common, not only
digits); each user changes their own from the menu; a password someone else chose (the demo,
an administrator) is replaced at the first login; an administrator's reset is a one-time link
to hand over; every one of these in the operation log, the password never."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from qiao.audit.models import OperationLog
from qiao.demo import generator
from qiao.org.models import User
from qiao.org.services import user_password_reset_link
from tests.conftest import PASSWORD

K = OperationLog.Kind
CHANGE = reverse("org:password_change")
NEW = "Qiao-bridge-2027"


def errors(response):
    return " ".join(re.findall(r'data-testid="error-[a-z_0-9]+">([^<]*)</div>',
                               response.content.decode()))


def change(client, old, new, new2=None, **extra):
    return client.post(CHANGE, {"old_password": old, "new_password1": new,
                                "new_password2": new2 or new, **extra})


def log_in(client, username, password) -> bool:
    """Through the login page (django-axes wants a request)."""
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def can_log_in(username, password) -> bool:
    return log_in(Client(), username, password)


def logged(user, kind):
    return OperationLog.objects.filter(actor=user, action=kind)


@pytest.fixture
def am01(personas):
    client = Client()
    assert log_in(client, "am01", PASSWORD)
    return personas["am01"], client


# --- the policy ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "message"), [
    ("demo12345", "密码太短，至少需要 10 个字符。"),
    ("director2026", "密码跟 用户名 太相似了。"),
    ("password123", "这个密码太常见了。"),
    ("20261126123456", "密码只包含数字。"),
])
def test_the_policy_refuses_short_similar_common_and_numeric_passwords(personas, password,
                                                                       message):
    client = Client()
    assert log_in(client, "director", PASSWORD)
    response = change(client, PASSWORD, password)
    assert response.status_code == 400 and message in errors(response)
    assert can_log_in("director", PASSWORD)
    assert not logged(personas["director"], K.PASSWORD_CHANGED).exists()


def test_the_demo_password_satisfies_the_policy_for_every_demo_user(personas):
    assert len(settings.QIAO_DEMO_PASSWORD) >= 10
    for user in personas.users.values():
        password_validation.validate_password(settings.QIAO_DEMO_PASSWORD, user)


# --- changing one's own -------------------------------------------------------------------------

def test_a_user_changes_their_password_from_the_menu(am01):
    user, client = am01
    page = client.get(reverse("customers:list")).content.decode()
    assert f'href="{CHANGE}"' in page and 'data-testid="password-change-link"' in page
    form = client.get(CHANGE)
    assert form.status_code == 200 and "至少 10 个字符" in form.content.decode()
    elsewhere = Client()
    assert log_in(elsewhere, "am01", PASSWORD)

    wrong = change(client, "not-my-password", NEW)
    assert wrong.status_code == 400 and "旧密码不正确" in errors(wrong)
    mismatch = change(client, PASSWORD, NEW, new2=NEW + "x")
    assert mismatch.status_code == 400 and can_log_in("am01", PASSWORD)

    done = change(client, PASSWORD, NEW, next="/customers/?q=x")
    assert done.status_code == 302 and done["Location"] == "/customers/?q=x"
    assert client.get(reverse("customers:list")).status_code == 200  # this session goes on
    assert elsewhere.get(reverse("customers:list")).status_code == 302  # the others end
    assert can_log_in("am01", NEW) and not can_log_in("am01", PASSWORD)
    row = logged(user, K.PASSWORD_CHANGED).get()
    assert NEW not in str(row.details) and PASSWORD not in str(row.details)


def test_the_change_page_sends_nobody_to_another_site(am01):
    _user, client = am01
    done = change(client, PASSWORD, NEW, next="https://evil.example/")
    assert done.status_code == 302 and done["Location"] == reverse("home")


# --- a password someone else chose --------------------------------------------------------------

def must_change(user):
    User.objects.filter(pk=user.pk).update(must_change_password=True)


def test_a_password_someone_else_chose_is_replaced_before_anything_else(am01):
    user, client = am01
    must_change(user)
    page = client.get("/customers/?q=abc")
    assert page.status_code == 302
    assert page["Location"] == f"{CHANGE}?next=/customers/%3Fq%3Dabc"
    htmx = client.get(reverse("customers:list"), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == CHANGE
    assert client.post(reverse("customers:create"), {"name": "x"}).status_code == 302
    form = client.get(CHANGE)
    assert form.status_code == 200 and 'data-testid="password-change-required"' in (
        form.content.decode())
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302

    done = change(client, PASSWORD, NEW, next="/customers/?q=abc")
    assert done["Location"] == "/customers/?q=abc"
    assert client.get(reverse("customers:list")).status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password
    assert logged(user, K.PASSWORD_CHANGED_FORCED).count() == 1
    assert not logged(user, K.PASSWORD_CHANGED).exists()


def test_logging_out_stays_possible_and_the_setting_switches_the_requirement_off(am01, settings):
    user, client = am01
    must_change(user)
    settings.QIAO_FORCE_PASSWORD_CHANGE = False
    assert client.get(reverse("customers:list")).status_code == 200
    settings.QIAO_FORCE_PASSWORD_CHANGE = True
    assert client.get(reverse("customers:list")).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_demo_asks_each_user_for_their_own_password(db, monkeypatch):
    monkeypatch.setitem(generator.SCALES, "demo", 200)
    call_command("load_demo", stdout=mock.MagicMock())
    assert not User.objects.filter(must_change_password=False).exists()
    client = Client()
    assert log_in(client, "am01", settings.QIAO_DEMO_PASSWORD)
    assert client.get(reverse("customers:list"))["Location"].startswith(CHANGE)


# --- the administrator ----------------------------------------------------------------------------

def test_a_user_the_administrator_creates_chooses_their_own_password(personas):
    admin = personas.client("admin")
    response = admin.post(reverse("admin:org_user_add"), {
        "username": "new.hire", "usable_password": "true",
        "password1": "Welcome-2026-qiao", "password2": "Welcome-2026-qiao"})
    assert response.status_code == 302
    hire = User.objects.get(username="new.hire")
    assert hire.must_change_password
    row = OperationLog.objects.get(action=K.PASSWORD_SET_BY_ADMIN)
    assert row.actor == personas["admin"] and row.details == {"user": "new.hire"}
    assert "Welcome-2026-qiao" not in str(row.details)
    client = Client()
    assert log_in(client, "new.hire", "Welcome-2026-qiao")
    assert client.get("/")["Location"].startswith(CHANGE)


def test_a_password_the_administrator_sets_must_be_replaced_too(personas):
    admin = personas.client("admin")
    am01 = personas["am01"]
    url = reverse("admin:auth_user_password_change", args=[am01.pk])
    short = admin.post(url, {"password1": "short", "password2": "short",
                             "usable_password": "true"})
    assert short.status_code == 200 and not OperationLog.objects.filter(
        action=K.PASSWORD_SET_BY_ADMIN).exists()
    response = admin.post(url, {"password1": "Temporary-pass-77", "password2": "Temporary-pass-77",
                                "usable_password": "true", "set-password": ""})
    assert response.status_code == 302
    am01.refresh_from_db()
    assert am01.must_change_password and am01.check_password("Temporary-pass-77")
    assert OperationLog.objects.filter(action=K.PASSWORD_SET_BY_ADMIN,
                                       details__user="am01").count() == 1


def issue_links(personas, *usernames):
    ids = [personas[name].pk for name in usernames]
    return personas.client("admin").post(reverse("admin:org_user_changelist"), {
        "action": "password_reset_links", "_selected_action": ids})


def test_the_administrators_reset_is_a_one_time_link(personas):
    page = issue_links(personas, "am01", "leaver")
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    link = re.search(r'value="(http://testserver/account/reset/[^"]+)"', html).group(1)
    assert "离职员工的账号已停用" in html  # the disabled account gets none
    issued = OperationLog.objects.get(action=K.PASSWORD_RESET_ISSUED)
    assert issued.actor == personas["admin"] and issued.details["user"] == "am01"
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(issued.details)

    client = Client()
    opened = client.get(link)  # the token moves into the session, out of the address
    assert opened.status_code == 302 and token not in opened["Location"]
    form = client.get(opened["Location"])
    assert 'data-testid="password-reset-submit"' in form.content.decode()
    weak = client.post(opened["Location"], {"new_password1": "12345678901",
                                            "new_password2": "12345678901"})
    assert weak.status_code == 200 and "密码只包含数字" in errors(weak)
    done = client.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert can_log_in("am01", NEW) and not can_log_in("am01", PASSWORD)
    used = OperationLog.objects.get(action=K.PASSWORD_RESET_USED)
    assert used.actor == personas["am01"]

    again = Client().get(link, follow=True)
    assert 'data-testid="password-reset-invalid"' in again.content.decode()


def test_a_reset_link_expires_and_a_login_voids_it(personas, settings):
    am01 = personas["am01"]
    link = user_password_reset_link(actor=personas["admin"], user=am01)
    generator_clock = PasswordResetTokenGenerator()._now()  # naive local time, as Django keeps it
    later = generator_clock + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        expired = Client().get(link, follow=True)
    assert 'data-testid="password-reset-invalid"' in expired.content.decode()
    link = user_password_reset_link(actor=personas["admin"], user=am01)
    assert can_log_in("am01", PASSWORD)  # the user remembered it after all
    assert 'data-testid="password-reset-invalid"' in Client().get(
        link, follow=True).content.decode()


def test_only_account_administrators_issue_reset_links(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        user_password_reset_link(actor=personas["director"], user=personas["am01"])
    response = personas.client("director").post(reverse("admin:org_user_changelist"), {
        "action": "password_reset_links", "_selected_action": [personas["am01"].pk]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not OperationLog.objects.filter(action=K.PASSWORD_RESET_ISSUED).exists()
