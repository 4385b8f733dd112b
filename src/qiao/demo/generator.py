"""Deterministic demo and benchmark data: one seed, one scale, bulk inserts.

Scales: demo ≈ 3,000 customers (what `make demo` loads), S ≈ 10k, M ≈ 100k, L ≈ 1M. The same
seed always gives the same company, people and customers.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from qiao.core.pinyin import pinyin_keys
from qiao.customers.models import Contact, Customer, CustomerEvent, Grade, Tag
from qiao.customers.services import fill_search_keys

from . import names
from .org import DemoOrg, build_org

SCALES = {"demo": 3_000, "S": 10_000, "M": 100_000, "L": 1_000_000}
BATCH = 5_000
GRADES = [("1", "一级", "核心客户，每周拜访"), ("2", "二级", "重要客户，每两周拜访"),
          ("3", "三级", "骨干客户，每月拜访"), ("4", "四级", "一般客户，每两月拜访"),
          ("5", "五级", "普通客户，每季度拜访")]
STATUS_WEIGHTS = [(Customer.Status.PROSPECT, 15), (Customer.Status.ONBOARDED, 10),
                  (Customer.Status.ACTIVE, 55), (Customer.Status.SUSPENDED, 8),
                  (Customer.Status.OFFBOARDED, 12)]
GRADE_WEIGHTS = [5, 15, 30, 30, 20]
CATEGORY_WEIGHTS = [(Customer.Category.BIG, 3), (Customer.Category.KEY, 12),
                    (Customer.Category.ORDINARY, 85)]


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


@dataclass
class Context:
    rng: random.Random
    org: DemoOrg
    grades: list
    today: date


class CustomerFactory:
    """Makes unsaved customers with their contacts, deterministic for the rng."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.managers = ctx.org.account_managers
        self.region_of = {r.name: r for r in ctx.org.regions}

    def person(self):
        rng = self.ctx.rng
        given = "".join(rng.choice(names.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        return rng.choice(names.SURNAMES) + given

    def mobile(self):
        rng = self.ctx.rng
        return rng.choice(names.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def landline(self, area):
        rng = self.ctx.rng
        digits = 8 if len(area) == 3 else rng.choice((7, 8))
        return f"{area}-{rng.randint(2, 8)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"

    def customer(self, serial: int):
        rng, today = self.ctx.rng, self.ctx.today
        owner = self.managers[serial % len(self.managers)] if rng.random() > 0.03 else None
        region = self.ctx.org.regions[(serial % len(self.managers)) // 4]
        city, district, division, area = rng.choice(names.PLACES[region.name])
        individual = rng.random() < 0.15
        industry = "retail" if individual else rng.choice(list(names.TRADES))
        boss = self.person()
        if individual:
            name = f"{city[-3:-1] if city.endswith('市') else city[:2]}{boss}{rng.choice(names.INDIVIDUAL_SHOPS)}"
        else:
            brand = "".join(rng.sample(names.BRAND_CHARS, 2))
            name = f"{city[:2]}{brand}{rng.choice(names.TRADES[industry])}{rng.choice(names.LEGAL_FORMS)}"
        name = f"{name}" if serial % 997 else f"{name}（{district}）"
        created = timezone.now() - timedelta(days=rng.randint(0, 3 * 365), minutes=rng.randint(0, 1440))
        status = weighted(rng, STATUS_WEIGHTS)
        peak = sorted(rng.sample(range(1, 13), 3))
        customer = Customer(
            kind=Customer.Kind.INDIVIDUAL if individual else Customer.Kind.ENTERPRISE,
            name=name[:120], short_name=name[2:6] if not individual else "",
            credit_code=credit_code(serial, division, individual) if rng.random() > 0.05 else "",
            licence_no=f"{division}{rng.randrange(10**9):09d}",
            licence_expiry=today + timedelta(days=rng.randint(-60, 5 * 365)),
            legal_representative=boss,
            address=f"{city}{district}{rng.choice(names.STREETS)}{rng.randint(1, 999)}号"
                    f"{rng.choice(names.BUILDINGS)}",
            district=f"{city}{district}", region=region,
            phone=self.landline(area) if rng.random() < 0.6 else self.mobile(),
            fax=self.landline(area) if rng.random() < 0.3 else "",
            industry=industry,
            nature=Customer.Nature.INDIVIDUAL if individual else rng.choice(
                [n for n in Customer.Nature.values if n != "individual"]),
            staff_count=rng.randint(2, 30) if individual else rng.randint(10, 2000),
            business_mode=rng.choice(Customer.BusinessMode.values),
            business_status=rng.choice(Customer.BusinessStatus.values),
            peer_position=rng.choice(Customer.PeerPosition.values),
            peak_months=peak, off_months=sorted(rng.sample([m for m in range(1, 13) if m not in peak], 2)),
            main_products="、".join(rng.sample(names.PRODUCTS, 2)),
            bank=rng.choice(names.BANKS), bank_account=f"62{rng.randrange(10**17):017d}",
            start_date=(created - timedelta(days=rng.randint(0, 1500))).date(),
            source=rng.choice(Customer.Source.values),
            owner=owner, owner_unit_id=owner.unit_id if owner else region.pk,
            grade=rng.choices(self.ctx.grades, GRADE_WEIGHTS)[0],
            category=weighted(rng, CATEGORY_WEIGHTS),
            status=status, status_changed_at=created + timedelta(days=rng.randint(0, 30)),
            onboarded_on=(created + timedelta(days=rng.randint(1, 60))).date()
            if status != Customer.Status.PROSPECT else None,
            offboarded_on=today - timedelta(days=rng.randint(1, 300))
            if status == Customer.Status.OFFBOARDED else None,
            created_by=owner, created_at=created,
            updated_at=created + timedelta(days=rng.randint(0, 200)),
        )
        if customer.updated_at > timezone.now():
            customer.updated_at = timezone.now() - timedelta(minutes=rng.randint(1, 10_000))
        contacts = [self.contact(customer, boss if i == 0 else self.person(), i)
                    for i in range(rng.choice((1, 1, 2, 2, 3)))]
        return customer, contacts

    def contact(self, customer, name, index):
        rng = self.ctx.rng
        key = index == 0
        return Contact(
            name=name, employer=customer.name, title=names.TITLES[0] if key else rng.choice(names.TITLES[1:]),
            is_key_person=key, has_decision_power=key or rng.random() < 0.2,
            mobile=self.mobile(), email=f"{pinyin_keys(name)[0]}{rng.randint(1, 99)}@example.cn",
            birthday=date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28)),
            education=rng.choice(Contact.Education.values), character=rng.choice(names.CHARACTERS),
            hobbies="、".join(rng.sample(names.HOBBIES, 2)),
            background="从事本行业多年，熟悉当地市场。" if key else "",
            private_info=f"家住{customer.district}，育有{rng.randint(1, 2)}个孩子。" if key else "",
            created_at=customer.created_at, updated_at=customer.created_at,
        )


def _insert_batch(factory, start, stop, tags, with_history):
    pairs = [factory.customer(serial) for serial in range(start, stop)]
    for customer, contacts in pairs:
        contact_names = []
        for c in contacts:
            contact_names += [c.name, *pinyin_keys(c.name), c.mobile]
        fill_search_keys(customer, contact_names)
    customers = Customer.objects.bulk_create([c for c, _ in pairs])
    contacts = []
    for customer, cs in pairs:
        for c in cs:
            c.customer = customer
            contacts.append(c)
    Contact.objects.bulk_create(contacts)
    rng = factory.ctx.rng
    Through = Customer.tags.through
    Through.objects.bulk_create([
        Through(customer_id=c.pk, tag_id=t.pk)
        for c in customers for t in rng.sample(tags, rng.choice((0, 1, 1, 2)))])
    CustomerEvent.objects.bulk_create([
        CustomerEvent(customer=c, kind="created", message="建档（初始数据导入）",
                      actor=c.created_by, occurred_at=c.created_at) for c in customers])
    if with_history:
        Customer.history.bulk_history_create(customers, default_change_reason="初始数据导入",
                                             default_date=timezone.now())
        Contact.history.bulk_history_create(contacts, default_change_reason="初始数据导入",
                                            default_date=timezone.now())
    return len(customers)


def generate(*, scale="demo", seed=2026, password="demo12345", with_history=None,
             progress=None) -> DemoOrg:
    """Build the demo company and `SCALES[scale]` customers. The database must be empty."""
    total = SCALES[scale]
    with_history = total <= SCALES["M"] if with_history is None else with_history
    with transaction.atomic():
        org = build_org(password)
        ctx = Context(rng=random.Random(seed), org=org, grades=ensure_grades(),
                      today=timezone.localdate())
        tags = ensure_tags()
    factory = CustomerFactory(ctx)
    done = 0
    while done < total:
        with transaction.atomic():
            done += _insert_batch(factory, done, min(done + BATCH, total), tags, with_history)
        if progress:
            progress(done, total)
    return org
