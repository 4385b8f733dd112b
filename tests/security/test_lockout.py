"""C23: login throttling with django-axes — locked after 5 failures for 15 minutes, the same
answer for unknown usernames, and a flood of wrong passwords handled calmly."""

import re

from django.test import Client

from qiao.audit.models import OperationLog
from tests.conftest import PASSWORD

from .conftest import axes_clock_ahead

LOCKED = "Too many failed login attempts"
WRONG = "Wrong username or password."


def attempt(username, password, client=None, **extra):
    client = client or Client(**{"HTTP_ACCEPT_LANGUAGE": "en", **extra})
    return client.post("/login/", {"username": username, "password": password})


def logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_failures_lock_the_user_for_15_minutes_even_with_the_right_password(user):
    for _ in range(4):
        response = attempt("wang.fang", "wrong")
        assert response.status_code == 200 and WRONG in response.content.decode()
    fifth = attempt("wang.fang", "wrong")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode() and "15 minutes" in fifth.content.decode()
    # The lockout is the login page with a message, not a bare error page.
    assert 'name="password"' in fifth.content.decode()

    sixth = attempt("wang.fang", PASSWORD)
    assert sixth.status_code == 429 and LOCKED in sixth.content.decode()
    assert "_auth_user_id" not in sixth.client.session

    with axes_clock_ahead(minutes=14, seconds=50):
        assert attempt("wang.fang", PASSWORD).status_code == 429
    with axes_clock_ahead(minutes=15, seconds=1):
        assert logged_in(attempt("wang.fang", PASSWORD))


def test_the_lockout_page_comes_in_the_users_language(user):
    for _ in range(5):
        response = attempt("wang.fang", "wrong", HTTP_ACCEPT_LANGUAGE="zh-CN")
    html = response.content.decode()
    assert response.status_code == 429
    assert 'data-testid="lockout"' in html and "登录" in html  # the Chinese login page
    # The message itself goes through gettext; its Chinese text comes with the next .po update.


def _normalised(response, username):
    html = response.content.decode().replace(username, "USERNAME")
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF", html)  # the masked CSRF tokens


def test_an_unknown_username_gets_exactly_the_answers_of_a_real_one(user):
    for _ in range(7):
        real = attempt("wang.fang", "wrong")
        unknown = attempt("nobody.here", "wrong")
        assert real.status_code == unknown.status_code
        assert _normalised(real, "wang.fang") == _normalised(unknown, "nobody.here")
    assert real.status_code == 429  # both are locked in the end, so the lock tells nothing


def test_100_wrong_passwords_do_not_crash_and_do_not_extend_the_lock(user):
    statuses = [attempt("wang.fang", f"guess-{i}").status_code for i in range(100)]
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    with axes_clock_ahead(minutes=15, seconds=1):
        assert logged_in(attempt("wang.fang", PASSWORD))


def test_a_locked_user_does_not_lock_out_colleagues_behind_the_same_address(personas):
    same_nat = {"REMOTE_ADDR": "10.20.30.40"}
    for _ in range(5):
        attempt("am01", "wrong", **same_nat)
    assert attempt("am01", PASSWORD, **same_nat).status_code == 429
    assert logged_in(attempt("am02", PASSWORD, **same_nat))


def test_a_successful_login_resets_the_count(user):
    for _ in range(4):
        attempt("wang.fang", "wrong")
    client = Client()
    assert logged_in(attempt("wang.fang", PASSWORD, client=client))
    client.post("/logout/")
    for _ in range(4):
        assert attempt("wang.fang", "wrong").status_code == 200


def test_password_spraying_from_one_address_locks_that_address(personas, settings):
    settings.QIAO_LOGIN_ADDRESS_FAILURE_LIMIT = 30
    sprayer = {"REMOTE_ADDR": "203.0.113.9"}
    usernames = [f"guess{i:02d}" for i in range(10)] + ["director", "deptmgr", "am01"]
    statuses = [attempt(name, f"Password{round_}!", **sprayer).status_code
                for round_ in range(3) for name in usernames][:30]
    # Three guesses per account stay under the username lock; the 30th failure locks the address.
    assert statuses[:29] == [200] * 29 and statuses[29] == 429
    locked = attempt("director", PASSWORD, **sprayer)
    assert locked.status_code == 429 and "_auth_user_id" not in locked.client.session
    assert "from this network address" in locked.content.decode()
    # Nobody else is shut out: director from another address, colleagues on other addresses.
    assert logged_in(attempt("director", PASSWORD, REMOTE_ADDR="10.0.0.7"))
    with axes_clock_ahead(minutes=15, seconds=1):
        assert logged_in(attempt("am01", PASSWORD, **sprayer))


def test_a_call_centre_floor_behind_one_address_survives_everyday_typos(personas):
    floor = {"REMOTE_ADDR": "10.20.30.40"}
    for name in ("agent01", "agent02", "agent03", "agent04", "qa01", "am01", "am02"):
        for _ in range(4):  # four typos each, 28 in all: under both limits
            assert attempt(name, "typo", **floor).status_code == 200
    assert logged_in(attempt("agent01", PASSWORD, **floor))


def test_behind_a_trusted_proxy_the_lock_and_the_log_see_the_client(personas, settings):
    """nginx on 127.0.0.1 appends the client to X-Forwarded-For: a sprayer behind it locks only
    their own address, and what a browser writes into the header is believed from no one else."""
    settings.QIAO_TRUSTED_PROXIES = ["127.0.0.1", "10.9.0.0/16"]
    settings.QIAO_LOGIN_ADDRESS_FAILURE_LIMIT = 30
    via_nginx = {"REMOTE_ADDR": "127.0.0.1"}
    sprayer = {**via_nginx, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.9.0.5"}
    for i in range(30):
        attempt(f"guess{i:02d}", "Password1!", **sprayer)
    assert attempt("am01", PASSWORD, **sprayer).status_code == 429
    # A colleague reaching the same nginx from their own PC is not locked out.
    assert logged_in(attempt("am01", PASSWORD, **via_nginx, HTTP_X_FORWARDED_FOR="10.20.1.8"))
    login = OperationLog.objects.filter(actor_username="am01", action=OperationLog.Kind.LOGIN)
    assert login.get().ip_address == "10.20.1.8"
    # Straight to gunicorn, the header is anyone's words: the connection's address counts.
    direct = {"REMOTE_ADDR": "10.30.0.2", "HTTP_X_FORWARDED_FOR": "10.20.1.8"}
    assert logged_in(attempt("am02", PASSWORD, **direct))
    assert OperationLog.objects.filter(actor_username="am02").get().ip_address == "10.30.0.2"
