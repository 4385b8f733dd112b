"""Deterministic demo and benchmark data: one seed, one scale, bulk inserts.

Scales: demo ≈ 3,000 customers (what `make demo` loads), S ≈ 10k, M ≈ 100k, L ≈ 1M. The same
seed on the same day always gives the same company, people and customers (dates are counted
back from today's midnight).

What a customer gets: a secret level (10 % public, 80 % internal, 7 % confidential, 3 % secret;
a classified one is kept by the first supervisor up its manager's line cleared for it);
a valid resident ID number (stdnum.cn.ric: birthplace code valid in the birth year, birth date,
check character) for every individual customer and for about a third of the enterprises'
legal representatives; a timeline of its creation, its last follow-up (a visit, a call…; for an
offboarded customer the visit that settled it, and the offboarding), and the upload of any attachments (one customer in five has one or two; each kind
of file has its own secret level), with `last_activity_at` the time of its latest follow-up
(the timeline kinds registered as follow-ups: its creation or the follow-up). Follow-ups are recent for
most customers, but about one in ten has had none for more than 90 days (the public pool's
reclaim rule finds work). About 3 % of the customers are in the public pool (no owner, owned by
their region), and the first 36 serials put three there in every region at every scale.

Built for speed (scale M: about a minute of CPU, 0.7–1 ms per customer with its contacts,
tags, events, attachments and history rows; it was 2–5 ms through bulk_create; scale L loads in
about 17 minutes on PostgreSQL — docs/benchmarks.md): each customer is made once as a dict of
column values — no model instances — and its rows (customer, contacts, attachments, tags,
timeline events and the initial history rows) are written with one `executemany` per
table and batch (COPY on PostgreSQL), converting only dates and JSON. Pinyin is looked up per
word of pypinyin's own segmentation and cached, so the search keys are exactly what
`customers.services.search_keys` computes, at a fraction of the cost; `check_sample`
(run by the benchmark) recomputes a sample the slow way to prove it.
"""

import hashlib
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, partial
from itertools import chain

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from qiao.core.models import Clearance
from qiao.customers.models import Attachment, Contact, Customer, CustomerEvent, Grade, Tag
from qiao.customers.services import contact_search_keys, follow_up_kinds, search_keys

from . import names
from .org import DemoOrg, build_org

# Bump when the data a given seed produces changes (the benchmark regenerates its database).
GENERATOR_VERSION = 6
SCALES = {"demo": 3_000, "S": 10_000, "M": 100_000, "L": 1_000_000}
BATCH = 10_000
GRADES = [("1", "一级", "核心客户，每周拜访"), ("2", "二级", "重要客户，每两周拜访"),
          ("3", "三级", "骨干客户，每月拜访"), ("4", "四级", "一般客户，每两月拜访"),
          ("5", "五级", "普通客户，每季度拜访")]
STATUS_WEIGHTS = [("prospect", 15), ("onboarded", 10), ("active", 55), ("suspended", 8),
                  ("offboarded", 12)]
GRADE_WEIGHTS = [5, 15, 30, 30, 20]
CATEGORY_WEIGHTS = [("big", 3), ("key", 12), ("ordinary", 85)]
SECRET_LEVELS = [int(level) for level in Clearance.values]  # 0 public … 3 secret
SECRET_WEIGHTS = [10, 80, 7, 3]
POOL_SHARE = 0.03
# Days since the last follow-up of a live customer: (share, fewest, most). About one in ten
# beyond the reclaim rule's default 90 days.
IDLE_DAYS = [(0.62, 0, 30), (0.28, 31, 90), (0.10, 91, 540)]
ATTACHMENT_SHARE = 0.2
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
STATUS_LABELS = {"onboarded": "入网", "active": "活跃", "suspended": "暂停"}
FOLLOW_UP_LABELS = {"visit": "拜访", "phone": "电话", "message": "微信或短信"}
HISTORY_REASON = "初始数据导入"


