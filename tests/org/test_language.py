"""Simplified Chinese and English: chosen by the browser, then per user once they choose."""

from django.test import Client

from tests.conftest import PASSWORD


def test_browser_language_decides_before_login(db):
    english = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/login/").content.decode()
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get("/login/").content.decode()
    assert "Log in" in english
    assert "登录" in chinese


def test_chosen_language_is_kept_on_the_user_and_applied_at_next_login(personas):
    client = personas.client("am01")
    response = client.post("/language/", {"language": "en", "next": "/customers/"})
    assert response.status_code == 302 and response["Location"] == "/customers/"
    personas["am01"].refresh_from_db()
    assert personas["am01"].language == "en"
    assert "Customer archive" in client.get("/customers/").content.decode()

    # A new browser that asks for Chinese still gets the user's English after logging in.
    fresh = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    fresh.post("/login/", {"username": "am01", "password": PASSWORD})
    assert "Customer archive" in fresh.get("/customers/").content.decode()


def test_switch_back_to_chinese(personas):
    client = personas.client("am01")
    client.post("/language/", {"language": "en", "next": "/customers/"})
    client.post("/language/", {"language": "zh-hans", "next": "/customers/"})
    assert "客户档案" in client.get("/customers/").content.decode()


def test_language_switch_refuses_foreign_redirects(personas):
    client = personas.client("am01")
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"
