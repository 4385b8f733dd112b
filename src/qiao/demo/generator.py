"""Deterministic demo and benchmark data: one seed, one scale, bulk inserts.

Scales: demo ≈ 3,000 customers (what `make demo` loads), S ≈ 10k, M ≈ 100k, L ≈ 1M. The same
seed on the same day always gives the same company, people and customers (dates are counted
back from today's midnight).

Built for speed (scale M: about a minute of CPU, 0.5–0.7 ms per customer with its contacts,
tags, event and history rows; it was 2–5 ms through bulk_create): each customer is made once
as a dict of column values — no model instances — and its rows (customer, contacts, tags, the
"created" timeline event and the initial history rows) are written with one `executemany` per
table and batch (COPY on PostgreSQL), converting only dates and JSON. Pinyin is looked up per
word of pypinyin's own segmentation and cached, so the search keys are exactly what
`customers.services.fill_search_keys` computes, at a fraction of the cost; `check_sample`
(run by the benchmark) recomputes a sample the slow way to prove it.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from itertools import chain

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import uscc

from qiao.core.validators import normalize_company_name, normalize_phone
from qiao.customers.models import Contact, Customer, CustomerEvent, Grade, Tag

from . import names
from .org import DemoOrg, build_org

# Bump when the data a given seed produces changes (the benchmark regenerates its database).
GENERATOR_VERSION = 3
SCALES = {"demo": 3_000, "S": 10_000, "M": 100_000, "L": 1_000_000}
BATCH = 10_000
GRADES = [("1", "一级", "核心客户，每周拜访"), ("2", "二级", "重要客户，每两周拜访"),
          ("3", "三级", "骨干客户，每月拜访"), ("4", "四级", "一般客户，每两月拜访"),
          ("5", "五级", "普通客户，每季度拜访")]
STATUS_WEIGHTS = [("prospect", 15), ("onboarded", 10), ("active", 55), ("suspended", 8),
                  ("offboarded", 12)]
GRADE_WEIGHTS = [5, 15, 30, 30, 20]
CATEGORY_WEIGHTS = [("big", 3), ("key", 12), ("ordinary", 85)]
# Choice values looked up once (an enum's .values is rebuilt on every access).
NATURES = [n for n in Customer.Nature.values if n != "individual"]
BUSINESS_MODES = Customer.BusinessMode.values
BUSINESS_STATUSES = Customer.BusinessStatus.values
PEER_POSITIONS = Customer.PeerPosition.values
SOURCES = Customer.Source.values
EDUCATIONS = Contact.Education.values
KIND_INDIVIDUAL, KIND_ENTERPRISE = str(Customer.Kind.INDIVIDUAL), str(Customer.Kind.ENTERPRISE)
NATURE_INDIVIDUAL = str(Customer.Nature.INDIVIDUAL)
PROSPECT, OFFBOARDED = str(Customer.Status.PROSPECT), str(Customer.Status.OFFBOARDED)
HISTORY_REASON = "初始数据导入"


def ensure_grades() -> list[Grade]:
    return [Grade.objects.update_or_create(code=code, defaults={
        "name": name, "rank": rank, "description": description})[0]
        for rank, (code, name, description) in enumerate(GRADES, start=1)]


def ensure_tags() -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in names.TAGS]


def org_code_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch, 36) * w for ch, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(serial: int, division: str, individual: bool) -> str:
    """A valid unified social credit code; `serial` makes it unique within a run."""
    body = f"{(serial * 7919 + 1_000_003) % 100_000_000:08d}"
    head = ("92" if individual else "91") + division + body + org_code_check(body)
    return head + uscc.calc_check_digit(head)


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


class PinyinCache:
    """`qiao.core.pinyin.pinyin_keys`, memoised per word.

    pypinyin splits a text into words (its phrase dictionary decides, e.g. 厦门 → xia men) and
    converts each word on its own; we run the same segmentation and cache each word's
    syllables, which gives the very same result as converting the whole text. Person names
    repeat a lot and are cached whole."""

    def __init__(self):
        from pypinyin import Style
        from pypinyin.core import _default_convert, _default_pinyin

        self._seg = _default_pinyin.seg
        self._convert = _default_convert.convert
        self._style = Style.NORMAL
        self._words: dict[str, list[str]] = {}
        self._people: dict[str, tuple[str, str]] = {}

    @staticmethod
    def _errors(chars):
        return list(chars)

    def _syllables(self, word):
        syllables = self._words.get(word)
        if syllables is None:
            converted = chain.from_iterable(
                self._convert(word, self._style, False, self._errors, strict=True))
            syllables = self._words[word] = [s.lower() for s in converted if s.strip()]
        return syllables

    def keys(self, text: str) -> tuple[str, str]:
        if not text:
            return "", ""
        syllables = [s for word in self._seg(text) for s in self._syllables(word)]
        return "".join(syllables), "".join(s[0] for s in syllables if s[0].isalnum())

    def person(self, name: str) -> tuple[str, str]:
        keys = self._people.get(name)
        if keys is None:
            keys = self._people[name] = self.keys(name)
        return keys


@dataclass
class Context:
    rng: random.Random
    org: DemoOrg
    grades: list
    today: date
    now: datetime  # today's midnight, local time: every generated moment lies before it
    pinyin: PinyinCache


class CustomerFactory:
    """Makes a customer and its contacts as dicts of column values (attnames), deterministic
    for the rng. Search keys are filled like `customers.services.fill_search_keys`."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.managers = ctx.org.account_managers
        self.grade_ids = [g.pk for g in ctx.grades]
        self.trades = list(names.TRADES)

    def person(self):
        rng = self.ctx.rng
        given = "".join(rng.choice(names.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        return rng.choice(names.SURNAMES) + given

    def mobile(self):
        rng = self.ctx.rng
        return rng.choice(names.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def landline(self, area):
        rng = self.ctx.rng
        digits = names.LANDLINE_DIGITS.get(area, 8)
        return f"{area}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"

    def customer(self, serial: int, pk: int, next_contact_pk: int):
        """(customer row, contact rows) for customer number `serial`, saved as `pk`."""
        ctx = self.ctx
        rng, today, now = ctx.rng, ctx.today, ctx.now
        manager = self.managers[serial % len(self.managers)]
        owner = manager if rng.random() > 0.03 else None
        region = ctx.org.regions[(serial % len(self.managers)) // 4]
        city, district, division, area = rng.choice(names.PLACES[region.name])
        individual = rng.random() < 0.15
        industry = "retail" if individual else rng.choice(self.trades)
        boss = self.person()
        if individual:
            name = f"{names.city_name(city)}{boss}{rng.choice(names.INDIVIDUAL_SHOPS)}"
        else:
            brand = "".join(rng.sample(names.BRAND_CHARS, 2))
            name = f"{city[:2]}{brand}{rng.choice(names.TRADES[industry])}{rng.choice(names.LEGAL_FORMS)}"
        name = (name if serial % 997 else f"{name}（{district}）")[:120]
        short_name = name[2:6] if not individual else ""
        created = now - timedelta(days=rng.randint(0, 3 * 365), minutes=rng.randint(1, 1440))
        updated = created + timedelta(days=rng.randint(0, 200))
        if updated >= now:
            updated = now - timedelta(minutes=rng.randint(1, 10_000))
        status = weighted(rng, STATUS_WEIGHTS)
        peak = sorted(rng.sample(range(1, 13), 3))
        code = credit_code(serial, division, individual) if rng.random() > 0.05 else ""
        phone = self.landline(area) if rng.random() < 0.6 else self.mobile()
        owner_id = owner.pk if owner else None
        row = {
            "id": pk, "created_at": created, "updated_at": updated,
            "kind": KIND_INDIVIDUAL if individual else KIND_ENTERPRISE,
            "name": name, "short_name": short_name, "credit_code": code,
            "licence_no": f"{division}{rng.randrange(10**9):09d}",
            "licence_expiry": today + timedelta(days=rng.randint(-60, 5 * 365)),
            "legal_representative": boss,
            "address": f"{city}{district}{rng.choice(names.STREETS)}{rng.randint(1, 999)}号"
                       f"{rng.choice(names.BUILDINGS)}",
            "district": f"{city}{district}", "region_id": region.pk,
            "phone": phone,
            "fax": self.landline(area) if rng.random() < 0.3 else "",
            "industry": industry,
            "nature": NATURE_INDIVIDUAL if individual else rng.choice(NATURES),
            "staff_count": rng.randint(2, 30) if individual else rng.randint(10, 2000),
            "business_mode": rng.choice(BUSINESS_MODES),
            "business_status": rng.choice(BUSINESS_STATUSES),
            "peer_position": rng.choice(PEER_POSITIONS),
            "peak_months": peak,
            "off_months": sorted(rng.sample([m for m in range(1, 13) if m not in peak], 2)),
            "main_products": "、".join(rng.sample(names.PRODUCTS, 2)),
            "bank": rng.choice(names.BANKS), "bank_account": f"62{rng.randrange(10**17):017d}",
            "start_date": (created - timedelta(days=rng.randint(0, 1500))).date(),
            "source": rng.choice(SOURCES),
            "owner_id": owner_id,
            # customers.services.owning_unit_id: the manager's unit, else the region (pool)
            "owner_unit_id": owner.unit_id if owner else region.pk,
            "grade_id": rng.choices(self.grade_ids, GRADE_WEIGHTS)[0],
            "category": weighted(rng, CATEGORY_WEIGHTS),
            "status": status,
            "status_changed_at": min(created + timedelta(days=rng.randint(0, 30)), updated),
            "onboarded_on": (created + timedelta(days=rng.randint(1, 60))).date()
            if status != PROSPECT else None,
            "offboarded_on": today - timedelta(days=rng.randint(1, 300))
            if status == OFFBOARDED else None,
            "created_by_id": owner_id,
        }
        contacts = []
        for index in range(rng.choice((1, 1, 2, 2, 3))):
            contact = self.contact(row, boss if index == 0 else self.person(), index)
            contact["id"] = next_contact_pk + index
            contacts.append(contact)
        # Contact names in Contact.Meta.ordering (key person first, then by name), as the
        # services list them when they refresh the search text.
        contact_keys = []
        for contact in sorted(contacts, key=lambda c: (not c["is_key_person"], c["name"])):
            contact_keys += [contact["name"], *self.ctx.pinyin.person(contact["name"]),
                             contact["mobile"]]
        self.fill_search_keys(row, contact_keys)
        return row, contacts

    def fill_search_keys(self, row, contact_keys):
        """customers.services.fill_search_keys on a row (contact mobiles are plain 11-digit
        numbers, already in normal form)."""
        full, initials = self.ctx.pinyin.keys(row["name"])
        short_full, short_initials = self.ctx.pinyin.keys(row["short_name"])
        row["name_normalized"] = normalize_company_name(row["name"])[:120]
        row["name_pinyin"] = full[:400]
        row["phone_normalized"] = normalize_phone(row["phone"])
        parts = [row["name"], row["short_name"], full, initials, short_full, short_initials,
                 row["phone_normalized"], row["credit_code"], *contact_keys]
        row["search_text"] = " ".join(p.lower() for p in parts if p)

    def contact(self, customer, name, index):
        rng = self.ctx.rng
        key = index == 0
        return {
            "customer_id": customer["id"], "name": name, "employer": customer["name"],
            "title": names.TITLES[0] if key else rng.choice(names.TITLES[1:]),
            "is_key_person": key, "has_decision_power": key or rng.random() < 0.2,
            "mobile": self.mobile(),
            "email": f"{self.ctx.pinyin.person(name)[0]}{rng.randint(1, 99)}@example.cn",
            "birthday": date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28)),
            "education": rng.choice(EDUCATIONS),
            "character": rng.choice(names.CHARACTERS),
            "hobbies": "、".join(rng.sample(names.HOBBIES, 2)),
            "background": "从事本行业多年，熟悉当地市场。" if key else "",
            "private_info": f"家住{customer['district']}，育有{rng.randint(1, 2)}个孩子。"
            if key else "",
            "created_at": customer["created_at"], "updated_at": customer["created_at"],
        }


# Column types whose Python value is already what the database driver takes.
_AS_IS = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField",
          "ForeignKey", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
          "SmallIntegerField", "TextField"}


class RowWriter:
    """INSERTs dict rows into a model's table with one executemany, converting only the
    values that need it (dates, datetimes, JSON) with the field's own get_db_prep_save."""

    def __init__(self, model, *, skip=()):
        fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
        self.attnames = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}
        ops = connection.ops
        fast = {"DateTimeField": ops.adapt_datetimefield_value,
                "DateField": ops.adapt_datefield_value}
        self.converters = [
            (i, fast.get(f.get_internal_type()) or partial(f.get_db_prep_save, connection=connection))
            for i, f in enumerate(fields) if f.get_internal_type() not in _AS_IS]
        qn = connection.ops.quote_name
        # Table and column names come from the model, values are parameters.
        table, columns = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
        self.sql = (f"INSERT INTO {table} ({columns}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * len(fields))})")
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    def write(self, rows, **common):
        if not rows:
            return 0
        base = {**self.defaults, **common}
        attnames, converters = self.attnames, self.converters
        # Many rows share a moment (a contact is created with its customer): convert once.
        memo = [{} for _ in converters]
        values = []
        for row in rows:
            merged = {**base, **row}
            record = [merged[a] for a in attnames]
            for (i, prep), seen in zip(converters, memo, strict=True):
                value = record[i]
                if value is not None:
                    key = tuple(value) if isinstance(value, list) else value  # JSON lists
                    try:
                        record[i] = seen[key]
                    except KeyError:
                        record[i] = seen[key] = prep(value)
                    except TypeError:  # unhashable (a JSON object)
                        record[i] = prep(value)
            values.append(record)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY: several times faster than INSERTs
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for record in values:
                        copy.write_row(record)
            else:
                cursor.executemany(self.sql, values)
        return len(values)


