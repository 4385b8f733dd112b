"""The API's docs page (/api/v1/docs): ninja's Swagger UI from its vendored static files renders
every operation under the site's CSP (scripts from 'self' only, no inline code), asks nothing of
the internet, and "Try it out" works with the browser's login session."""


import pytest
from playwright.sync_api import expect

from qiao.api import api

from ..conftest import PASSWORD
from .conftest import SLOW_MS

pytestmark = pytest.mark.e2e

DOCS = "/api/v1/docs"


def operations_count():
    return sum(len(methods) for methods in api.get_openapi_schema()["paths"].values())


def watch_console(session):
    problems = []
    session.page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    return problems


def test_the_docs_page_renders_every_operation_under_the_csp(open_session, personas):
    session = open_session("docs")
    session.context.set_default_timeout(SLOW_MS)  # the whole schema, rendered in the browser
    console = watch_console(session)
    response = session.goto(DOCS)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(session.page.locator(".swagger-ui .info .title")).to_contain_text("Qiao API",
                                                                             timeout=SLOW_MS)
    blocks = session.page.locator(".swagger-ui .opblock")
    expect(blocks.first).to_be_visible()
    assert blocks.count() == operations_count()
    expect(session.page.get_by_text("/api/v1/customers/{customer_id}/reveal")).to_be_visible()
    assert not [m for m in console if "Content Security Policy" in m], console
    session.shot("api-docs")


def test_try_it_out_with_the_login_session(open_session, personas):
    session = open_session("try")
    session.context.set_default_timeout(SLOW_MS)
    session.login("am01", PASSWORD)
    session.goto(DOCS)
    me = session.page.locator("#operations-org-qiao_org_api_me")
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    body = me.locator(".responses-wrapper .response .microlight").first
    expect(body).to_contain_text('"username": "am01"')
