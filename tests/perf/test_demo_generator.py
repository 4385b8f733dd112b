"""The demo and benchmark generator (qiao.demo.generator): what `make demo` shows and `make bench`
measures must be data the application itself could have written — valid ID numbers, a last
activity that is the latest timeline event, secret levels and a public pool in every region —
and the same data for the same seed."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils import timezone

from qiao.core.validators import validate_id_number
from qiao.customers import reminders
from qiao.customers.models import Attachment, Customer, CustomerEvent
from qiao.customers.services import follow_up_kinds
from qiao.demo import generator, names
from qiao.org.models import OrgUnit
from tests.perf.bench import query_differences

pytestmark = pytest.mark.django_db

SIZE = 400


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setitem(generator.SCALES, "demo", SIZE)
    return generator.generate(scale="demo", seed=11, password="x")


def test_customers_are_what_the_services_would_write(demo):
    assert Customer.objects.count() == SIZE
    assert generator.check_sample(size=SIZE) == []  # search keys, codes, phones, last activity


def test_id_numbers_are_valid_for_individuals_and_some_legal_representatives(demo):
    customers = Customer.objects.all()
    for number in customers.exclude(id_number="").values_list("id_number", flat=True):
        validate_id_number(number)
    assert not customers.filter(kind=Customer.Kind.INDIVIDUAL, id_number="").exists()
    enterprises = customers.filter(kind=Customer.Kind.ENTERPRISE)
    with_id = enterprises.exclude(id_number="").count()
    assert 0.15 * enterprises.count() < with_id < 0.5 * enterprises.count()


def test_birthplace_codes_are_valid_in_the_birth_year():
    # 浦东新区 (310115) exists since 1992: someone born in 1970 gets another Shanghai code.
    prefixes = ("3101",)
    assert "310115" not in generator.birthplaces(prefixes, 1970)
    assert "310115" in generator.birthplaces(prefixes, 1995)
    rng = random.Random(3)
    for year in range(1960, 2002):
        number = generator.resident_id(rng, timezone.localdate().replace(year=year, day=1),
                                       "310115", prefixes)
        validate_id_number(number)


def test_secret_levels_are_spread_mostly_internal(demo):
    levels = Counter(Customer.objects.values_list("secret_level", flat=True))
    assert set(levels) == {0, 1, 2, 3}
    assert levels[1] > 0.7 * SIZE and levels[0] > levels[2] > levels[3]
    attachments = Attachment.objects.all()
    assert attachments.exists()
    kinds = {name: level for name, _type, _description, level, _weight in names.ATTACHMENTS}
    for attachment in attachments:
        assert attachment.secret_level == kinds[attachment.original_name]
        assert default_storage.exists(attachment.file.name)
        assert attachment.file.size == attachment.size
    # The timeline names a file only to those cleared for it: its event is as classified.
    events = CustomerEvent.objects.filter(kind="attachment_added")
    assert events.count() == attachments.count()
    for message, level in events.values_list("message", "secret_level"):
        assert level == kinds[message.removeprefix("上传附件：")]
    assert set(CustomerEvent.objects.exclude(kind="attachment_added")
               .values_list("secret_level", flat=True)) == {0}


def test_classified_customers_are_kept_by_someone_cleared_for_them(demo):
    assert not reminders.clearance_mismatches().exists()
    owners = Counter(Customer.objects.filter(secret_level=3, owner__isnull=False)
                     .values_list("owner__username", flat=True))
    assert set(owners) == {"deptmgr"}  # 机密: the department manager, not an account manager
    confidential = set(Customer.objects.filter(secret_level=2, owner__isnull=False)
                       .values_list("owner__username", flat=True))
    assert confidential and all(name.startswith(("sup", "region")) for name in confidential)
    assert Customer.objects.filter(owner__username="am01", secret_level__lte=1).exists()


def test_last_activity_is_the_latest_follow_up_and_some_customers_are_idle(demo):
    latest = dict(CustomerEvent.objects.filter(kind__in=follow_up_kinds())
                  .values_list("customer").annotate(m=Max("occurred_at")))
    for pk, last_activity in Customer.objects.values_list("pk", "last_activity_at"):
        assert last_activity == latest[pk]
    cutoff = timezone.now() - timedelta(days=90)
    owned = Customer.objects.filter(owner__isnull=False)
    idle = owned.filter(last_activity_at__lt=cutoff).count()
    assert 0.03 * owned.count() < idle < 0.25 * owned.count()
    offboarded = Customer.objects.filter(status=Customer.Status.OFFBOARDED)
    for c in offboarded:
        assert c.onboarded_on <= c.offboarded_on == timezone.localdate(c.last_activity_at)


@pytest.mark.parametrize("size", [40, SIZE])
def test_every_region_has_pool_customers_at_every_scale(monkeypatch, size):
    monkeypatch.setitem(generator.SCALES, "demo", size)
    generator.generate(scale="demo", seed=5, password="x")
    for region in OrgUnit.objects.filter(kind=OrgUnit.Kind.REGION):
        pool = Customer.objects.in_pool().filter(region=region)
        assert pool.count() >= 3, region.name
        assert set(pool.values_list("owner_unit", flat=True)) == {region.pk}


def test_same_seed_same_customers(demo):
    today, now = timezone.localdate(), timezone.now()  # the generator counts back from these

    def rows(seed):
        ctx = generator.Context(rng=random.Random(seed), org=demo, grades=generator.ensure_grades(),
                                today=today, now=now, pinyin=generator.PinyinCache())
        factory = generator.CustomerFactory(ctx)
        return [factory.customer(serial, serial + 1, serial * 3, serial * 2) for serial in range(60)]

    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_ids_continue_after_a_load(demo):
    # Primary keys are written explicitly; PostgreSQL's sequences must follow them.
    customer = Customer.objects.first()
    attachment = Attachment.objects.create(customer=customer, file="demo/licence.pdf",
                                           original_name="x.pdf", content_type="application/pdf",
                                           size=1)
    assert attachment.pk > Attachment.objects.exclude(pk=attachment.pk).aggregate(m=Max("pk"))["m"]
    assert Customer.objects.create(name="新客户").pk > SIZE


def test_bench_flags_query_counts_that_differ_between_scales():
    def report(scale, database, list_queries):
        return {"scale": scale, "database": database, "cases": [
            {"case": "list", "user": "am01", "queries": list_queries},
            {"case": "detail", "user": "am01", "queries": 12},
        ]}

    same = {"S sqlite": report("S", "sqlite", 7), "L postgres": report("L", "postgres", 7)}
    assert query_differences(same) == []
    differ = {**same, "M sqlite": report("M", "sqlite", 8)}
    assert query_differences(differ) == ["list/am01: S sqlite 7, L postgres 7, M sqlite 8"]