class Writers:
    def __init__(self):
        history_fields = {"history_id"}
        self.customer = RowWriter(Customer)
        self.contact = RowWriter(Contact)
        self.tag = RowWriter(Customer.tags.through, skip={"id"})
        self.event = RowWriter(CustomerEvent, skip={"id"})
        self.customer_history = RowWriter(Customer.history.model, skip=history_fields)
        self.contact_history = RowWriter(Contact.history.model, skip=history_fields)


def _insert_batch(factory, writers, start, stop, first_pk, first_contact_pk, tag_ids,
                  with_history, history_date):
    rng = factory.ctx.rng
    customers, contacts = [], []
    for offset, serial in enumerate(range(start, stop)):
        row, cs = factory.customer(serial, first_pk + offset, first_contact_pk + len(contacts))
        customers.append(row)
        contacts += cs
    writers.customer.write(customers)
    writers.contact.write(contacts)
    writers.tag.write([{"customer_id": c["id"], "tag_id": t}
                       for c in customers for t in rng.sample(tag_ids, rng.choice((0, 1, 1, 2)))])
    writers.event.write([{"customer_id": c["id"], "actor_id": c["created_by_id"],
                          "occurred_at": c["created_at"]} for c in customers],
                        kind="created", message="建档（初始数据导入）", data={})
    if with_history:
        # What simple_history's bulk_history_create writes: one "+" row per object.
        common = {"history_date": history_date, "history_change_reason": HISTORY_REASON,
                  "history_type": "+", "history_user_id": None}
        writers.customer_history.write(customers, **common)
        writers.contact_history.write(contacts, **common)
    return len(customers), len(contacts)


