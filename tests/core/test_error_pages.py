"""Error pages as the demo and production show them (DEBUG off): friendly, in the user's
language, with no traceback and no list of URLs; the 400 and 500 pages render without a request
and without the database (either may be what failed)."""

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client
from django.urls import include, path
from django.utils import translation

from tests.conftest import PASSWORD

DEBUG_PAGE_MARKS = ("Traceback", "URLconf", "urlpatterns", "DEBUG = True", "Request Method")


def boom(request):
    raise RuntimeError("a bug")


# For the 500 test: Qiao's URLs plus a view that fails.
urlpatterns = [path("boom/", boom), path("", include("qiao.urls"))]


@pytest.mark.parametrize("name, text", [
    ("400.html", "无法处理该请求"), ("404.html", "页面不存在"), ("500.html", "出错了")])
def test_error_templates_render_without_a_request_and_without_the_database(name, text):
    # No `db` fixture: a query here would fail the test.
    with translation.override("zh-hans"):
        html = loader.get_template(name).render()
    assert text in html and "返回首页" in html
    assert '<html lang="zh-hans">' in html


@pytest.mark.django_db
def test_an_unknown_page_is_a_friendly_404_without_the_url_list(personas):
    for client in (Client(), personas.client("am01")):
        response = client.get("/no-such-page/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "页面不存在" in body and "该页面不存在，或不在您的查看权限范围内。" in body
        assert not [mark for mark in DEBUG_PAGE_MARKS if mark in body]
    # Signed in: the page keeps the header, so the user can go on.
    assert 'data-testid="current-user"' in personas.client("am01").get("/nowhere/").content.decode()


@pytest.mark.django_db
def test_the_404_speaks_the_users_language(personas):
    client = Client()
    client.post("/login/", {"username": "am01", "password": PASSWORD})
    client.post("/language/", {"language": "en", "next": "/"})
    body = client.get("/no-such-page/").content.decode()
    assert "Not found" in body and "页面不存在" not in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_failure_is_a_friendly_500_without_a_traceback(personas, caplog):
    client = personas.client("am01")
    client.raise_request_exception = False
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "出错了" in body and "错误已记录" in body
    assert not [mark for mark in DEBUG_PAGE_MARKS if mark in body] and "a bug" not in body
    # "The error has been logged": the traceback is in the server's log, not on the page.
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records)


@pytest.mark.django_db
def test_an_unknown_host_name_gets_the_400_page():
    assert "attacker.example" not in settings.ALLOWED_HOSTS
    response = Client(HTTP_HOST="attacker.example").get("/login/")
    assert response.status_code == 400
    assert "无法处理该请求" in response.content.decode()
