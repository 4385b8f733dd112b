"""Personal API tokens (DAT-3): made on the account page, the secret shown once and only its
digest stored; refused with one fixed 401 when unknown, expired, revoked, or its user disabled
or without the API permission (C06: a leaver's tokens stop at once); every make and revoke in
the operation log; the browser session works too, with CSRF on unsafe methods."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.audit.models import OperationLog
from qiao.customers.models import Customer
from qiao.org.models import ApiToken, Role
from qiao.org.services import api_token_create, api_token_revoke

from .conftest import Api

K = OperationLog.Kind
TOKENS = reverse("org:api_tokens")
REFUSED = {"detail": "Authentication failed: send a valid API token as 'Authorization: Bearer "
                     "<token>'.", "errors": {}}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def refused(response):
    """The one answer to every unusable credential: 401, the fixed body, nothing else."""
    return (response.status_code == 401 and response.json() == REFUSED
            and response["WWW-Authenticate"] == 'Bearer realm="qiao"')


def test_the_page_shows_a_new_secret_once_and_stores_only_its_digest(personas):
    client = personas.client("am01")
    # Post/redirect/get: the answer to the POST is a redirect, so a refresh makes no second token.
    created = client.post(TOKENS, {"name": "ERP 同步", "days": "30"})
    assert created.status_code == 302 and created["Location"] == TOKENS
    token = ApiToken.objects.get()
    response = client.get(TOKENS)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("qiao_") and len(secret) > 40
    body = response.content.decode()
    assert secret in body and "Token “ERP 同步” created." in body
    # Only the SHA-256 digest and a short prefix are kept; the secret is nowhere in the database.
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12] and token.user == personas["am01"]
    assert (token.expires_at - timezone.now()).days in (29, 30)
    stored = [str(v) for row in ApiToken.objects.values_list() for v in row]
    stored += [str(v) for row in OperationLog.objects.values_list() for v in row]
    # The session carried it to the page that showed it, and forgot it there.
    stored += [str(client.session.load())]
    assert not [v for v in stored if secret in v]
    # It opens the API; the page never shows it again (the prefix only).
    assert Api(secret).get("/me").json()["username"] == "am01"
    again = client.get(TOKENS).content.decode()
    assert secret not in again and token.prefix in again and "ERP 同步" in again
    assert ApiToken.objects.count() == 1
    log = OperationLog.objects.get(action=K.API_TOKEN_CREATED)
    assert (log.actor, log.details["prefix"]) == (personas["am01"], token.prefix)


def test_the_token_list_names_its_columns_for_tokens(personas):
    api_token_create(user=personas["am01"], name="script", days=10)

    def header(language):
        body = personas.client("am01").get(TOKENS, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return body[body.index('data-testid="token-table"'):body.index("</thead>")]

    assert "<th>名称</th>" in header("zh-hans") and "姓名" not in header("zh-hans")
    assert "<th>Token name</th>" in header("en")


@pytest.mark.parametrize("data", [{"name": "", "days": "30"}, {"name": "x", "days": "0"},
                                  {"name": "x", "days": "366"}, {"name": "x" * 61, "days": "9"},
                                  {"name": "x", "days": "abc"}])
def test_the_page_refuses_a_bad_token_form_and_makes_nothing(personas, data):
    client = personas.client("am01")
    logged = OperationLog.objects.count()
    response = client.post(TOKENS, data)
    assert response.status_code == 400 and response.context["secret"] is None
    assert not ApiToken.objects.exists() and OperationLog.objects.count() == logged


def test_revoking_on_the_page_refuses_the_token_at_once_and_is_logged(personas):
    token, secret = api_token_create(user=personas["am01"], name="script", days=10)
    api = Api(secret)
    assert api.get("/me").status_code == 200
    client = personas.client("am01")
    page = client.get(TOKENS).content.decode()
    assert f'name="revoke" value="{token.pk}"' in page and "data-confirm" in page
    response = client.post(TOKENS, {"revoke": token.pk})
    assert response.status_code == 302
    assert refused(api.get("/me"))
    token.refresh_from_db()
    assert token.revoked_at is not None
    log = OperationLog.objects.get(action=K.API_TOKEN_REVOKED)
    assert (log.actor, log.details["token"]) == (personas["am01"], token.pk)
    # Revoking again changes nothing and logs nothing more.
    api_token_revoke(actor=personas["am01"], token=token)
    assert OperationLog.objects.filter(action=K.API_TOKEN_REVOKED).count() == 1


@pytest.mark.parametrize("revoke", ["", "abc", "99999999", "9" * 40, "²", "-1"])
def test_revoking_something_that_is_not_ones_own_token_is_404(personas, revoke):
    other, secret = api_token_create(user=personas["am02"], name="am02's", days=10)
    value = other.pk if revoke == "" else revoke
    response = personas.client("am01").post(TOKENS, {"revoke": value})
    assert response.status_code == 404
    assert Api(secret).get("/me").status_code == 200
    assert not OperationLog.objects.filter(action=K.API_TOKEN_REVOKED).exists()


def test_an_administrator_may_revoke_anyones_token_but_a_colleague_may_not(personas):
    token, secret = api_token_create(user=personas["am01"], name="x", days=10)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=personas["am02"], token=token)
    api_token_revoke(actor=personas["admin"], token=token)
    assert refused(Api(secret).get("/me"))


def test_the_token_page_and_service_need_the_api_permission(personas):
    agent = personas["agent01"]  # agents have no api.use
    assert personas.client("agent01").get(TOKENS).status_code == 404
    assert personas.client("agent01").post(TOKENS, {"name": "x", "days": "5"}).status_code == 404
    with pytest.raises(PermissionDenied):
        api_token_create(user=agent, name="x", days=5)
    with pytest.raises(ValidationError) as error:
        api_token_create(user=personas["am01"], name="  ", days=400)
    assert set(error.value.message_dict) == {"name", "days"}
    assert not ApiToken.objects.exists()
    assert Client().get(TOKENS)["Location"].startswith(reverse("login"))
    # The user menu links the page for those who may use it.
    assert 'data-testid="api-tokens-link"' in personas.client("am01").get(TOKENS).content.decode()
    home = personas.client("agent01").get(reverse("customers:list")).content.decode()
    assert 'data-testid="api-tokens-link"' not in home


def _expired(personas):
    token, secret = api_token_create(user=personas["am01"], name="x", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    return secret


def _revoked(personas):
    token, secret = api_token_create(user=personas["am01"], name="x", days=1)
    api_token_revoke(actor=personas["am01"], token=token)
    return secret


def _disabled_user(personas):
    secret = api_token_create(user=personas["am01"], name="x", days=1)[1]
    personas["am01"].is_active = False
    personas["am01"].save(update_fields=["is_active"])
    return secret


def _role_without_api(personas):
    secret = api_token_create(user=personas["am01"], name="x", days=1)[1]
    role = Role.objects.get(code="account_manager")
    role.actions = [a for a in role.actions if a != "api.use"]
    role.save()
    return secret


def _unknown(personas):
    api_token_create(user=personas["am01"], name="x", days=1)
    return "qiao_" + "A" * 43


@pytest.mark.parametrize("make", [_expired, _revoked, _disabled_user, _role_without_api, _unknown])
def test_unusable_tokens_all_get_the_same_401_and_nothing_else(personas, make):
    secret = make(personas)
    customer = personas.customers["am01"][0]
    api = Api(secret)
    for response in (api.get("/me"), api.get("/customers"), api.get(f"/customers/{customer.pk}"),
                     api.delete(f"/customers/{customer.pk}"),
                     api.patch(f"/customers/{customer.pk}", {"notes": "x", "version": 1})):
        assert refused(response), response.content
        assert customer.name not in response.content.decode()
    customer.refresh_from_db()
    assert (customer.is_deleted, customer.notes) == (False, "")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic YW0wMTp4", "Token abc",
                                    "Bearer " + "x" * 500, "bearer qiao_\u00e9\u4e2d"])
def test_missing_or_malformed_authorization_is_the_same_401(personas, header):
    client = Api(headers={"HTTP_AUTHORIZATION": header} if header else {})
    assert refused(client.get("/customers"))


def test_disabling_a_user_stops_their_tokens_on_the_next_request(personas):
    """C06 for the API: the leaver's token is refused at once, and nothing is written."""
    am01 = personas["am01"]
    api = Api(api_token_create(user=am01, name="x", days=30)[1])
    customer = personas.customers["am01"][0]
    assert api.get(f"/customers/{customer.pk}").status_code == 200
    am01.is_active = False
    am01.save(update_fields=["is_active"])
    assert refused(api.get(f"/customers/{customer.pk}"))
    assert refused(api.delete(f"/customers/{customer.pk}"))
    assert refused(api.post("/customers", {"name": "离职前新建客户"}))
    assert not Customer.objects.filter(name="离职前新建客户").exists()
    assert Customer.objects.get(pk=customer.pk).is_deleted is False


