"""Refusals that services raise, and the one table of what each answers over HTTP.

Services refuse by raising; pages and the API never decide a status themselves:

    PermissionDenied, ObjectDoesNotExist   404  out of scope or not allowed: as if missing
    RateLimited                            429  too many in a period; the message says when
    ConflictError (StaleVersionError…)     409  the record changed or a business key is taken
    ValidationError                        400  bad input: the form's errors, the API's body

A page puts the refusal on its form (`core.views.attempt`) or in a message
(`core.views.perform`); whatever a page does not catch is answered by
`core.middleware.RefusalMiddleware`; the API's handlers are in `core.api`. All read
`http_status` below.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


class ConflictError(Exception):
    """The change cannot be applied as asked; the user must look again (HTTP 409). `field`:
    the input it is about (a credit code already taken), so a form shows it there."""

    def __init__(self, message="", *, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleVersionError(ConflictError):
    """Someone else saved the record after this user opened it. Pages that know the record
    say so in their own words; the default says it for any record."""

    def __init__(self, message=None):
        super().__init__(message or _("Someone else changed this record meanwhile; look at the "
                                      "page again and repeat your change."))

    @classmethod
    def of(cls, record) -> "StaleVersionError":
        """The refusal naming the kind of record (客户, 联系人…) that changed."""
        return cls(_("Someone else changed this %(record)s after you opened it. Reload the page "
                     "to see their change, then edit again.") % {
            "record": record._meta.verbose_name})


class DuplicateRecordError(ConflictError):
    """A unique business key (such as a credit code) is already taken."""


class TransitionNotAllowed(ValidationError):
    """A lifecycle change that the transition table does not allow."""


class RateLimited(Exception):
    """Too many of one kind of action in a period (HTTP 429); the message says when to retry."""


class SecondFactorRequired(Exception):
    """Allowed only to a session that has verified its second factor (HTTP 403; C24,
    org.second_factor): the message says so."""


STATUS_OF_REFUSAL = (
    ((PermissionDenied, ObjectDoesNotExist, Http404), 404),
    (SecondFactorRequired, 403),
    (RateLimited, 429),
    (ConflictError, 409),
    (ValidationError, 400),
)


def http_status(exc) -> int:
    """The HTTP status that answers the refusal `exc` (LookupError for anything else: an error
    that is not a refusal is a bug, answered 500 by Django)."""
    for kinds, status in STATUS_OF_REFUSAL:
        if isinstance(exc, kinds):
            return status
    raise LookupError(f"{type(exc).__name__} is not a refusal")


REFUSALS = tuple(kind for kinds, _status in STATUS_OF_REFUSAL
                 for kind in (kinds if isinstance(kinds, tuple) else (kinds,)))
# What a page tells the user on the page itself; out of scope is "not found", whatever asked.
ANSWERED_ON_PAGE = (RateLimited, SecondFactorRequired, ConflictError, ValidationError)


def user_message(exc) -> str:
    """What a refusal (a ValidationError, a ConflictError…) says to the user, in one line."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])
