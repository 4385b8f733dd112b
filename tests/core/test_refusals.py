"""One error idiom (issue 10 item 6): services refuse by raising, and one table says what
each refusal answers, on pages and in the API alike; a page puts it on its form
(`core.views.attempt`) or in a message (`core.views.perform`), and a refusal no page caught is
answered by `core.middleware.RefusalMiddleware`."""

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.test import RequestFactory

from qiao.core.exceptions import (
    ConflictError,
    DuplicateRecordError,
    RateLimited,
    StaleVersionError,
    http_status,
)
from qiao.core.forms import add_errors
from qiao.core.middleware import RefusalMiddleware
from qiao.core.views import attempt


@pytest.mark.parametrize(("refusal", "status"), [
    (PermissionDenied(), 404), (ObjectDoesNotExist(), 404), (Http404(), 404),
    (RateLimited("稍后再试"), 429),
    (ConflictError("冲突"), 409), (StaleVersionError(), 409), (DuplicateRecordError("重复"), 409),
    (ValidationError("无效"), 400), (ValidationError({"name": "必填"}), 400),
])
def test_one_table_says_what_each_refusal_answers(refusal, status):
    assert http_status(refusal) == status


def test_an_error_that_is_no_refusal_has_no_status():
    with pytest.raises(LookupError):
        http_status(KeyError("a bug"))


class NameForm(forms.Form):
    name = forms.CharField()
    credit_code = forms.CharField(required=False)


def bound():
    form = NameForm({"name": "上海恒鑫", "credit_code": "91310000MA1FL0001X"})
    assert form.is_valid()
    return form


def test_a_services_field_errors_go_to_their_fields_and_the_rest_on_top():
    form = bound()
    add_errors(form, ValidationError({"name": "名称已停用", "owner": "客户经理不可选"}))
    assert form.errors["name"] == ["名称已停用"]
    assert form.non_field_errors() == ["客户经理不可选"]  # the form has no owner field


def test_renamed_and_skipped_fields():
    form = bound()
    add_errors(form, ValidationError({"code": "格式不对", "comment": "回复太长"}),
               rename={"code": "credit_code"}, skip=("comment",))
    assert form.errors == {"credit_code": ["格式不对"]}


def test_a_conflict_goes_to_the_field_it_names():
    form = bound()
    add_errors(form, DuplicateRecordError("统一社会信用代码已被占用", field="credit_code"))
    assert form.errors == {"credit_code": ["统一社会信用代码已被占用"]}
    other = bound()
    add_errors(other, StaleVersionError())
    assert other.non_field_errors() and not other.has_error("name")


@pytest.mark.parametrize(("refusal", "status"), [
    (ValidationError({"name": "名称已停用"}), 400), (StaleVersionError(), 409),
    (RateLimited("一小时内次数已满"), 429),
])
def test_attempt_puts_the_refusal_on_the_form_with_its_status(refusal, status):
    form = bound()

    def refuse():
        raise refusal

    assert attempt(form, refuse) == (None, status)
    assert form.errors
    assert attempt(bound(), lambda: "saved") == ("saved", None)


def test_attempt_lets_out_of_scope_and_asked_kinds_through():
    def out_of_scope():
        raise PermissionDenied

    with pytest.raises(PermissionDenied):
        attempt(bound(), out_of_scope)

    class Question(ConflictError):
        pass

    def ask():
        raise Question("确认？")

    with pytest.raises(Question):
        attempt(bound(), ask, let_through=Question)


@pytest.fixture
def page_request(personas):
    request = RequestFactory().post("/customers/1/grade/")
    request.user = personas["am01"]
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(("refusal", "status", "shown"), [
    (ConflictError("该客户已在移交中。"), 409, "该客户已在移交中。"),
    (RateLimited("一小时内次数已满，请稍后再试。"), 429, "一小时内次数已满"),
    (ValidationError("请填写原因。"), 400, "请填写原因。"),
])
def test_a_refusal_no_page_caught_is_a_page_saying_what_was_refused(page_request, refusal,
                                                                    status, shown):
    response = RefusalMiddleware(lambda request: None).process_exception(page_request, refusal)
    assert response.status_code == status
    html = response.content.decode()
    assert shown in html and "未能完成" in html and 'data-testid="refused-page"' in html


@pytest.mark.parametrize("refusal", [PermissionDenied(), ObjectDoesNotExist()])
def test_out_of_scope_no_page_caught_is_not_found_never_forbidden(page_request, refusal):
    response = RefusalMiddleware(lambda request: None).process_exception(page_request, refusal)
    assert response.status_code == 404


def test_other_errors_are_left_to_django(page_request):
    assert RefusalMiddleware(lambda r: None).process_exception(page_request, KeyError()) is None


@pytest.mark.parametrize(("refusal", "status"), [
    (PermissionDenied(), 404), (ObjectDoesNotExist(), 404), (RateLimited("稍后再试"), 429),
    (ConflictError("冲突"), 409), (StaleVersionError(), 409), (ValidationError("无效"), 400),
])
def test_the_api_answers_each_refusal_with_the_same_status(refusal, status):
    from qiao.api import api
    from qiao.core.api import _on_refusal

    response = _on_refusal(api, RequestFactory().get("/api/v1/customers"), refusal)
    assert response.status_code == status