def _png(grey: int) -> bytes:
    """A one-pixel grey PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, grey]))) + chunk(b"IEND", b""))


def _pdf(title: str) -> bytes:
    """A one-page PDF saying `title` (ASCII)."""
    text = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


# The files behind the demo's attachments (names.ATTACHMENTS), stored once and shared by
# every attachment of that kind: a million customers need no million files.
_SAMPLE_CONTENT = {
    "营业执照副本.pdf": ("demo/licence.pdf", _pdf("Business licence (Qiao demo)")),
    "门店照片.png": ("demo/shop-front.png", _png(160)),
    "年度购销合同.pdf": ("demo/contract.pdf", _pdf("Purchase contract (Qiao demo)")),
    "法定代表人身份证复印件.png": ("demo/id-card-copy.png", _png(200)),
}
# name: (path, size, SHA-256), as core.files.store records an uploaded file.
SAMPLE_FILES = {name: (path, len(content), hashlib.sha256(content).hexdigest())
                for name, (path, content) in _SAMPLE_CONTENT.items()}


def ensure_sample_files():
    for path, content in _SAMPLE_CONTENT.values():
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(content))


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


@cache
def birthplaces(prefixes: tuple[str, ...], year: int) -> tuple[str, ...]:
    """Address codes of the counties under `prefixes` (4-digit city codes) that stdnum.cn.ric
    accepts for a person born in `year` (codes come and go: 浦东新区 exists since 1992)."""
    codes = []
    for prefix in prefixes:
        for n in range(1, 35):
            code = f"{prefix}{n:02d}"
            try:
                ric.get_birth_place(f"{code}{year}01010000")
            # KeyError: python-stdnum fails so on a code it knows the province of only
            except (StdnumError, KeyError):
                continue
            codes.append(code)
    return tuple(codes) or ("110101",)  # 北京市东城区, valid in every year


def resident_id(rng, born: date, division: str, prefixes: tuple[str, ...]) -> str:
    """A valid 18-character resident ID number: born in the customer's district when that
    code existed in the birth year, else elsewhere in the region."""
    places = birthplaces(prefixes, born.year)
    code = division if division in places and rng.random() < 0.6 else rng.choice(places)
    body = f"{code}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


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


def keeper_for(manager, level):
    """`manager`, or the first one up their supervisor chain cleared for `level`."""
    person = manager
    while person.clearance < level and person.supervisor is not None:
        person = person.supervisor
    return person


class CustomerFactory:
    """Makes a customer and its contacts as dicts of column values (attnames), deterministic
    for the rng. Search keys come from `customers.services.search_keys`, pinyin memoised."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.managers = ctx.org.account_managers
        # (manager, secret level) → who keeps such a customer: the manager when cleared for
        # it, else the nearest supervisor up the line who is (主管 for 秘密, the department
        # manager for 机密).
        self.keepers = {(manager.pk, level): keeper_for(manager, level)
                        for manager in self.managers for level in SECRET_LEVELS}
        self.grade_ids = [g.pk for g in ctx.grades]
        self.follow_up_kinds = set(follow_up_kinds())
        self.trades = list(names.TRADES)
        self.id_prefixes = {region: tuple(sorted({p[2][:4] for p in places}))
                            for region, places in names.PLACES.items()}
        self.attachment_kinds = [kind[:4] for kind in names.ATTACHMENTS]
        self.attachment_weights = [kind[4] for kind in names.ATTACHMENTS]

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

    def last_follow_up(self, created: datetime) -> datetime:
        """When the customer was last followed up (a visit, a call…): recent for most."""
        rng = self.ctx.rng
        pick, days = rng.random(), 0
        for share, fewest, most in IDLE_DAYS:
            if pick < share:
                days = rng.randint(fewest, most)
                break
            pick -= share
        return max(created, self.ctx.now - timedelta(days=days, minutes=rng.randint(1, 600)))

    def customer(self, serial: int, pk: int, next_contact_pk: int, next_attachment_pk: int):
        """(customer row, contact rows, event rows, attachment rows) for customer number
        `serial`, saved as `pk`."""
        ctx = self.ctx
        rng, today, now = ctx.rng, ctx.today, ctx.now
        manager = self.managers[serial % len(self.managers)]
        # Three pool customers per region whatever the scale (serials 0, 4, … 32 fall in the
        # regions in turn), and a random 3 %.
        pooled = rng.random() < POOL_SHARE or (serial < 36 and serial % 4 == 0)
        owner = None if pooled else manager
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
        status = weighted(rng, STATUS_WEIGHTS)
        onboarded = (created + min(timedelta(days=rng.randint(1, 60)), (now - created) / 2)
                     if status != PROSPECT else None)
        # The last change: the last follow-up, or the offboarding of an offboarded customer;
        # none later than an hour after creation: as it was created.
        updated = self.last_follow_up(created)
        if status == OFFBOARDED:
            if updated <= onboarded:
                updated = onboarded + (now - onboarded) * rng.random()
        elif updated < created + timedelta(hours=1):
            updated = created
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
            "status_changed_at": updated if status == OFFBOARDED
            else min(created + timedelta(days=rng.randint(0, 30)), updated),
            "onboarded_on": timezone.localdate(onboarded) if onboarded else None,
            "offboarded_on": timezone.localdate(updated) if status == OFFBOARDED else None,
            "created_by_id": owner_id,
            "secret_level": rng.choices(SECRET_LEVELS, SECRET_WEIGHTS)[0],
            # Of the proprietor of an individual business, of some legal representatives
            "id_number": self.id_number(region.name, division)
            if individual or rng.random() < 0.3 else "",
        }
        if owner is not None:
            # A classified customer is kept by someone cleared for it (ORG-5), not by an
            # account manager who could not open it.
            keeper = self.keepers[owner.pk, row["secret_level"]]
            row["owner_id"] = row["created_by_id"] = owner_id = keeper.pk
            row["owner_unit_id"] = keeper.unit_id
        events = self.timeline(row, before=weighted(rng, STATUS_WEIGHTS[1:4]))
        attachments = self.attachments(row, next_attachment_pk) \
            if rng.random() < ATTACHMENT_SHARE else []
        # An attachment's event names the file: as classified as the file (customers.services).
        events += [{"customer_id": pk, "actor_id": owner_id, "occurred_at": a["created_at"],
                    "kind": "attachment_added", "message": f"上传附件：{a['original_name']}",
                    "params": {"name": a["original_name"]}, "owner_id": row["owner_id"],
                    "owner_unit_id": row["owner_unit_id"], "secret_level": a["secret_level"]}
                   for a in attachments]
        row["last_activity_at"] = max(e["occurred_at"] for e in events
                                      if e["kind"] in self.follow_up_kinds)
        contacts = []
        for index in range(rng.choice((1, 1, 2, 2, 3))):
            contact = self.contact(row, boss if index == 0 else self.person(), index)
            contact["id"] = next_contact_pk + index
            contacts.append(contact)
        # Contact names in Contact.Meta.ordering (key person first, then by name), as the
        # services list them when they refresh the search text.
        contact_keys = []
        for contact in sorted(contacts, key=lambda c: (not c["is_key_person"], c["name"])):
            contact_keys += contact_search_keys(contact["name"], contact["mobile"],
                                                pinyin=self.ctx.pinyin.person)
        row.update(search_keys(name=row["name"], short_name=row["short_name"], phone=row["phone"],
                               credit_code=row["credit_code"], contact_keys=contact_keys,
                               pinyin=self.ctx.pinyin.keys))
        return row, contacts, events, attachments

    def id_number(self, region_name, division):
        rng = self.ctx.rng
        born = date(self.ctx.today.year - rng.randint(25, 62), rng.randint(1, 12),
                    rng.randint(1, 28))
        return resident_id(rng, born, division, self.id_prefixes[region_name])

    def timeline(self, row, before):
        """The customer's events: created, then its last follow-up — for an offboarded customer
        the visit that settled the offboarding from status `before` (a code), and the
        offboarding. The message as written is the Chinese text the services would write."""
        events = [("created", {}, "建档（初始数据导入）", row["created_at"])]
        if row["updated_at"] > row["created_at"]:
            if row["status"] == OFFBOARDED:
                events += [self.follow_up(names.OFFBOARDING_VISIT, row["updated_at"]),
                           ("status", {"old": before, "new": OFFBOARDED, "note": ""},
                            f"状态 {STATUS_LABELS[before]} → 退网", row["updated_at"])]
            else:
                events.append(self.follow_up(self.ctx.rng.choice(names.FOLLOW_UPS),
                                             row["updated_at"]))
        return [{"customer_id": row["id"], "actor_id": row["owner_id"], "occurred_at": when,
                 "kind": kind, "params": params, "message": message,
                 "owner_id": row["owner_id"], "owner_unit_id": row["owner_unit_id"]}
                for kind, params, message, when in events]

    @staticmethod
    def follow_up(channel_note, when):
        channel, note = channel_note
        return ("follow_up", {"channel": channel, "note": note},
                f"{FOLLOW_UP_LABELS[channel]}：{note}", when)

    def attachments(self, row, next_pk):
        """One or two files uploaded with the customer's record (the shared sample files of
        `ensure_sample_files`), each kind of file at its own secret level."""
        rng, uploaded = self.ctx.rng, row["created_at"]
        kinds = rng.choices(self.attachment_kinds, self.attachment_weights, k=rng.choice((1, 1, 2)))
        rows = []
        for index, (name, content_type, description, level) in enumerate(dict.fromkeys(kinds)):
            uploaded = min(uploaded + timedelta(minutes=rng.randint(1, 30)),
                           self.ctx.now - timedelta(seconds=1))
            path, size, sha256 = SAMPLE_FILES[name]
            rows.append({"id": next_pk + index, "customer_id": row["id"], "file": path,
                         "original_name": name, "content_type": content_type, "size": size,
                         "sha256": sha256, "description": description, "secret_level": level,
                         "uploaded_by_id": row["owner_id"], "uploaded_at": uploaded,
                         "created_at": uploaded, "updated_at": uploaded})
        return rows

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
          "FileField", "ForeignKey", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
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
        self.attachment = RowWriter(Attachment)
        self.attachment_history = RowWriter(Attachment.history.model, skip=history_fields)


