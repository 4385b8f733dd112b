"""Reads of the customers themselves: the list and its search, a customer's page, history
and timeline, duplicates, the recycle bin, the desk's lists."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.core.lists import Sort, Sorts
from qiao.core.masking import mask, sensitive_kind
from qiao.core.text import search_key
from qiao.core.validators import normalize_company_name, normalize_credit_code, normalize_phone
from qiao.org.scope import clearance_q

from ..models import (
    Attachment,
    Contact,
    Customer,
    CustomerEvent,
    Grade,
    LifecycleRequest,
    RequestState,
    TransferItem,
)

# The customer list's orders (its <select>, the API's `sort`). Ungraded customers last, on
# SQLite (NULLs first by default) as on PostgreSQL; every order ends with the id, so that pages
# never repeat or skip a customer. The desk's "see all" lists use the last two: longest without
# follow-up first, licences expiring first (those without a time limit last).
SORTS = Sorts(
    Sort("recent", _("Recently updated"), ("-updated_at", "-id")),
    Sort("name", _("Name (pinyin A–Z)"), ("name_pinyin", "id")),
    Sort("-name", _("Name (pinyin Z–A)"), ("-name_pinyin", "-id")),
    Sort("grade", _("Grade"), (F("grade__rank").asc(nulls_last=True), "-updated_at", "-id")),
    Sort("status", _("Status"), ("status", "-updated_at", "-id")),
    Sort("created", _("Newest"), ("-created_at", "-id")),
    Sort("idle", _("Longest without follow-up"), ("last_activity_at", "id")),
    Sort("licence", _("Licence expiring first"),
         (F("licence_expiry").asc(nulls_last=True), "id")),
)


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


# A number, perhaps with an extension (021-12345678转801); queries are already folded by
# search_key, so full-width digits and brackets arrive as ASCII.
_PHONE_LIKE = re.compile(r"[\d\s\-+()]*\d[\d\s\-+()]*(?:(?:转|分机|ext\.?|x|#)\s*\d+)?")


class _HasShortGram(Expression):
    """search_text holds `term`, a word of one or two characters, found through migration
    0019's index.

    PostgreSQL: strpos() finds the word, and the text's characters (the GIN index of
    string_to_array(search_text, NULL)) hold its characters. The second test is implied by the
    first: it is there for the index, which answers it for the few customers holding both
    characters of a rare word; for a word most customers contain the planner walks the list's
    own index instead, and strpos, cheap and written first, decides row by row.
    SQLite: the customer's id is among the rows of the FTS5 table holding the word as a token,
    exact for a word of letters, digits and non-ASCII characters (see the migration). The unary
    plus keeps SQLite from fetching every match by its id and sorting them (hundreds of ms for a
    character most customers contain): it walks the list's own index and checks each id against
    the matches instead, a few dozen ms whatever the word."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, term: str, text=None, pk=None):
        super().__init__()
        self.term = term
        self.text = text if text is not None else F("search_text")
        self.pk = pk if pk is not None else F("pk")

    def get_source_expressions(self):
        return [self.text, self.pk]

    def set_source_expressions(self, exprs):
        self.text, self.pk = exprs

    def as_postgresql(self, compiler, connection):
        text, params = compiler.compile(self.text)
        return (f"(strpos({text}, %s) > 0 AND string_to_array({text}, NULL) @> %s::text[])",
                (*params, self.term, *params, sorted(set(self.term))))

    def as_sqlite(self, compiler, connection):
        pk, params = compiler.compile(self.pk)
        # The column as Django compiled it; the word is a parameter.
        return (f"+{pk} IN (SELECT rowid FROM customers_customer_short "  # noqa: S608
                "WHERE customers_customer_short MATCH %s)", (*params, f'"{self.term}"'))

    @staticmethod
    def serves(term: str) -> bool:
        """Can the index answer `term` on this database? A word with a space never; on SQLite
        only one whose every character is part of a token (any non-ASCII character, ASCII
        letters and digits: other ASCII characters separate tokens)."""
        if connection.vendor == "postgresql":
            return " " not in term
        return (connection.vendor == "sqlite"
                and all(c.isalnum() or not c.isascii() for c in term))


def _short_term(term: str) -> Q:
    """search_text contains `term` of one or two characters: through migration 0019's index
    where it serves, else by the LIKE (a scan). The same rows either way."""
    if _HasShortGram.serves(term):
        return Q(_HasShortGram(term))
    return Q(search_text__contains=term)


