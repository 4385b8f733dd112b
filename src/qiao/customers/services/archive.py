"""Changes to the customers themselves: register, edit, grade, status, delete and restore,
follow-ups, the timeline and the search keys."""


from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.core.concurrency import field_values, save_versioned
from qiao.core.exceptions import ConflictError, DuplicateRecordError, TransitionNotAllowed
from qiao.core.history import authored_by
from qiao.core.models import Clearance
from qiao.core.pinyin import pinyin_keys
from qiao.core.registry import timeline_kinds
from qiao.core.text import search_key
from qiao.core.validators import (
    normalize_company_name,
    normalize_credit_code,
    normalize_id_number,
    normalize_phone,
)
from qiao.org.models import User
from qiao.org.permissions import can

from .. import selectors
from ..actions import CUSTOMER_SECRET_LEVEL
from ..events import CUSTOMER_CREATED, CUSTOMER_TRANSFERRED, CUSTOMER_UPDATED, customer_emit
from ..lifecycle import allowed_targets
from ..models import Contact, Customer, CustomerEvent, FollowUpChannel

# Fields a user edits on the customer form; everything else is set by a service.
EDITABLE_FIELDS = (
    "kind", "name", "short_name", "credit_code", "licence_no", "licence_expiry",
    "legal_representative", "address", "district", "region", "phone", "fax", "industry",
    "nature", "staff_count", "business_mode", "business_status", "peer_position",
    "peak_months", "off_months", "main_products", "bank", "bank_account", "start_date",
    "source", "notes", "owner", "id_number", "secret_level",
)
# Set when the customer is registered; changed later only with a reason (customer_change_grade).
INITIAL_FIELDS = ("grade", "category")


def _reason(text: str) -> str:
    # django-simple-history keeps at most 100 characters of a change reason (a longer one
    # fails on PostgreSQL); the timeline event keeps the whole text.
    return text.strip()[:100]


def customer_event_build(customer, kind, *, params=None, actor=None, link=None, data=None,
                         secret_level=None, occurred_at=None) -> CustomerEvent:
    """An unsaved timeline event of the registered `kind` (LookupError for a kind nobody
    registered, ValueError for params that are not the kind's: a writer's mistake fails at
    once), with its text as written in the active language and the customer's owner and owning
    unit as they are on `customer`. For writers that insert many at once (bulk_create);
    everyone else calls customer_event_record."""
    entry = timeline_kinds.get(kind)
    params = params or {}
    if set(params) != set(entry.params):
        raise ValueError(f"Timeline kind {kind!r} takes the params {sorted(entry.params)}, "
                         f"not {sorted(params)}.")
    event = CustomerEvent(
        customer=customer, kind=kind, params=params, message=entry.render(params)[:300],
        actor=actor, data=data or {}, owner_id=customer.owner_id,
        owner_unit_id=customer.owner_unit_id,
        secret_level=entry.secret_level if secret_level is None else secret_level)
    if occurred_at is not None:
        event.occurred_at = occurred_at
    if link is not None:
        event.link = link
    return event


def customer_event_record(customer, kind, *, params=None, actor=None, link=None, data=None,
                          secret_level=None) -> CustomerEvent:
    """Add a line to the customer's timeline: an event of a kind registered in
    core.registry.timeline_kinds (by the module that writes it, in its AppConfig.ready), with
    the `params` its text is composed from when read; `link`: the record it is about.

    An event of a kind registered as a follow-up (contact with the customer — a visit, a call,
    a meeting on its project, goods it signed for — not an edit of its record, not the pool's
    own moves, not paperwork inside the department) is the customer's latest follow-up:
    `last_activity_at`, the clock of the pool's reclaim rule (docs/decisions.md, "The public
    pool"), moves to it with a plain UPDATE (no history row, no version bump). It never moves
    back: an event recorded late with an older time leaves a newer follow-up in place."""
    event = customer_event_build(customer, kind, params=params, actor=actor, link=link,
                                 data=data, secret_level=secret_level)
    event.save()
    if timeline_kinds.get(kind).follow_up:
        Customer._base_manager.filter(
            pk=customer.pk, last_activity_at__lt=event.occurred_at,
        ).update(last_activity_at=event.occurred_at)
        # The caller's copy too, so that a later save of it does not write the old time back.
        if customer.last_activity_at is None or customer.last_activity_at < event.occurred_at:
            customer.last_activity_at = event.occurred_at
    return event