def _insert_batch(factory, writers, start, stop, first_pk, first_contact_pk,
                  first_attachment_pk, tag_ids, with_history, history_date):
    """Customers `start`…`stop - 1` with their rows; (contacts, attachments) written."""
    rng = factory.ctx.rng
    customers, contacts, events, attachments = [], [], [], []
    for offset, serial in enumerate(range(start, stop)):
        row, cs, es, atts = factory.customer(serial, first_pk + offset,
                                             first_contact_pk + len(contacts),
                                             first_attachment_pk + len(attachments))
        customers.append(row)
        contacts += cs
        events += es
        attachments += atts
    writers.customer.write(customers)
    writers.contact.write(contacts)
    writers.attachment.write(attachments)
    writers.tag.write([{"customer_id": c["id"], "tag_id": t}
                       for c in customers for t in rng.sample(tag_ids, rng.choice((0, 1, 1, 2)))])
    writers.event.write(events, data={})
    if with_history:
        # What simple_history's bulk_history_create writes: one "+" row per object.
        common = {"history_date": history_date, "history_change_reason": HISTORY_REASON,
                  "history_type": "+", "history_user_id": None}
        writers.customer_history.write(customers, **common)
        writers.contact_history.write(contacts, **common)
        writers.attachment_history.write(attachments, **common)
    return len(contacts), len(attachments)