def _contains(term: str) -> Q:
    """search_text contains `term`, found through an index whatever its length. A term of three
    characters or more: on SQLite through the trigram table customers_customer_search
    (migration 0003) instead of reading every customer (the same rows, found in milliseconds
    at 100k customers); on PostgreSQL the trigram index serves the plain LIKE itself. Shorter
    terms: _short_term."""
    if len(term) < 3:
        return _short_term(term)
    if connection.vendor == "sqlite" and not {"%", "_"} & set(term):
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
    is only a number is one word, whatever its spaces. The query is folded as the search text
    is (core.text.search_key): 賃 finds 赁, ＡＢＣ finds abc, an invisible character is ignored."""
    text = search_key(text)
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
    return qs.select_related("grade", "owner", "region").order_by(*SORTS.order(filters.sort))


def grade_list():
    """The customer grades, best first (reference data: the same for everyone)."""
    return Grade.objects.order_by("rank")


def customer_get(user, pk) -> Customer:
    """The customer if `user` may see it, else 404 — never 403, which would confirm it exists."""
    return get_object_or_404(
        Customer.objects.visible_to(user).select_related("grade", "owner", "region",
                                                         "created_by"),
        pk=pk,
    )


class _JoinedNames(Aggregate):
    """Names joined by a separator, in one column (GROUP_CONCAT on SQLite, STRING_AGG on
    PostgreSQL): the page gets its tags with the customer instead of in a query of their own."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="STRING_AGG", **extra)


_SEP = "\x1f"  # the unit separator: never typed into a tag name


def _count_of(queryset):
    return Coalesce(Subquery(queryset.order_by().values("customer").annotate(n=Count("pk"))
                             .values("n")[:1], output_field=IntegerField()), 0)


def customer_page(user, pk) -> Customer:
    """customer_get, with what the first screen shows besides the record in the same query:
    its tag names (`tag_list`), the counts on the tabs, the status waiting for approval and
    whether a transfer is open. 404 as customer_get."""
    through = Customer.tags.through
    customer = get_object_or_404(
        Customer.objects.visible_to(user).select_related("grade", "owner", "region", "created_by")
        .annotate(
            tag_names=Subquery(
                through.objects.filter(customer_id=OuterRef("pk")).order_by()
                .values("customer_id").annotate(names=_JoinedNames("tag__name", Value(_SEP)))
                .values("names")[:1], output_field=CharField()),
            contact_count=_count_of(Contact.objects.filter(customer=OuterRef("pk"),
                                                           is_deleted=False)),
            attachment_count=_count_of(Attachment.objects.filter(
                clearance_q(user, "secret_level"), customer=OuterRef("pk"), is_deleted=False)),
            pending_to_status=Subquery(LifecycleRequest.objects.filter(
                customer=OuterRef("pk"), state=RequestState.OPEN).values("to_status")[:1]),
            in_transfer=Exists(TransferItem.objects.filter(customer=OuterRef("pk"),
                                                           is_open=True)),
        ),
        pk=pk,
    )
    customer.tag_list = sorted(customer.tag_names.split(_SEP)) if customer.tag_names else []
    return customer


def customer_get_deleted(user, pk) -> Customer:
    return get_object_or_404(Customer.objects.deleted_visible_to(user), pk=pk)


def deleted_customers(user):
    return Customer.objects.deleted_visible_to(user).select_related("owner").order_by(
        "-deleted_at")


def customer_timeline(user, customer, limit=200):
    """The customer's events, newest first, but those about records above the user's clearance."""
    return (CustomerEvent.objects.visible_to(user).filter(customer=customer)
            .select_related("actor").order_by("-occurred_at", "-id")[:limit])


def credit_code_taken(code: str, *, exclude_pk=None) -> bool:
    """Is `code` the credit code of a live customer (anyone's: the code is unique company-wide,
    so the answer is given without saying whose)?"""
    return _with_credit_code(code).exclude(pk=exclude_pk).exists()