def follow_up_kinds() -> list[str]:
    """The codes of the timeline kinds that are a follow-up of the customer."""
    return [kind.code for kind in timeline_kinds if kind.follow_up]


def events_follow_customers(customer_ids, *, owner_id, owner_unit_id) -> int:
    """The customers' timeline events carry their new owner and owning unit: one UPDATE, in the
    transaction that moved the customers."""
    return CustomerEvent.objects.filter(customer_id__in=customer_ids).update(
        owner_id=owner_id, owner_unit_id=owner_unit_id)


FOLLOW_UP_NOTE_MAX = 250


@transaction.atomic
def customer_follow_up_record(*, actor, customer, channel: str, note: str) -> CustomerEvent:
    """A follow-up of the customer (a visit, a call, a message), on its timeline; it restarts
    the pool's reclaim clock."""
    note = (note or "").strip()
    if channel not in FollowUpChannel.values:
        raise ValidationError({"channel": _("Choose how you followed up.")})
    if not note:
        raise ValidationError({"note": _("Say what was discussed.")})
    if len(note) > FOLLOW_UP_NOTE_MAX:
        raise ValidationError({"note": _("Keep the note within %d characters.")
                               % FOLLOW_UP_NOTE_MAX})
    return customer_event_record(customer, "follow_up", actor=actor,
                                 params={"channel": channel, "note": note},
                                 data={"channel": channel})


def search_keys(*, name: str, short_name: str, phone: str, credit_code: str, contact_keys=(),
                pinyin=pinyin_keys) -> dict:
    """The columns a customer is found and compared by (decisions.md "One search column"):
    names folded by core.text.search_key (so 賃 and 赁, ＡＢＣ and abc are one), their pinyin,
    the phone's digits, the credit code and `contact_keys` (contact_search_keys of each
    contact). `pinyin` may be a memoised pinyin_keys (the demo generator's)."""
    name_key, short_key = search_key(name), search_key(short_name)
    full, initials = pinyin(name_key)
    short_full, short_initials = pinyin(short_key)
    phone_normalized = normalize_phone(phone)
    parts = [name_key, short_key, full, initials, short_full, short_initials, phone_normalized,
             credit_code.lower(), *contact_keys]
    return {"name_normalized": normalize_company_name(name)[:120], "name_pinyin": full[:400],
            "phone_normalized": phone_normalized,
            "search_text": " ".join(p for p in parts if p)}


def contact_search_keys(name: str, mobile: str, pinyin=pinyin_keys) -> list[str]:
    key = search_key(name)
    return [key, *pinyin(key), normalize_phone(mobile)]


def fill_search_keys(customer: Customer, contact_keys=()) -> None:
    keys = search_keys(name=customer.name, short_name=customer.short_name, phone=customer.phone,
                       credit_code=customer.credit_code, contact_keys=contact_keys)
    for field, value in keys.items():
        setattr(customer, field, value)


def _contact_search_names(customer: Customer) -> list[str]:
    names = []
    for contact in customer.contacts.filter(is_deleted=False).only("name", "mobile"):
        names += contact_search_keys(contact.name, contact.mobile)
    return names


KEY_COLUMNS = ("name_normalized", "name_pinyin", "phone_normalized", "search_text")


def search_keys_refresh(*, customer_model=Customer, contact_model=Contact,
                        batch_size=2000) -> int:
    """Recompute the search keys of the customers whose keys `search_keys` would now write
    differently (after a change of how keys are folded); a data migration calls it with its
    historical models, `manage.py refresh_search_keys` with the live ones. A customer whose
    keys are current is recognised without computing pinyin (_keys_stale), so 100k customers
    take seconds. Plain UPDATEs: keys
    are not history. Returns how many customers changed."""
    changed, last_pk = 0, 0
    while True:
        customers = list(customer_model._base_manager.filter(pk__gt=last_pk).order_by("pk").only(
            "name", "short_name", "phone", "credit_code", *KEY_COLUMNS)[:batch_size])
        if not customers:
            return changed
        last_pk = customers[-1].pk
        contacts = {}
        for contact in (contact_model._base_manager
                        .filter(customer__in=customers, is_deleted=False)
                        .order_by("-is_key_person", "name", "id").only("customer", "name", "mobile")):
            contacts.setdefault(contact.customer_id, []).append(contact)
        stale = [c for c in customers if _keys_stale(c, contacts.get(c.pk, []))]
        for customer in stale:
            keys = []
            for contact in contacts.get(customer.pk, []):
                keys += contact_search_keys(contact.name, contact.mobile)
            fill_search_keys(customer, keys)
        customer_model._base_manager.bulk_update(stale, KEY_COLUMNS)
        changed += len(stale)