def _next_pk(model):
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def analyze():
    """Fresh planner statistics after a bulk load (SQLite's sqlite_stat1, PostgreSQL's
    pg_statistic), so the first queries already pick the right indexes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate(*, scale="demo", seed=2026, password="demo-12345", with_history=None,
             progress=None, must_change_password=False) -> DemoOrg:
    """Build the demo company and `SCALES[scale]` customers. The database must be empty.
    `must_change_password`: the users choose their own password at their first login."""
    total = SCALES[scale]
    with_history = total <= SCALES["M"] if with_history is None else with_history
    with transaction.atomic():
        org = build_org(password, must_change_password=must_change_password)
        today = timezone.localdate()
        ctx = Context(rng=random.Random(seed), org=org, grades=ensure_grades(), today=today,
                      now=timezone.make_aware(datetime.combine(today, time())),
                      pinyin=PinyinCache())
        tag_ids = [t.pk for t in ensure_tags()]
    ensure_sample_files()
    factory, writers = CustomerFactory(ctx), Writers()
    first_pk, contact_pk = _next_pk(Customer), _next_pk(Contact)
    attachment_pk = _next_pk(Attachment)
    history_date = timezone.now()
    done = 0
    while done < total:
        stop = min(done + BATCH, total)
        with transaction.atomic():
            contact_count, attachment_count = _insert_batch(
                factory, writers, done, stop, first_pk + done, contact_pk, attachment_pk,
                tag_ids, with_history, history_date)
        contact_pk += contact_count
        attachment_pk += attachment_count
        done = stop
        if progress:
            progress(done, total)
    # Primary keys were given explicitly; PostgreSQL's sequences must continue after them.
    reset = connection.ops.sequence_reset_sql(no_style(), [Customer, Contact, Attachment])
    if reset:
        with connection.cursor() as cursor:
            for sql in reset:
                cursor.execute(sql)
    analyze()
    return org


def summary() -> list[str]:
    """What was loaded, in a few lines (counts the demo's reader can check)."""
    from django.db.models import Count, Q

    from qiao.org.models import OrgUnit

    idle_since = timezone.now() - timedelta(days=90)
    customers = Customer.objects.alive()
    levels = dict(customers.values_list("secret_level").annotate(n=Count("id")))
    pool = dict(customers.in_pool().values_list("owner_unit").annotate(n=Count("id")))
    regions = OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION).order_by("sort_order")
    counts = customers.aggregate(
        total=Count("id"), with_id=Count("id", filter=~Q(id_number="")),
        idle=Count("id", filter=Q(owner__isnull=False, last_activity_at__lt=idle_since)))
    attachments = dict(Attachment.objects.values_list("secret_level").annotate(n=Count("id")))
    return [
        f"{counts['total']:,} customers; secret levels "
        + ", ".join(f"{Clearance(level).name.lower()} {levels.get(level, 0):,}"
                    for level in SECRET_LEVELS),
        f"{counts['with_id']:,} with an ID number; {counts['idle']:,} owned and idle for more "
        "than 90 days",
        "public pool: " + ", ".join(f"{r.name} {pool.get(r.pk, 0):,}" for r in regions),
        f"{Contact.objects.count():,} contacts, {CustomerEvent.objects.count():,} timeline "
        f"events, {sum(attachments.values()):,} attachments ("
        + ", ".join(f"{Clearance(level).name.lower()} {attachments.get(level, 0):,}"
                    for level in SECRET_LEVELS) + ")",
    ]