def _next_pk(model):
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def analyze():
    """Fresh planner statistics after a bulk load (SQLite's sqlite_stat1, PostgreSQL's
    pg_statistic), so the first queries already pick the right indexes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate(*, scale="demo", seed=2026, password="demo12345", with_history=None,
             progress=None) -> DemoOrg:
    """Build the demo company and `SCALES[scale]` customers. The database must be empty."""
    total = SCALES[scale]
    with_history = total <= SCALES["M"] if with_history is None else with_history
    with transaction.atomic():
        org = build_org(password)
        today = timezone.localdate()
        ctx = Context(rng=random.Random(seed), org=org, grades=ensure_grades(), today=today,
                      now=timezone.make_aware(datetime.combine(today, time())),
                      pinyin=PinyinCache())
        tag_ids = [t.pk for t in ensure_tags()]
    factory, writers = CustomerFactory(ctx), Writers()
    first_pk, contact_pk = _next_pk(Customer), _next_pk(Contact)
    history_date = timezone.now()
    done = 0
    while done < total:
        stop = min(done + BATCH, total)
        with transaction.atomic():
            _, contact_count = _insert_batch(factory, writers, done, stop, first_pk + done,
                                             contact_pk, tag_ids, with_history, history_date)
        contact_pk += contact_count
        done = stop
        if progress:
            progress(done, total)
    # Primary keys were given explicitly; PostgreSQL's sequences must continue after them.
    reset = connection.ops.sequence_reset_sql(no_style(), [Customer, Contact])
    if reset:
        with connection.cursor() as cursor:
            for sql in reset:
                cursor.execute(sql)
    analyze()
    return org


def check_sample(size=300, seed=1) -> list[str]:
    """Problems found in a random sample of customers: search keys that differ from what
    `customers.services.fill_search_keys` computes, invalid credit codes or phone numbers.
    Used by the benchmark to prove the fast path writes what the services would."""
    import phonenumbers
    from django.core.exceptions import ValidationError

    from qiao.core.pinyin import pinyin_keys
    from qiao.core.validators import validate_cn_phone, validate_credit_code
    from qiao.customers.services import fill_search_keys

    problems = []
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    for pk in random.Random(seed).sample(ids, min(size, len(ids))):
        stored = Customer.objects.get(pk=pk)
        fresh = Customer.objects.get(pk=pk)
        contact_keys = []
        for contact in fresh.contacts.filter(is_deleted=False):
            contact_keys += [contact.name, *pinyin_keys(contact.name),
                             normalize_phone(contact.mobile)]
        fill_search_keys(fresh, contact_keys)
        for field in ("name_normalized", "name_pinyin", "phone_normalized", "search_text"):
            if getattr(stored, field) != getattr(fresh, field):
                problems.append(f"customer {pk}: {field} {getattr(stored, field)!r} != "
                                f"{getattr(fresh, field)!r}")
        for value, validate in ((stored.credit_code, validate_credit_code),
                                (stored.phone, validate_cn_phone), (stored.fax, validate_cn_phone)):
            try:
                validate(value)
            except ValidationError as exc:
                problems.append(f"customer {pk}: {value!r}: {exc}")
        for mobile in stored.contacts.values_list("mobile", flat=True):
            if not phonenumbers.is_valid_number(phonenumbers.parse(mobile, "CN")):
                problems.append(f"customer {pk}: contact mobile {mobile!r} invalid")
    return problems