def _keys_stale(customer, contacts) -> bool:
    """Are the stored keys not what search_keys would write? Judged without pinyin: the folded
    names lead the search text, each contact's folded name is in it, the phone and duplicate
    keys are current."""
    names = " ".join(key for key in (search_key(customer.name), search_key(customer.short_name))
                     if key)
    text = customer.search_text
    return (not text.startswith(names)
            or any(f" {search_key(contact.name)} " not in f" {text} " for contact in contacts)
            or customer.name_normalized != normalize_company_name(customer.name)[:120]
            or customer.phone_normalized != normalize_phone(customer.phone))


def _apply(customer: Customer, data: dict) -> None:
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(customer, field, data[field])
    customer.credit_code = normalize_credit_code(customer.credit_code)
    customer.id_number = normalize_id_number(customer.id_number)
    customer.owner_unit_id = owning_unit_id(customer)


def _check_within_clearance(actor, level):
    """Nobody classifies a record above their own clearance: it would vanish from their sight."""
    if level > actor.clearance:
        raise ValidationError({"secret_level": _(
            "You cannot set a secret level above your own clearance (%(level)s).")
            % {"level": Clearance(actor.clearance).label}})


def _check_secret_level(actor, level, *, previous=Clearance.INTERNAL):
    """A customer's secret level (ORG-5) other than the default is set by those allowed to."""
    if level == previous:
        return
    if not can(actor, CUSTOMER_SECRET_LEVEL):
        raise ValidationError({"secret_level": _("You may not change secret levels.")})
    _check_within_clearance(actor, level)


def _check_owner_cleared(customer: Customer, field: str) -> None:
    """A customer's manager must be cleared for its secret level: above their clearance it
    would vanish from their own list while their name stays on it, and reminders would name it
    to them. Refused on the field the user changed (`owner` or `secret_level`). A disabled
    account (a leaver) sees nothing at all: its customers wait for the handover instead."""
    owner = customer.owner
    if owner is not None and owner.is_active and customer.secret_level > owner.clearance:
        raise ValidationError({field: _(
            "%(owner)s is cleared for %(clearance)s only, below this customer's secret level "
            "(%(level)s): choose an account manager cleared for it, or a lower level.") % {
            "owner": owner, "clearance": Clearance(owner.clearance).label,
            "level": Clearance(customer.secret_level).label}})


def owning_unit_id(customer: Customer):
    """The unit whose scope covers the customer: its manager's unit, or — for a customer
    without a manager (the public pool) — its region."""
    return customer.owner.unit_id if customer.owner_id else customer.region_id


def customers_follow_owner(*, owner) -> int:
    """Re-point the owning unit of `owner`'s customers after the owner changed unit. The unit is
    derived data (the owner did not change), so no history row is written for it."""
    CustomerEvent.objects.filter(owner=owner).update(owner_unit_id=owner.unit_id)
    return Customer._base_manager.filter(owner=owner).update(owner_unit_id=owner.unit_id)


def _check_and_save_new(customer: Customer):
    # Constraints are left to the database: a taken credit code is a DuplicateRecordError
    # (409), not a form error, whether it was taken long ago or a moment ago.
    customer.full_clean(exclude=["owner_unit", "tags"], validate_constraints=False)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise DuplicateRecordError(
            _("A customer with credit code %(code)s already exists.") % {"code": customer.credit_code},
            field="credit_code") from None


IDENTITY_FIELDS = ("name", "credit_code", "phone")


class PossibleDuplicates(ConflictError):
    """Customers that look like the one being saved exist (CUS-5) and the user has not
    confirmed that it is another one. `found` (selectors.Duplicates) lists those the user may
    see and counts the others; `errors` puts the question on `confirm_duplicate`, the name of
    the confirmation in the page's form and in the API alike."""

    def __init__(self, found):
        message = _("Possible duplicates: %(ids)s%(hidden)s. Check them, then send "
                    "confirm_duplicate: true to save anyway.") % {
            "ids": ", ".join(f"#{c.pk} {c.name}" for c in found.visible),
            "hidden": (_(" and %d customers you cannot see") % found.hidden_count
                       if found.hidden_count else ""),
        }
        super().__init__(message, field="confirm_duplicate")
        self.found = found
        self.errors = {"confirm_duplicate": [message]}