def test_last_use_is_written_at_most_once_a_minute(personas):
    token, secret = api_token_create(user=personas["am01"], name="x", days=30)
    api = Api(secret)
    api.get("/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            assert api.get("/me").status_code == 200
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get("/me")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_the_browser_session_works_with_csrf_on_unsafe_methods(personas):
    customer = personas.customers["am01"][0]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["am01"])
    session = Api(client=browser)
    assert session.get("/me").json()["username"] == "am01"
    # No CSRF token: refused, nothing written.
    response = session.delete(f"/customers/{customer.pk}")
    assert response.status_code == 403 and "X-CSRFToken" in response.json()["detail"]
    assert Customer.objects.get(pk=customer.pk).is_deleted is False
    # With the token the pages use, it goes through.
    browser.get(reverse("customers:list"))  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    assert session.patch(f"/customers/{customer.pk}", {"notes": "经浏览器修改", "version": 1},
                         HTTP_X_CSRFTOKEN=csrf).status_code == 200
    # A token sent with the session is judged alone: a bad one is refused despite the session.
    assert refused(Api(client=browser, headers={"HTTP_AUTHORIZATION": "Bearer nope"}).get("/me"))
    # A session of a role without api.use opens nothing.
    agent = Client()
    agent.force_login(personas["agent01"])
    assert refused(Api(client=agent).get("/me"))
