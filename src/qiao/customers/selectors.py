"""Reads of the customer archive. Every function starts from `visible_to(user)`."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from qiao.core.validators import normalize_company_name, normalize_credit_code, normalize_phone

from .models import Attachment, Contact, Customer, CustomerEvent

SORTS = {
    "recent": ("-updated_at", "-id"),
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    # Ungraded customers last, on SQLite (NULLs first by default) as on PostgreSQL; every
    # order ends with the id, so that pages never repeat or skip a customer.
    "grade": (F("grade__rank").asc(nulls_last=True), "-updated_at", "-id"),
    "status": ("status", "-updated_at", "-id"),
    "created": ("-created_at", "-id"),
}


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    grade: int | None = None
    region: int | None = None
    owner: int | None = None
    status: str = ""
    category: str = ""
    tag: int | None = None
    sort: str = "recent"


_PHONE_LIKE = re.compile(r"[\d\s\-+()（）]*\d[\d\s\-+()（）]*")


def _contains(term: str) -> Q:
    """search_text contains `term`. On SQLite a term of three characters or more is looked up
    in the trigram table customers_customer_search (migration 0003) instead of reading every
    customer: the same rows, found in milliseconds at 100k customers. On PostgreSQL the
    trigram index serves the plain LIKE itself."""
    if connection.vendor == "sqlite" and len(term) >= 3 and not {"%", "_"} & set(term):
        return Q(pk__in=RawSQL(
            "SELECT rowid FROM customers_customer_search WHERE search_text LIKE %s",
            (f"%{term}%",)))
    return Q(search_text__contains=term)


def _word_condition(word: str) -> Q:
    """The word as typed; a number also by its digits and its normal form, so that
    "021-5012 3456", "5012 3456" and "+86 21 5012 3456" all find 02150123456."""
    terms = {word}
    if _PHONE_LIKE.fullmatch(word):
        terms |= {re.sub(r"\D", "", word), normalize_phone(word)}
    condition = Q()
    for term in sorted(t for t in terms if t):
        condition |= _contains(term)
    return condition


def search_condition(text: str) -> Q:
    """Name fragment, pinyin, initials, phone, credit code or contact name: each word of the
    query must appear in the customer's search text (maintained by services). A query that
    is only a number is one word, whatever its spaces."""
    text = text.lower().strip()
    words = [text] if _PHONE_LIKE.fullmatch(text) else text.split()[:5]
    condition = Q()
    for word in words:
        condition &= _word_condition(word)
    return condition


def customer_list(user, filters: CustomerFilters):
    qs = Customer.objects.visible_to(user)
    if filters.q.strip():
        qs = qs.filter(search_condition(filters.q.strip()))
    if filters.grade:
        qs = qs.filter(grade_id=filters.grade)
    if filters.region:
        qs = qs.filter(region_id=filters.region)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.tag:
        qs = qs.filter(tags__id=filters.tag)
    order = SORTS.get(filters.sort, SORTS["recent"])
    return qs.select_related("grade", "owner", "region").order_by(*order)


def customer_get(user, pk) -> Customer:
    """The customer if `user` may see it, else 404 — never 403, which would confirm it exists."""
    return get_object_or_404(
        Customer.objects.visible_to(user).select_related("grade", "owner", "region",
                                                         "created_by"),
        pk=pk,
    )


def customer_get_deleted(user, pk) -> Customer:
    return get_object_or_404(Customer.objects.deleted_visible_to(user), pk=pk)


def deleted_customers(user):
    return Customer.objects.deleted_visible_to(user).select_related("owner").order_by(
        "-deleted_at")


def contact_get(user, pk, *, deleted=False) -> Contact:
    qs = Contact.objects.filter(is_deleted=deleted, customer__is_deleted=False)
    visible_customers = Customer.objects.visible_to(user).values("pk")
    return get_object_or_404(qs.filter(customer__in=visible_customers)
                             .select_related("customer"), pk=pk)


def attachment_get(user, pk) -> Attachment:
    return get_object_or_404(Attachment.objects.visible_to(user).select_related("customer"),
                             pk=pk)


def customer_contacts(customer):
    return customer.contacts.filter(is_deleted=False)


def customer_deleted_contacts(customer):
    return customer.contacts.filter(is_deleted=True)


def customer_attachments(customer):
    return customer.attachments.filter(is_deleted=False).select_related("uploaded_by")


def customer_timeline(customer, limit=200):
    return CustomerEvent.objects.filter(customer=customer).select_related("actor").order_by(
        "-occurred_at", "-id")[:limit]


def credit_code_taken(code: str, *, exclude_pk=None) -> bool:
    """Is `code` the credit code of a live customer (anyone's: the code is unique company-wide,
    so the answer is given without saying whose)?"""
    return Customer.objects.alive().filter(credit_code=code).exclude(pk=exclude_pk).exists()


@dataclass
class Duplicates:
    visible: list
    hidden_count: int

    def __bool__(self):
        return bool(self.visible) or self.hidden_count > 0


def find_duplicates(user, *, name="", credit_code="", phone="", exclude_pk=None) -> Duplicates:
    """Customers that look like the same one (CUS-5): same credit code, same normalised name
    or same phone. Those the user may see are listed; of the others only the number is told,
    so the check leaks no other manager's customer."""
    condition = Q()
    if code := normalize_credit_code(credit_code):
        condition |= Q(credit_code=code)
    if normalized := normalize_company_name(name):
        condition |= Q(name_normalized=normalized)
    if number := normalize_phone(phone):
        condition |= Q(phone_normalized=number)
    if not condition:
        return Duplicates([], 0)
    matches = Customer.objects.alive().filter(condition)
    if exclude_pk:
        matches = matches.exclude(pk=exclude_pk)
    visible = list(matches.filter(pk__in=Customer.objects.visible_to(user).values("pk"))
                   .select_related("owner")[:10])
    hidden = matches.exclude(pk__in=[c.pk for c in visible]).exclude(
        pk__in=Customer.objects.visible_to(user).values("pk")).count()
    return Duplicates(visible, hidden)