def _with_credit_code(code: str):
    """Live customers with this credit code, found through the unique partial index (SQLite
    uses a partial index only when the query repeats its condition: not blank)."""
    return Customer.objects.alive().filter(credit_code=code).exclude(credit_code="")


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
    found = []  # each key through its own index, in one query (an OR of them scans the table)
    if code := normalize_credit_code(credit_code):
        found.append(_with_credit_code(code))
    if normalized := normalize_company_name(name):
        found.append(Customer.objects.alive().filter(name_normalized=normalized))
    if number := normalize_phone(phone):
        found.append(Customer.objects.alive().filter(phone_normalized=number))
    if not found:
        return Duplicates([], 0)
    keys = [rows.values_list("pk", flat=True) for rows in found]
    ids = set(keys[0].union(*keys[1:])) - {exclude_pk}
    # Whether the user sees them, by their ids (not by the user's whole scope as a subquery).
    seen = list(Customer.objects.visible_to(user).filter(pk__in=ids).select_related("owner")
                .order_by("pk"))
    return Duplicates(seen[:10], len(ids) - len(seen))


def _readable(model, field_name, value, cache):
    """A history value as a person reads it: choice labels, names instead of ids, sensitive
    values masked (a reveal is per current value, on the customer page)."""
    if value in (None, "", []):
        return ""
    if kind := sensitive_kind(model, field_name):
        return mask(value, kind)
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


CUSTOMER_CHOICES = 50


def customer_choices(user, chosen=None):
    """A short list for a customer <select> in another module's form (hospitality, work
    orders): the chosen customer when it is one `user` sees, else their own customers with the
    latest follow-up first. A director sees 100,000 customers: all of them as options would
    be megabytes of page. Any other customer is chosen by starting from its page."""
    visible = Customer.objects.visible_to(user).only("pk", "name")
    if chosen is not None and str(chosen).isdigit():
        return list(visible.filter(pk=chosen))
    return list(visible.filter(owner=user).order_by("-last_activity_at", "pk")[:CUSTOMER_CHOICES])



def customers_named(user, *, name="", credit_code="", limit=2) -> list:
    """The customers `user` sees with this credit code, or without one this name (compared as
    duplicates compare names): how a sheet's row names its customer (imports)."""
    visible = Customer.objects.visible_to(user)
    if code := normalize_credit_code(credit_code):
        return list(visible.filter(credit_code=code)[:limit])
    return list(visible.filter(name_normalized=normalize_company_name(name)[:120])[:limit])


def row_customer(user, values: dict) -> Customer:
    """The one customer `user` sees that an imported row names (its "customer" and
    "credit_code" columns), else the row's error."""
    matches = customers_named(user, name=values.get("customer", ""),
                              credit_code=values.get("credit_code", ""))
    if len(matches) != 1:
        raise ValidationError({"customer": _(
            "No customer of yours is called %s.") % values.get("customer", "")
            if not matches else _("Several of your customers are called %s: give the "
                                  "credit code.") % values.get("customer", "")})
    return matches[0]


def offer_customers(field, user, chosen=None):
    """Make `field` (a customer ModelChoiceField of another module's form) accept every
    customer `user` sees but offer only the short list of customer_choices."""
    field.queryset = Customer.objects.visible_to(user)
    field.widget.choices = [("", field.empty_label)] + [
        (customer.pk, customer.name) for customer in customer_choices(user, chosen)]

# --- the start page (工作台) --------------------------------------------------------------------

def idle_customers(user, limit=5) -> list:
    """The user's own customers that have gone longest without a follow-up (the oldest
    `last_activity_at`), at or below their clearance: one query on cust_owner_idle."""
    return list(Customer.objects.visible_to(user).filter(owner=user)
                .order_by("last_activity_at", "id")[:limit])


def licences_expiring(user, *, days=30, today=None):
    """Customers in `user`'s scope whose business licence expires between today and `days`
    days from now, soonest first (cust_owner_licence, cust_licence)."""
    today = today or timezone.localdate()
    return (Customer.objects.visible_to(user)
            .filter(licence_expiry__gte=today, licence_expiry__lte=today + timedelta(days=days))
            .select_related("owner").order_by("licence_expiry", "id"))


def follow_ups_since(user, since) -> int:
    """How many follow-ups (contact with a customer: the timeline kinds that count as one, not
    the registration that starts the clock) were recorded since `since` on customers in
    `user`'s scope: one COUNT on event_kind_time."""
    from ..services import follow_up_kinds

    kinds = sorted(set(follow_up_kinds()) - {"created"})
    return CustomerEvent.objects.filter(
        kind__in=kinds, occurred_at__gte=since,
        customer__in=Customer.objects.visible_to(user).values("pk")).count()
