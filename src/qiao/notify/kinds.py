"""Message kinds (NTF-1): a module registers how the messages of a kind read, so that an inbox
message is stored as its kind and parameters and composed when read, in the reader's language
(as timeline events are, DESIGN rule 7) — a message written by a Chinese-speaking colleague or a
night job reads in English for an English reader. Registered in the module's AppConfig.ready:
`kinds.register("approval_waiting", title=lambda params: …, body=…)`."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MessageKind:
    code: str
    title: Callable[[dict], str]  # params → the title in the active language
    body: Callable[[dict], str] | None = None


_kinds: dict[str, MessageKind] = {}


def register(code, *, title, body=None) -> MessageKind:
    _kinds[code] = MessageKind(code, title, body)
    return _kinds[code]


def render(code, params) -> tuple[str, str] | None:
    """(title, body) of a message of kind `code` in the active language, or None when the kind
    is not registered or `params` do not fit it (a message written before a change of its
    text): the text as written is shown then."""
    kind = _kinds.get(code)
    if kind is None or not params:
        return None
    try:
        return kind.title(params), kind.body(params) if kind.body else ""
    except (LookupError, TypeError, ValueError):
        return None
