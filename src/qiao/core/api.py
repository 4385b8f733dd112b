"""What every app's REST API router shares (DAT-3): the one error format, pages of lists and the
limits on input; who the caller is and what they may see is `org.api_access`. `qiao/api.py`
assembles the routers.

Errors, all `{"detail": "...", "errors": {field: [messages]}}`:
  400  input that does not fit: malformed JSON, wrong types, unknown fields, out-of-range
       numbers (field messages from the schema), and the business rules of the forms and
       services (field messages from Django's validation) — one status for every input error;
  401  no usable credentials;            403  a session request without a valid CSRF token;
  404  not found, outside the user's scope, or an action the user's role does not allow —
       one answer, so it tells nothing about what exists;
  409  a conflict: the record changed since it was read (version), a duplicate credit code,
       possible duplicates not confirmed;
  413  a body larger than MAX_BODY_BYTES;   429  too many reveals in an hour.
"""

import functools
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, get_args

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BeforeValidator, ConfigDict, create_model, field_validator
from pydantic_core import PydanticCustomError

from qiao.core.exceptions import REFUSALS, StaleVersionError, http_status
from qiao.core.pagination import (
    CappedCount,
    count_at_most,
    count_or_estimate,
    search_count_limit,
)
from qiao.core.text import clean_text

MAX_BODY_BYTES = 1024 * 1024
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
MAX_PAGE = 100_000
MAX_ID = 2**63 - 1  # ids beyond a 64-bit integer are refused before they reach the database


# --- errors ----------------------------------------------------------------------------------

class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def error_responses(*codes) -> dict:
    """OpenAPI responses for error `codes`, besides the ones every operation may answer."""
    return dict.fromkeys(sorted({400, 401, 403, 404, *codes}), ErrorOut)


class FormInvalid(Exception):
    """A Django form (the same one the page uses) refused the input: 400 with its errors, or
    409 when a credit code is already taken (as the page answers)."""

    def __init__(self, form):
        self.form = form
        super().__init__("invalid form")


def _error(api, request, status, detail, errors=None):
    return api.create_response(request, {"detail": str(detail), "errors": errors or {}},
                               status=status)


def _pydantic_key(loc) -> str:
    source, *path = loc
    if source == "body" and path:
        path = path[1:]  # the operation's parameter name ("payload")
    return ".".join(str(p) for p in path) or str(source)


def _on_invalid_input(api, request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_pydantic_key(error["loc"]), []).append(error["msg"])
    return _error(api, request, 400, _("The input is not valid; see the errors by field."), errors)


def _on_django_validation(api, request, exc):
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        return _error(api, request, 400, _("The input is not valid; see the errors by field."),
                      errors)
    return _error(api, request, 400, " ".join(exc.messages), {"__all__": list(exc.messages)})


def _on_form_invalid(api, request, exc):
    form = exc.form
    errors = {field: [e["message"] for e in messages]
              for field, messages in form.errors.get_json_data().items()}
    if form.has_error("credit_code", "duplicate"):
        return _error(api, request, 409, errors["credit_code"][0], errors)
    return _error(api, request, 400, _("The input is not valid; see the errors by field."), errors)


def _on_unauthenticated(api, request, exc):
    response = _error(api, request, 401, _("Authentication failed: send a valid API token as "
                                           "'Authorization: Bearer <token>'."))
    response["WWW-Authenticate"] = 'Bearer realm="qiao"'
    return response


def _on_refusal(api, request, exc):
    """A service's refusal, with the status core.exceptions.http_status gives it (the pages'
    table): out of scope or not allowed as "not found", a conflict or a rate with its message."""
    status = http_status(exc)
    if status == 404:
        return _error(api, request, 404, _("Not found."))
    if status == 400:
        return _on_django_validation(api, request, exc)
    if isinstance(exc, StaleVersionError):  # the API's client sent the version it read
        return _error(api, request, 409, _(
            "Someone else changed this record after you read it (its version is no longer the "
            "one you sent). Read it again, then repeat your change."))
    return _error(api, request, status, str(exc), getattr(exc, "errors", None))


def install_error_handlers(api) -> None:
    """Every error of `api` in the one format (see the module's docstring), and the body
    limit."""
    handlers: dict[type[Exception], Callable] = {
        NinjaValidationError: _on_invalid_input,
        DjangoValidationError: _on_django_validation,
        FormInvalid: _on_form_invalid,
        AuthenticationError: _on_unauthenticated,
        HttpError: _on_http_error,
        **dict.fromkeys(REFUSALS, _on_refusal),
        RequestDataTooBig: lambda api, request, exc: _too_large(api, request),
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, functools.partial(handler, api))
    api.add_decorator(body_limit(api), mode="view")


def _too_large(api, request, limit=MAX_BODY_BYTES):
    return _error(api, request, 413, _("The request body is too large: at most %(size)d bytes.")
                  % {"size": limit})


def larger_body(limit: Callable[[], int]):
    """Mark an operation that takes a file (an import's upload): its body may be `limit()`
    bytes rather than MAX_BODY_BYTES (the service then checks the file itself, as the page
    does). Put it under the router's decorator."""

    def mark(view_func):
        setattr(view_func, "max_body_bytes", limit)  # noqa: B010 -- a function's attribute
        return view_func

    return mark


