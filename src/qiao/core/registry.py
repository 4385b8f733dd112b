"""The one extension mechanism: what domain apps plug into the platform.

Each domain app fills these registries in its `AppConfig.ready()` (as NetBox's registry and
Django's admin site are filled), so that `core`, `org` and the platform modules never import a
domain app, and a newcomer finds every plug-in point of the product in this file:

    navigation       the header's entries (label, url, permission, order, badge)
    actions          action permissions, with the roles that get them by default
    scopes           how each readable model is scoped to a user (org.scope reads it)
    timeline_kinds   the kinds of a customer's timeline events, rendered when read
    desk_widgets     the blocks of each role's start page (工作台)
    reports          report definitions listed in the report centre
    approval_types   request types the approval engine can decide
    handover_steps   what else moves when a manager's customers are handed over
    owner_moved      what follows a user who moves to another unit
    events           domain events, delivered to their subscribers after commit (and to
                     their recorders at once, inside the emitting transaction)
    importers        what rows of an uploaded sheet can become (customers, contacts…): dataio
                     reads, maps and normalises the file, the importer saves each row with the
                     forms and services its pages use
    personal_copies  text columns that hold copies of what records say (inbox messages,
                     approval titles, webhook payloads): searched for a person's names and
                     numbers when their data is erased (core.privacy)

A registry keeps its entries in registration order, or sorted by an entry's `order`
attribute when entries have one. Registering the same key twice with a different entry is an
error (two apps claiming one name); registering the identical entry again is harmless, so
`ready()` may run twice in tests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction


class Registry:
    """Named entries of one kind. `key` turns an entry into its unique name."""

    def __init__(self, name: str, key: Callable[[Any], Any] = lambda entry: entry):
        self.name = name
        self._key = key
        self._entries: dict[Any, Any] = {}

    def register(self, entry):
        key = self._key(entry)
        existing = self._entries.get(key)
        if existing is not None and existing != entry:
            raise ValueError(f"{self.name}: {key!r} is already registered.")
        self._entries[key] = entry
        return entry

    def get(self, key):
        try:
            return self._entries[key]
        except KeyError:
            raise LookupError(f"{self.name}: nothing is registered as {key!r}.") from None

    def __contains__(self, key) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator:
        entries = list(self._entries.values())
        if entries and all(hasattr(e, "order") for e in entries):
            entries.sort(key=lambda e: e.order)
        return iter(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self):
        return list(self._entries)


# --- entries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavEntry:
    """A header entry. `actions`: any one of them opens it. `badge(user)` → a number or None."""

    url_name: str
    label: Any
    icon: str
    actions: tuple[str, ...]
    order: int
    badge: Callable | None = None
    # A header menu the entry folds into (org.context_processors.MENUS: "more"), for what people
    # open less often than daily; "" is a link of its own in the header.
    menu: str = ""


@dataclass(frozen=True)
class ActionDef:
    """An action permission (操作权限) and the default roles (codes) that hold it."""

    code: str
    label: Any
    default_roles: tuple[str, ...] = ()


class ScopeMode:
    """How a registered model is scoped to a user (see `Scope`)."""

    OWNER_UNIT = "owner_unit"
    VIA_CUSTOMER = "via_customer"
    QUEUE = "queue"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Scope:
    """Who may read the rows of `model` (数据权限), applied by its QuerySet's `visible_to(user)`
    (`org.scope.ScopedQuerySet`). Field names are lookups from `model`; "" means none.

    OWNER_UNIT: the rows whose `owner_field` user or `unit_field` unit (denormalised onto the
      row, so scope is one indexed IN) is in the user's data scope, at or below the user's
      clearance on `clearance_field`.
    VIA_CUSTOMER: visible exactly when the customer `customer_field` leads to is: the
      customer's own conditions, applied through the join (no subquery), and the row's own
      clearance on `clearance_field` when it has one (a classified file).
    QUEUE: a row assigned to the user (`assignee_field`), in a queue (`queue_field`) of
      which the user is a member (`members_field`, a lookup from the queue to its users) and
      within the user's clearance for the customer, or whose customer the user sees.
    CUSTOM: `custom(queryset, user)` returns the visible rows (an approval's requester and
      approvers, one's own inbox).

    `deleted_field`: a soft-delete flag; rows with it set are out of `visible_to` (and the
    only rows of `deleted_visible_to`, the recycle bin)."""

    model: type
    mode: str
    owner_field: str = ""
    unit_field: str = ""
    clearance_field: str = ""
    customer_field: str = ""
    assignee_field: str = ""
    queue_field: str = ""
    members_field: str = ""
    deleted_field: str = ""
    custom: Callable | None = None

    def __post_init__(self):
        required = {ScopeMode.OWNER_UNIT: ("owner_field", "unit_field"),
                    ScopeMode.VIA_CUSTOMER: ("customer_field",),
                    ScopeMode.QUEUE: ("assignee_field", "queue_field", "members_field",
                                      "customer_field"),
                    ScopeMode.CUSTOM: ("custom",)}
        if self.mode not in required:
            raise ValueError(f"scope of {self.model.__name__}: no mode {self.mode!r}")
        missing = [name for name in required[self.mode] if not getattr(self, name)]
        if missing:
            raise ValueError(f"scope of {self.model.__name__} ({self.mode}) needs {missing}")


@dataclass(frozen=True)
class TimelineKind:
    """A kind of timeline event. `template` is a lazy translatable string with %(name)s
    placeholders filled from the event's params when it is read, in the reader's language — or,
    when the text translates a parameter (a status code's label) or has optional parts, a
    function params → text in the active language (as approval titles and inbox messages are).
    `params`: the names every event of the kind carries (checked when it is written).
    `follow_up`: the event is contact with the customer (moves "last follow-up").
    `secret_level`: the event's level unless its writer gives one (a classified file's)."""

    code: str
    template: Any
    icon: str = "bi-dot"
    follow_up: bool = False
    secret_level: int = 0
    params: tuple[str, ...] = ()

    def render(self, params: dict) -> str:
        """The text in the active language (KeyError, TypeError, ValueError if `params` do not
        fit: a row written before the kind's text changed)."""
        if callable(self.template):
            return str(self.template(params))
        return str(self.template) % params


@dataclass(frozen=True)
class DeskWidget:
    """A block of the start page (工作台). `context(user)` returns the template's context (one
    or two indexed queries through the domain's selectors) or None to hide the block;
    `actions`: any one of them shows it (none: every signed-in user). `url_name` is the full
    list the block's title links to; a context's "more_url" replaces it (a filtered list)."""

    code: str
    label: Any
    template: str
    context: Callable
    actions: tuple[str, ...]
    order: int
    width: str = "half"  # "half" or "full" of the desk's width on a desktop
    url_name: str = ""
    icon: str = "bi-grid"


@dataclass(frozen=True)
class ReportDef:
    """A report of the report centre: its page (`url_name`), who may open it (any one of
    `actions`), where it is listed (under `group`, by `order`). `short_label`: its name where
    space is short (an Excel sheet's, 31 characters at most)."""

    code: str
    label: Any
    url_name: str
    actions: tuple[str, ...]
    group: Any
    order: int
    description: Any = ""
    icon: str = "bi-table"
    short_label: Any = ""


@dataclass(frozen=True)
class DomainEvent:
    """A kind of domain event (customer.created, approval.decided…). `subscribers` receive it
    after the transaction that emitted it commits; `recorders` at once, inside that
    transaction (the operation log's row, the inbox's alert: commit or roll back with the
    change)."""

    code: str
    label: Any
    subscribers: list = field(default_factory=list, compare=False, hash=False)
    recorders: list = field(default_factory=list, compare=False, hash=False)
    # Offered to integrations (notify's webhook subscriptions): its payload is then plain JSON
    # values (ids, codes, amounts as strings), what an ERP needs and an API token could read.
    webhook: bool = False


class ImportFieldKind:
    """How dataio normalises a cell before an importer sees it (dataio.normalize)."""

    TEXT = "text"      # full-width folded (core.text.clean_text), Excel's 1.0 read as 1
    PHONE = "phone"    # as text; the form's PhoneField puts it in the stored form
    DATE = "date"      # 2024年3月5日, 2024/3/5, 2024-03-05, 20240305, an Excel serial → ISO
    AMOUNT = "amount"  # ¥1,234.50, 12.5万, 3万元 → a plain decimal
    NUMBER = "number"  # 1,200 / 1200人 → digits
    YES_NO = "yes_no"  # 是/否, Y/N, yes/no, 1/0, √ → "1" or ""


@dataclass(frozen=True)
class ImportField:
    """A column an importer takes. `headers`: header names (Chinese and English, compared
    folded: case, width, spaces) that suggest this field for a column, besides its label."""

    code: str
    label: Any
    headers: tuple[str, ...] = ()
    kind: str = ImportFieldKind.TEXT
    required: bool = False


@dataclass(frozen=True)
class Importer:
    """What rows of an uploaded sheet become. `actions`: every one is needed to import.
    `rows(user)` returns the callable that saves one row, `save(values, duplicates=…)`, given
    the row's normalised values by field code; it validates with the forms and services of the
    importer's own pages, raises ValidationError (by field code) for a bad row and returns
    (outcome, record id, note), outcome one of "created", "updated", "skipped". It is made once
    per run, so it may hold look-up tables (managers, grades by name) for the whole file.
    `duplicates`: the ways it handles a row like an existing record ("skip", "update",
    "create"); the first is the default."""

    code: str
    label: Any
    actions: tuple[str, ...]
    fields: tuple[ImportField, ...]
    rows: Callable
    order: int = 100
    duplicates: tuple[str, ...] = ("skip", "update", "create")
    description: Any = ""

    def field(self, code: str) -> ImportField:
        for entry in self.fields:
            if entry.code == code:
                return entry
        raise LookupError(f"importer {self.code}: no field {code!r}")


# --- the registries ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RiskRule:
    """An at-risk rule (危险客户, CUS-9): `find(customers, today)` takes a queryset of customers
    (used as a subquery) and returns {customer id: the reason in the active language} for those
    it flags, in a fixed number of queries; `label` names the rule in filters and columns."""

    code: str
    label: Any
    find: Callable
    order: int = 100


@dataclass(frozen=True)
class PersonalCopy:
    """Columns of `model` that copy text out of records (a title composed with a customer's
    name, an event's payload) without a link to the customer they came from: an erasure
    (core.privacy.sweep) searches them for the person's names and numbers."""

    model: type
    fields: tuple[str, ...]


navigation = Registry("navigation", key=lambda e: e.url_name)
actions = Registry("actions", key=lambda e: e.code)
scopes = Registry("scopes", key=lambda e: e.model)
timeline_kinds = Registry("timeline kinds", key=lambda e: e.code)
desk_widgets = Registry("desk widgets", key=lambda e: e.code)
reports = Registry("reports", key=lambda e: e.code)
approval_types = Registry("approval request types", key=lambda e: e.code)
handover_steps = Registry("handover steps", key=lambda e: f"{e.__module__}.{e.__qualname__}")
owner_moved = Registry("owner moved hooks", key=lambda e: f"{e.__module__}.{e.__qualname__}")
events = Registry("domain events", key=lambda e: e.code)
importers = Registry("importers", key=lambda e: e.code)
risk_rules = Registry("at-risk rules", key=lambda e: e.code)
personal_copies = Registry("personal data copies", key=lambda e: e.model)
# core.exports.ExportApproval: where an export above the approval threshold goes (dataio).
export_approvals = Registry("export approvals", key=lambda e: e.code)


def subscribe(code: str, handler: Callable, *, in_transaction: bool = False) -> None:
    """Call `handler(**payload)` after the commit of every transaction that emits `code`; with
    `in_transaction`, at once inside it — for a record of the change that must commit with it
    and never without it (the operation log), so its error undoes the change too."""
    event = events.get(code)
    handlers = event.recorders if in_transaction else event.subscribers
    if handler not in handlers:
        handlers.append(handler)


_every: list[Callable] = []


def subscribe_every(handler: Callable) -> None:
    """Call `handler(event, payload)` after the commit of every transaction that emits any
    event, whichever app registers it and whenever (notify's webhooks: its `ready` runs before
    the domain apps register their events)."""
    if handler not in _every:
        _every.append(handler)


def emit(code: str, **payload) -> None:
    """Announce a domain event: its recorders run now, in the current transaction; each
    subscriber runs after that transaction commits (at once outside a transaction), so nobody
    hears of a change that was rolled back."""
    event = events.get(code)
    for handler in event.recorders:
        handler(**payload)
    for handler in event.subscribers:
        transaction.on_commit(functools.partial(handler, **payload))
    for every in _every:
        transaction.on_commit(functools.partial(every, event, payload))