def _readable(model, field_name, value, cache):
    """A history value as a person reads it: choice labels, names instead of ids."""
    if value in (None, "", []):
        return ""
    field = model._meta.get_field(field_name)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.many_to_one:
        key = (field.related_model, value)
        if key not in cache:
            cache[key] = str(field.related_model._base_manager.filter(pk=value).first() or value)
        return cache[key]
    if isinstance(value, list):
        return "、".join(str(v.get("tag", v)) if isinstance(v, dict) else str(v) for v in value)
    return value


def _tags_by_history_row(customer) -> dict:
    """{history_id: "tag、tag"} for every history row of the customer, in one query:
    simple-history's own m2m diff costs two queries per row and shows tag ids."""
    through = Customer.history.model.tags.model  # HistoricalCustomer_tags
    names = {}
    for history_id, name in (through.objects.filter(history__id=customer.pk)
                             .order_by("tag__name").values_list("history_id", "tag__name")):
        names.setdefault(history_id, []).append(name)
    return {history_id: "、".join(tags) for history_id, tags in names.items()}


def history_entries(customer):
    """Before/after of every change of the customer and its contacts, newest first."""
    entries, cache = [], {}
    tags = _tags_by_history_row(customer)
    tags_label = Customer._meta.get_field("tags").verbose_name
    histories = (
        (Customer, customer.history.all()),
        (Contact, Contact.history.filter(customer_id=customer.pk)),
    )
    for model, history in histories:
        previous_by_object = {}
        for record in history.select_related("history_user").order_by("history_date", "pk"):
            prev = previous_by_object.get(record.id)
            changes = []
            if prev is not None:
                for change in record.diff_against(prev, excluded_fields=["tags"]).changes:
                    changes.append((
                        model._meta.get_field(change.field).verbose_name,
                        _readable(model, change.field, change.old, cache),
                        _readable(model, change.field, change.new, cache),
                    ))
                if model is Customer:
                    old, new = tags.get(prev.history_id, ""), tags.get(record.history_id, "")
                    if old != new:
                        changes.append((tags_label, old, new))
            previous_by_object[record.id] = record
            entries.append({"record": record, "changes": changes,
                            "object_label": model._meta.verbose_name,
                            "object_name": record.name if model is Contact else ""})
    entries.sort(key=lambda e: e["record"].history_date, reverse=True)
    return entries