def body_limit(api):
    """A view decorator (before authentication and parsing): a body declared larger than
    MAX_BODY_BYTES (or an operation's `larger_body`) is refused unread. Django reads no more
    than Content-Length, and refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE of fields other than
    files itself (RequestDataTooBig, also 413)."""

    def decorator(run):
        operation = getattr(run, "__self__", None)  # the bound Operation.run
        larger = getattr(getattr(operation, "view_func", None), "max_body_bytes", None)

        @functools.wraps(run)
        def wrapped(request, *args, **kwargs):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = larger() if larger is not None else MAX_BODY_BYTES
            if length > limit:
                return _too_large(api, request, limit)
            return run(request, *args, **kwargs)

        return wrapped

    return decorator


def _on_http_error(api, request, exc):
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
        return _error(api, request, 400, message, {"body": [message]})
    if exc.status_code == 403:  # ninja's session check found no valid CSRF token
        return _error(api, request, 403, _("CSRF check failed: with the login session, unsafe "
                                           "methods need the X-CSRFToken header."))
    return _error(api, request, exc.status_code, exc.message)


# --- input -----------------------------------------------------------------------------------

def _clean_text(value):
    """Text the database can store: no NUL (PostgreSQL refuses it) and no lone surrogates
    (not encodable as UTF-8) — refused as input errors rather than failing in the database.
    Then cleaned as every form cleans text (core.text.clean_text; newlines kept, since a body
    field may be multi-line: the page's form, where the text goes on to one, makes a
    single-line field one line)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("null_character", "Null characters are not allowed.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("invalid_text", "The text contains invalid characters.") \
                from None
        return clean_text(value, multiline=True)
    return value


def _within_documented_length(model, name: str, value) -> None:
    """The maxLength the schema documents holds for the text as sent, before cleaning removes
    invisible characters from it: a client that breaks the documented contract is told so."""
    if not isinstance(value, str):
        return
    for constraint in model.model_fields[name].metadata:
        limit = getattr(constraint, "max_length", None)
        if limit is not None and len(value) > limit:
            raise PydanticCustomError("string_too_long",
                                      "String should have at most {max_length} characters",
                                      {"max_length": limit})


class _CleanText(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value, info):
        _within_documented_length(cls, info.field_name, value)
        if isinstance(value, bool) and not _takes_bool(cls.model_fields[info.field_name]):
            # pydantic would read true/false as 1/0 for a number: a malformed body.
            raise PydanticCustomError("bool_not_number", "Input should be a number, not true "
                                                         "or false")
        return _clean_text(value)


def _takes_bool(field) -> bool:
    annotation = field.annotation
    return annotation is bool or bool in get_args(annotation)


class Input(_CleanText):
    """Base of request bodies: unknown fields are errors, text must be storable."""

    model_config = ConfigDict(extra="forbid")


class QueryInput(_CleanText):
    """Base of query parameters: text must be storable (unknown parameters are ignored)."""


def record_id(description="id"):
    """A path parameter naming a record: a positive 64-bit integer."""
    return Path(..., ge=1, le=MAX_ID, description=description)


RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]  # an id inside a body (a list of tags…)


def _date_text(value):
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Input should be a date as YYYY-MM-DD text")
    return value


# A date in a body written as text only: pydantic would read a number as a Unix time, so a
# malformed body whose refusal is reported per item (a batch) would pass as 1970-01-01.
DateText = Annotated[date, BeforeValidator(_date_text)]
Text = Annotated[str, BeforeValidator(_clean_text)]  # text nested in a body (a dict's values)


def optional_id(description):
    return Field(None, ge=1, le=MAX_ID, description=description)


# --- output ----------------------------------------------------------------------------------

class UserRef(Schema):
    """A person a record names (its author, assignee, account manager), in every app's API."""

    id: int
    username: str
    display_name: str


class Ref(Schema):
    """A record a record names by its name (a customer, a queue, a unit)."""

    id: int
    name: str


class PageQuery(QueryInput):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE,
                           description=f"Rows per page, at most {MAX_PAGE_SIZE}.")


@functools.cache
def paged(item: type[Schema]) -> type[Schema]:
    """The schema of one page of `item`s: the total count and the page's rows."""
    return create_model(
        f"{item.__name__}Page", __base__=Schema,
        count=(int, Field(..., description=(
            "Rows in the whole list; for an unfiltered list of more than 200,000 rows on "
            "PostgreSQL, the planner's estimate (about 1 %); for a search, counted up to "
            "1,000 or to the end of the next page, whichever is further (`count_capped`)."))),
        count_capped=(bool, Field(..., description=(
            "The search matched more rows than `count`, which stopped there."))),
        # `item` is a schema class known only when called: no static type to name.
        page=(int, ...), page_size=(int, ...), items=(list[item], ...),  # type: ignore[valid-type]
    )


def page_of(rows, query: PageQuery, *, searched: bool = False) -> dict:
    """One page of a queryset (two queries: the count and the page). A page past the end is
    empty, with the count. A `searched` list counts as the page's list does (core.pagination):
    up to 1,000 rows or the end of the next page, `count_capped` when there are more."""
    start = (query.page - 1) * query.page_size
    items: Iterable = rows[start:start + query.page_size]
    if searched:
        count = count_at_most(rows, search_count_limit(query.page, query.page_size))
    else:  # as the pages count: one query, estimated when huge
        estimated = count_or_estimate(rows)
        count = rows.count() if estimated is None else estimated
    return {"count": int(count), "count_capped": isinstance(count, CappedCount),
            "page": query.page, "page_size": query.page_size, "items": list(items)}
