"""Errors that services raise and views turn into messages (and HTTP status codes)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ConflictError(Exception):
    """The change cannot be applied as asked; the user must look again (HTTP 409)."""


class StaleVersionError(ConflictError):
    """Someone else saved the record after this user opened it. Pages that know the record
    say so in their own words; the default says it for any record."""

    def __init__(self, message=None):
        super().__init__(message or _("Someone else changed this record meanwhile; look at the "
                                      "page again and repeat your change."))


class DuplicateRecordError(ConflictError):
    """A unique business key (such as a credit code) is already taken."""


class TransitionNotAllowed(ValidationError):
    """A lifecycle change that the transition table does not allow."""


class RateLimited(Exception):
    """Too many of one kind of action in a period (HTTP 429); the message says when to retry."""


def user_message(exc) -> str:
    """What a refusal (a ValidationError, a ConflictError…) says to the user, in one line."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])