def _ask_about_duplicates(actor, customer: Customer, before: dict | None = None) -> None:
    """Refuse a new customer, or an edit of what duplicates are judged on, that looks like
    customers already there (PossibleDuplicates). A customer once confirmed as "not the same"
    is not questioned again for an unrelated change."""
    if before is not None and all(before[f] == getattr(customer, f) for f in IDENTITY_FIELDS):
        return
    found = selectors.find_duplicates(actor, name=customer.name,
                                      credit_code=customer.credit_code, phone=customer.phone,
                                      exclude_pk=customer.pk)
    if found:
        raise PossibleDuplicates(found)


@transaction.atomic
def customer_create(*, actor, data: dict, tags=(), confirmed_not_duplicate=True) -> Customer:
    """A new customer of `actor`'s (or of data's owner). Unless `confirmed_not_duplicate`, one
    that looks like customers already there is refused with PossibleDuplicates (the pages and
    the API pass what the user answered; imports and the demo have checked their rows)."""
    customer = authored_by(Customer(created_by=actor, status=Customer.Status.PROSPECT), actor)
    _apply(customer, data)
    if not confirmed_not_duplicate:
        _ask_about_duplicates(actor, customer)
    _check_secret_level(actor, customer.secret_level)
    for field in INITIAL_FIELDS:
        if data.get(field):
            setattr(customer, field, data[field])
    if customer.owner_id is None and "owner" not in data:
        customer.owner = actor
        customer.owner_unit_id = owning_unit_id(customer)
    _check_owner_cleared(customer, "owner" if data.get("owner") else "secret_level")
    fill_search_keys(customer)
    _check_and_save_new(customer)
    if tags:
        customer.tags.set(tags)
    customer_event_record(customer, "created", actor=actor)
    customer_emit(CUSTOMER_CREATED, customer)
    return customer


def _changed_fields(before: dict, after: dict) -> list[str]:
    return [f for f in before if after[f] != before[f]]


@transaction.atomic
def customer_update(*, actor, customer: Customer, data: dict, expected_version: int,
                    tags=None, confirmed_not_duplicate=True) -> Customer:
    """Save an edit made on a form opened at `expected_version` (StaleVersionError if someone
    saved in between; DuplicateRecordError if the credit code is taken; PossibleDuplicates as
    customer_create's when name, credit code or phone changed). An edit that changes nothing
    writes nothing."""
    before = field_values(customer, EDITABLE_FIELDS)
    owner_unit_before = customer.owner_unit_id
    authored_by(customer, actor)
    _apply(customer, data)
    _check_secret_level(actor, customer.secret_level, previous=before["secret_level"])
    if customer.owner_id != before["owner"]:
        _check_owner_cleared(customer, "owner")
    elif customer.secret_level != before["secret_level"]:
        _check_owner_cleared(customer, "secret_level")
    changed = _changed_fields(before, field_values(customer, EDITABLE_FIELDS))
    tags_changed = tags is not None and {t.pk for t in tags} != set(
        customer.tags.values_list("pk", flat=True))
    if not changed and not tags_changed:
        return customer
    if not confirmed_not_duplicate:
        _ask_about_duplicates(actor, customer, before)
    customer.full_clean(exclude=["owner_unit", "tags"], validate_constraints=False)
    fill_search_keys(customer, _contact_search_names(customer))
    try:
        with transaction.atomic():
            save_versioned(customer, expected_version=expected_version)
    except IntegrityError:
        raise DuplicateRecordError(
            _("A customer with credit code %(code)s already exists.") % {"code": customer.credit_code},
            field="credit_code") from None
    if tags_changed:
        customer.tags.set(tags)
    if (customer.owner_id, customer.owner_unit_id) != (before["owner"], owner_unit_before):
        events_follow_customers([customer.pk], owner_id=customer.owner_id,
                                owner_unit_id=customer.owner_unit_id)
    customer_event_record(customer, "edited", actor=actor,
                          params={"fields": changed + ["tags"] * tags_changed})
    customer_emit(CUSTOMER_UPDATED, customer, fields=changed + ["tags"] * tags_changed)
    if customer.owner_id != before["owner"]:
        customer_emit(CUSTOMER_TRANSFERRED, customer, previous_owner=_owner_name(before["owner"]))
    return customer


def _owner_name(user_id) -> str | None:
    return (User.objects.filter(pk=user_id).values_list("username", flat=True).first()
            if user_id else None)