def check_sample(size=300, seed=1) -> list[str]:
    """Problems found in a random sample of customers: search keys that differ from what
    `customers.services.fill_search_keys` computes, invalid credit codes, ID or phone numbers,
    a last activity that is not the latest follow-up. Used by the benchmark (and the tests) to
    prove the fast path writes what the services would."""
    import phonenumbers
    from django.core.exceptions import ValidationError
    from django.db.models import Max

    from qiao.core.validators import validate_cn_phone, validate_credit_code, validate_id_number
    from qiao.customers.services import contact_search_keys, fill_search_keys

    problems = []
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    for pk in random.Random(seed).sample(ids, min(size, len(ids))):
        stored = Customer.objects.get(pk=pk)
        fresh = Customer.objects.get(pk=pk)
        contact_keys = []
        for contact in fresh.contacts.filter(is_deleted=False):
            contact_keys += contact_search_keys(contact.name, contact.mobile)
        fill_search_keys(fresh, contact_keys)
        for field in ("name_normalized", "name_pinyin", "phone_normalized", "search_text"):
            if getattr(stored, field) != getattr(fresh, field):
                problems.append(f"customer {pk}: {field} {getattr(stored, field)!r} != "
                                f"{getattr(fresh, field)!r}")
        latest = stored.events.filter(kind__in=follow_up_kinds()).aggregate(
            latest=Max("occurred_at"))["latest"]
        if stored.last_activity_at != latest:
            problems.append(f"customer {pk}: last activity {stored.last_activity_at} != "
                            f"latest follow-up {latest}")
        for value, validate in ((stored.credit_code, validate_credit_code),
                                (stored.id_number, validate_id_number),
                                (stored.phone, validate_cn_phone), (stored.fax, validate_cn_phone)):
            try:
                validate(value)
            except ValidationError as exc:
                problems.append(f"customer {pk}: {value!r}: {exc}")
        for mobile in stored.contacts.values_list("mobile", flat=True):
            if not phonenumbers.is_valid_number(phonenumbers.parse(mobile, "CN")):
                problems.append(f"customer {pk}: contact mobile {mobile!r} invalid")
    return problems
