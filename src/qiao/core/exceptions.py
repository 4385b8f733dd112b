"""Errors that services raise and views turn into messages (and HTTP status codes)."""

from django.core.exceptions import ValidationError


class ConflictError(Exception):
    """The change cannot be applied as asked; the user must look again (HTTP 409)."""


class StaleVersionError(ConflictError):
    """Someone else saved the record after this user opened it."""


class DuplicateRecordError(ConflictError):
    """A unique business key (such as a credit code) is already taken."""


class TransitionNotAllowed(ValidationError):
    """A lifecycle change that the transition table does not allow."""


class RateLimited(Exception):
    """Too many of one kind of action in a period (HTTP 429); the message says when to retry."""


def user_message(exc) -> str:
    """What a refusal (a ValidationError, a ConflictError…) says to the user, in one line."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])