@transaction.atomic
def customer_change_grade(*, actor, customer: Customer, grade, category: str, reason: str,
                          expected_version: int) -> Customer:
    """Grade and classification are changed by hand only with a reason (CUS-3)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    old = (customer.display_grade, customer.category)
    authored_by(customer, actor)
    customer.grade = grade
    customer.category = category
    customer.full_clean(exclude=["owner_unit", "tags"], validate_constraints=False)
    save_versioned(customer, expected_version=expected_version, change_reason=_reason(reason))
    customer_event_record(
        customer, "graded", actor=actor,
        params={"old_grade": old[0], "old_category": old[1],
                "new_grade": customer.display_grade, "new_category": customer.category,
                "reason": reason.strip()},
        data={"reason": reason.strip()},
    )
    return customer


@transaction.atomic
def customer_transition(*, actor, customer: Customer, to_status: str, note: str,
                        expected_version: int, checklist=None) -> Customer:
    """`checklist`: the standard's items as ticked ([{id, label, required, checked}]), kept
    with the timeline event of the change."""
    if to_status not in allowed_targets(customer.status):
        raise TransitionNotAllowed(
            _("A customer cannot go from %(old)s to %(new)s.") % {
                "old": customer.get_status_display(),
                "new": Customer.Status(to_status).label if to_status in Customer.Status.values
                else to_status,
            }
        )
    old_status = customer.status
    authored_by(customer, actor)
    now = timezone.now()
    customer.status = to_status
    customer.status_changed_at = now
    if to_status == Customer.Status.ONBOARDED:
        customer.onboarded_on = timezone.localdate(now)
        customer.offboarded_on = None
    elif to_status == Customer.Status.OFFBOARDED:
        customer.offboarded_on = timezone.localdate(now)
    save_versioned(customer, expected_version=expected_version,
                   change_reason=_reason(note) or _("Status changed"))
    customer_event_record(
        customer, "status", actor=actor,
        params={"old": old_status, "new": customer.status, "note": note.strip()},
        data={"checklist": checklist} if checklist else None,
    )
    return customer


@transaction.atomic
def customer_delete(*, actor, customer: Customer) -> None:
    """Soft delete: the customer leaves every list but stays restorable with its history."""
    authored_by(customer, actor)
    customer.is_deleted = True
    customer.deleted_at = timezone.now()
    save_versioned(customer, expected_version=customer.version, change_reason=_("Deleted"))
    customer_event_record(customer, "deleted", actor=actor)


@transaction.atomic
def customer_restore(*, actor, customer: Customer) -> Customer:
    authored_by(customer, actor)
    customer.is_deleted = False
    customer.deleted_at = None
    try:
        with transaction.atomic():
            save_versioned(customer, expected_version=customer.version,
                           change_reason=_("Restored"))
    except IntegrityError:
        raise DuplicateRecordError(
            _("Cannot restore: another live customer has credit code %(code)s.")
            % {"code": customer.credit_code}
        ) from None
    customer_event_record(customer, "restored", actor=actor)
    return customer


def _refresh_search(customer: Customer) -> None:
    """Rebuild the search text from the row as it is now (locked on PostgreSQL), not from the
    copy a contact page loaded: a rename saved meanwhile must stay searchable."""
    fresh = Customer._base_manager.select_for_update().get(pk=customer.pk)
    fill_search_keys(fresh, _contact_search_names(fresh))
    Customer._base_manager.filter(pk=fresh.pk).update(search_text=fresh.search_text)


# --- ownership in bulk: history rows without a save per customer ------------------------------

def _bulk_history(customers, *, actor, when) -> None:
    """History rows ("changed") for customers whose row a queryset UPDATE just changed, as they
    are in memory (the caller has applied the same change to them), each with its change
    reason in `_change_reason`. One INSERT for the rows and one for their tags — the history
    page compares each row's tags with the previous row's, so they must be recorded too —
    instead of a save, a history row and a tags query per customer."""
    if not customers:
        return
    for customer in customers:
        authored_by(customer, actor)
    rows = Customer.history.bulk_history_create(customers, update=True, default_user=actor,
                                                default_date=when)
    history_by_customer = {row.id: row for row in rows}
    through = Customer.tags.through
    tag_history = Customer.history.model.tags.model  # HistoricalCustomer_tags
    tag_history.objects.bulk_create([
        tag_history(history=history_by_customer[customer_id], id=pk, customer_id=customer_id,
                    tag_id=tag_id)
        for pk, customer_id, tag_id in through.objects.filter(
            customer_id__in=list(history_by_customer)).values_list("pk", "customer_id", "tag_id")
    ])
