"""C25: a new session id at login, logged out after 30 idle minutes or 12 hours after login, and
no old session cookie accepted after logout or expiry. The clock is the `clock` fixture."""

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings

from tests.conftest import PASSWORD

COOKIE = settings.SESSION_COOKIE_NAME


def log_in(client=None):
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/login/", {"username": "wang.fang", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def is_in(client):
    return client.get("/").status_code == 200


def sent_to_login(response, next_url="/"):
    return response.status_code == 302 and response["Location"] == f"/login/?next={next_url}"


def test_login_gives_a_new_session_id_and_drops_the_old_one(user):
    client = Client()
    before = client.session  # an anonymous session, as a visitor (or an attacker) could plant
    before["planted"] = True
    before.save()
    client.cookies[COOKIE] = before.session_key
    log_in(client)
    after = client.cookies[COOKIE].value
    assert after != before.session_key
    assert not SessionStore().exists(before.session_key)


def test_the_session_cookie_is_http_only_and_same_site_lax(user):
    client = Client()
    response = client.post("/login/", {"username": "wang.fang", "password": PASSWORD})
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 12 * 3600


def test_30_idle_minutes_log_the_user_out(user, clock):
    client = log_in()
    clock.advance(minutes=29)
    assert is_in(client)
    clock.advance(minutes=29)  # 58 minutes after login, but only 29 since the last request
    assert is_in(client)
    clock.advance(minutes=30, seconds=1)
    old_cookie = client.cookies[COOKIE].value
    assert sent_to_login(client.get("/"))
    assert "_auth_user_id" not in client.session
    # The page they land on says why, in their language.
    assert "Your session has expired" in client.get("/login/?next=/").content.decode()
    # And the expired cookie cannot be replayed.
    replay = Client()
    replay.cookies[COOKIE] = old_cookie
    assert sent_to_login(replay.get("/customers/"), "/customers/")


def test_12_hours_after_login_the_user_is_logged_out_however_active(user, clock):
    client = log_in()
    for _ in range(12 * 3):  # a request every 20 minutes, for 12 hours
        clock.advance(minutes=20)
        assert is_in(client)
    clock.advance(minutes=1)
    assert sent_to_login(client.get("/"))
    # Logging in again starts a new 12 hours.
    log_in(client)
    clock.advance(minutes=20)
    assert is_in(client)


def test_a_session_from_force_login_starts_its_clocks_at_the_first_request(user, clock):
    client = Client()
    client.force_login(user)
    assert is_in(client)
    clock.advance(minutes=31)
    assert sent_to_login(client.get("/"))


@override_settings(QIAO_SESSION_IDLE_MINUTES=5, QIAO_SESSION_ABSOLUTE_HOURS=1)
def test_the_limits_come_from_settings(user, clock):
    client = log_in()
    clock.advance(minutes=4)
    assert is_in(client)
    clock.advance(minutes=5, seconds=1)
    assert sent_to_login(client.get("/"))


def test_an_expired_htmx_request_redirects_the_whole_page(user, clock):
    client = log_in()
    clock.advance(minutes=31)
    response = client.get("/customers/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/customers/"


def test_an_expired_post_goes_to_login_without_next(user, clock):
    client = log_in()
    clock.advance(minutes=31)
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_logout_invalidates_the_old_cookie(user):
    client = log_in()
    old_cookie = client.cookies[COOKIE].value
    assert is_in(client)
    client.post("/logout/")
    assert not SessionStore().exists(old_cookie)
    replay = Client()
    replay.cookies[COOKIE] = old_cookie
    assert sent_to_login(replay.get("/"))
    assert "_auth_user_id" not in replay.session
