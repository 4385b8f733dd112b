"""The public pool (公海, SPEC CUS-11): who sees which pool, claims within the daily and total
limits, releases with a reason, the reclaim rule, and the timeline's last follow-up."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from qiao.audit import services as audit_services
from qiao.core.models import Clearance
from qiao.core.registry import timeline_kinds
from qiao.customers import selectors, services
from qiao.customers.models import Customer, CustomerEvent, PoolMove, PoolRule
from qiao.customers.services import ClaimLimitReached, NotInPool

from ..factories import make_contact, make_customer
from .timeline_examples import EXAMPLES

EAST, NORTH, SOUTH = "华东区", "华北区", "华南区"


def region(personas, name):
    return next(r for r in personas.org.regions if r.name == name)


def pool_customer(personas, name=EAST):
    return personas.customers[f"pool:{name}"][0]


def add_pool_customers(personas, region_name, count, **fields):
    return [make_customer(None, actor=personas["director"], region=region(personas, region_name),
                          **fields) for _ in range(count)]


def in_every_language(message: str, **params) -> set[str]:
    """The message as the user reads it, whichever language their page is in (new strings
    are in the Chinese catalogue only once the PO fragments are merged)."""
    texts = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.add(translation.gettext(message) % params if params
                      else translation.gettext(message))
    return texts


def fresh(customer):
    return Customer._base_manager.get(pk=customer.pk)


# --- who works in which pool -------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "pools"), [
    ("am01", {EAST}), ("am03", {EAST}), ("sup1", {EAST}), ("region1", {EAST}),
    ("deptmgr", {EAST, NORTH, SOUTH}), ("director", {EAST, NORTH, SOUTH}),
    ("agent01", set()), ("qa01", set()), ("admin", set()), ("leaver", set()),
])
def test_each_persona_sees_the_pool_of_the_regions_they_work_in(personas, persona, pools):
    expected = {pool_customer(personas, name).pk for name in pools}
    assert set(selectors.pool_customers(personas[persona]).values_list("pk", flat=True)) == expected


def test_a_manager_of_region_2_sees_region_2s_pool(personas):
    assert list(selectors.pool_customers(personas.users["am05"])) == [pool_customer(personas, NORTH)]


def test_the_pool_honours_secret_levels(personas):
    secret = add_pool_customers(personas, EAST, 1)[0]
    Customer.objects.filter(pk=secret.pk).update(secret_level=Clearance.CONFIDENTIAL)
    assert secret.pk not in set(selectors.pool_customers(personas["am01"]).values_list("pk", flat=True))
    assert secret.pk in set(selectors.pool_customers(personas["sup1"]).values_list("pk", flat=True))
    with pytest.raises(Http404):
        selectors.pool_customer_get(personas["am01"], secret.pk)


def test_owned_and_deleted_customers_are_not_in_the_pool(personas):
    am01 = personas["am01"]
    gone = add_pool_customers(personas, EAST, 1)[0]
    services.customer_delete(actor=personas["director"], customer=gone)
    shown = set(selectors.pool_customers(am01).values_list("pk", flat=True))
    assert shown == {pool_customer(personas).pk}


def test_the_pool_is_searchable_like_the_customer_list(personas):
    named = add_pool_customers(personas, EAST, 1, name="公海搜索测试商行")[0]
    am01 = personas["am01"]
    assert list(selectors.pool_customers(am01, "公海搜索")) == [named]
    assert list(selectors.pool_customers(am01, "gonghaisousuo")) == [named]
    assert list(selectors.pool_customers(am01, "不存在的名字")) == []


def test_am01_cannot_see_or_claim_region_2s_pool_customer(personas):
    am01, north = personas["am01"], pool_customer(personas, NORTH)
    with pytest.raises(Http404):
        selectors.pool_customer_get(am01, north.pk)
    with pytest.raises(Http404):
        selectors.pool_claim_get(am01, north.pk)
    with pytest.raises(PermissionDenied):
        services.pool_claim(actor=am01, customer=north)
    assert fresh(north).owner_id is None
    assert not PoolMove.objects.exists()


def test_someone_without_the_claim_right_cannot_claim(personas):
    with pytest.raises(PermissionDenied):
        services.pool_claim(actor=personas["agent01"], customer=pool_customer(personas))
    assert fresh(pool_customer(personas)).owner_id is None


# --- claims -------------------------------------------------------------------------------------

def test_a_claim_makes_the_manager_the_owner_with_history_event_and_move(personas):
    am01, customer = personas["am01"], pool_customer(personas)
    history_before = customer.history.count()
    old = timezone.now() - timedelta(days=200)
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=old)

    claimed = services.pool_claim(actor=am01, customer=customer)

    row = fresh(customer)
    assert (row.owner_id, row.owner_unit_id) == (am01.pk, am01.unit_id)
    assert row.version == customer.version + 1
    assert row.last_activity_at > old  # the new manager gets the whole idle period
    assert claimed.owner_id == am01.pk
    assert customer.history.count() == history_before + 1
    entry = customer.history.first()
    assert (entry.history_type, entry.owner_id, entry.history_user_id) == ("~", am01.pk, am01.pk)
    assert entry.history_change_reason in in_every_language("Claimed from the public pool")
    event = CustomerEvent.objects.filter(customer=customer).latest("id")
    assert (event.kind, event.actor_id) == ("pool_claim", am01.pk)
    move = PoolMove.objects.get()
    assert (move.kind, move.manager_id, move.actor_id, move.customer_id) == (
        PoolMove.Kind.CLAIM, am01.pk, am01.pk, customer.pk)
    assert Customer.objects.visible_to(am01).filter(pk=customer.pk).exists()
    assert not selectors.pool_customers(personas["am02"]).filter(pk=customer.pk).exists()
    assert selectors.pool_claims_today(am01) == 1


def test_a_second_claim_of_a_claimed_customer_is_a_conflict(personas):
    customer = pool_customer(personas)
    services.pool_claim(actor=personas["am01"], customer=customer)
    with pytest.raises(NotInPool) as refused:
        services.pool_claim(actor=personas["am02"], customer=customer)
    assert str(refused.value) in in_every_language("Someone else claimed %s a moment ago.") | {
        text % customer.name for text in in_every_language("Someone else claimed %s a moment ago.")}
    assert fresh(customer).owner_id == personas["am01"].pk
    assert PoolMove.objects.count() == 1


def test_the_daily_claim_limit(personas):
    am01, east = personas["am01"], region(personas, EAST)
    PoolRule.objects.create(region=east, daily_claim_limit=2)
    first, second, third = add_pool_customers(personas, EAST, 3)
    services.pool_claim(actor=am01, customer=first)
    services.pool_claim(actor=am01, customer=second)
    with translation.override("en"), pytest.raises(ClaimLimitReached) as refused:
        services.pool_claim(actor=am01, customer=third)
    assert str(refused.value) == ("You have claimed 2 customers today, the daily limit of 华东区. "
                                  "You can claim again tomorrow.")
    assert fresh(third).owner_id is None
    assert PoolMove.objects.count() == 2
    # A released customer still counts: the limit is on claims made, not on customers kept.
    services.pool_release(actor=am01, customer=fresh(first), reason="客户已转交他人")
    with pytest.raises(ClaimLimitReached):
        services.pool_claim(actor=am01, customer=third)
    # Another manager has a limit of their own.
    services.pool_claim(actor=personas["am02"], customer=third)
    # Tomorrow the count starts again.
    PoolMove.objects.update(occurred_at=timezone.now() - timedelta(days=1))
    assert selectors.pool_claims_today(am01) == 0
    services.pool_claim(actor=am01, customer=fresh(first))


def test_the_most_customers_a_manager_may_own(personas):
    am01, east = personas["am01"], region(personas, EAST)
    PoolRule.objects.create(region=east, max_owned=3)  # am01 owns 2 already
    first, second = add_pool_customers(personas, EAST, 2)
    services.pool_claim(actor=am01, customer=first)
    with translation.override("en"), pytest.raises(ClaimLimitReached) as refused:
        services.pool_claim(actor=am01, customer=second)
    assert str(refused.value) == (
        "You own 3 customers, the most a manager may own in 华东区 (3). Return a customer to "
        "the pool before claiming another.")
    assert fresh(second).owner_id is None
    services.pool_release(actor=am01, customer=fresh(first), reason="无力跟进")
    services.pool_claim(actor=am01, customer=second)
    assert fresh(second).owner_id == am01.pk


def test_a_region_without_a_saved_rule_runs_on_the_defaults(personas):
    east = region(personas, EAST)
    rule = selectors.pool_rule_for(east)
    assert rule.pk is None and rule.region == east
    assert (rule.daily_claim_limit, rule.max_owned, rule.reclaim_idle_days,
            rule.reclaim_offboarded) == (5, 500, 90, True)
    saved = PoolRule.objects.create(region=east, daily_claim_limit=1)
    assert selectors.pool_rule_for(east) == saved


def test_a_customer_claimed_a_moment_ago_is_answered_with_a_conflict_not_404(personas):
    am01, customer = personas["am01"], pool_customer(personas)
    services.pool_claim(actor=personas["am02"], customer=customer)
    target = selectors.pool_claim_get(am01, customer.pk)  # the pool page am01 had open
    with pytest.raises(NotInPool):
        services.pool_claim(actor=am01, customer=target)
    # A colleague's customer that never was in the pool stays out of reach.
    with pytest.raises(Http404):
        selectors.pool_claim_get(am01, personas.customers["am02"][0].pk)
    # And a day later, so does the claimed one.
    PoolMove.objects.update(occurred_at=timezone.now() - timedelta(days=2))
    with pytest.raises(Http404):
        selectors.pool_claim_get(am01, customer.pk)


# --- releases -----------------------------------------------------------------------------------

def test_the_owner_returns_a_customer_to_the_pool_with_a_reason(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    history_before = customer.history.count()

    services.pool_release(actor=am01, customer=customer, reason="客户经营范围变更")

    row = fresh(customer)
    assert (row.owner_id, row.owner_unit_id) == (None, customer.region_id)
    assert customer.history.count() == history_before + 1
    entry = customer.history.first()
    assert "客户经营范围变更" in entry.history_change_reason and entry.owner_id is None
    event = CustomerEvent.objects.filter(customer=customer).latest("id")
    assert event.kind == "pool_release" and "客户经营范围变更" in event.message
    move = PoolMove.objects.get()
    assert (move.kind, move.manager_id, move.actor_id, move.reason) == (
        PoolMove.Kind.RELEASE, am01.pk, am01.pk, "客户经营范围变更")
    assert selectors.pool_customers(personas["am02"]).filter(pk=customer.pk).exists()
    assert not Customer.objects.visible_to(am01).filter(pk=customer.pk).exists()
    assert Customer.objects.visible_to(personas["region1"]).filter(pk=customer.pk).exists()


def test_a_supervisor_may_release_a_subordinates_customer_a_colleague_may_not(personas):
    customer = personas.customers["am01"][0]
    with pytest.raises(PermissionDenied):
        services.pool_release(actor=personas["am02"], customer=customer, reason="想要")
    services.pool_release(actor=personas["sup1"], customer=customer, reason="长期未跟进")
    assert PoolMove.objects.get().manager_id == personas["am01"].pk


def test_release_refusals_write_nothing(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    before = (customer.history.count(), CustomerEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.pool_release(actor=am01, customer=customer, reason="   ")
    assert "reason" in refused.value.message_dict
    Customer.objects.filter(pk=customer.pk).update(region=None)
    with pytest.raises(ValidationError) as refused:
        services.pool_release(actor=am01, customer=fresh(customer), reason="无区域")
    assert "region" in refused.value.message_dict
    with pytest.raises(NotInPool):
        services.pool_release(actor=personas["sup1"], customer=pool_customer(personas),
                              reason="已在公海")
    assert fresh(customer).owner_id == am01.pk
    assert (customer.history.count(), CustomerEvent.objects.count()) == before
    assert not PoolMove.objects.exists()


def test_a_release_after_someone_else_changed_the_owner_is_a_conflict(personas):
    am01 = personas["am01"]
    stale = personas.customers["am01"][0]  # the page am01 opened
    services.pool_release(actor=personas["sup1"], customer=fresh(stale), reason="主管收回")
    services.pool_claim(actor=personas["am02"], customer=fresh(stale))
    with pytest.raises(services.ConflictError):
        services.pool_release(actor=am01, customer=stale, reason="我也要退回")
    assert fresh(stale).owner_id == personas["am02"].pk


# --- pool customers stay masked ----------------------------------------------------------------

def test_a_pool_customers_details_cannot_be_revealed(personas):
    customer = pool_customer(personas)
    contact = make_contact(customer, personas["director"], mobile="13912345678")
    with pytest.raises(PermissionDenied):
        audit_services.field_reveal(actor=personas["region1"], instance=contact, field="mobile",
                                    customer=customer)


# --- last follow-up -----------------------------------------------------------------------------

def test_a_follow_up_is_the_last_follow_up_without_history_or_version(personas):
    customer = personas.customers["am01"][0]
    old = timezone.now() - timedelta(days=30)
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=old)
    row = fresh(customer)
    history_before = customer.history.count()

    event = services.customer_follow_up_record(actor=personas["am01"], customer=row,
                                               channel="visit", note="检查门店陈列")

    after = fresh(customer)
    assert (event.kind, event.data) == ("follow_up", {"channel": "visit"})
    assert after.last_activity_at == event.occurred_at
    assert after.version == row.version
    assert customer.history.count() == history_before
    assert row.last_activity_at == event.occurred_at  # the caller's copy follows


def test_edits_of_the_record_and_the_pools_own_events_are_not_a_follow_up(personas):
    """Editing the archive (even only its notes), the relationship cards, the grade, the
    attachments, a work order's paperwork or a recommendation is not contact with the
    customer: the reclaim clock does not move."""
    am01, sup1 = personas["am01"], personas["sup1"]
    customer = personas.customers["am01"][0]
    old = timezone.now() - timedelta(days=30)
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=old)

    services.customer_update(actor=am01, customer=fresh(customer), data={"notes": "改备注"},
                             expected_version=fresh(customer).version)
    contact = make_contact(fresh(customer), am01, name="新联系人")
    services.contact_update(actor=am01, contact=contact, data={"title": "店长"},
                            expected_version=contact.version)
    services.customer_change_grade(actor=sup1, customer=fresh(customer),
                                   grade=personas.grades[0], category="key", reason="年度评级",
                                   expected_version=fresh(customer).version)
    for kind in timeline_kinds:
        if not kind.follow_up:
            services.customer_event_record(fresh(customer), kind.code,
                                           params=EXAMPLES[kind.code])

    assert fresh(customer).last_activity_at == old
    assert CustomerEvent.objects.filter(customer=customer, kind="edited").exists()


def test_work_with_the_customer_done_elsewhere_is_a_follow_up(personas):
    """The kinds other apps register: a work-order stage done with the customer's people,
    promotional goods the customer signed for, a dunning call or visit about its debt."""
    from qiao.promotions.services import HANDOUT_EVENT
    from qiao.workorders.services import STAGE_DONE

    assert sorted(services.follow_up_kinds()) == sorted(
        ["created", "follow_up", STAGE_DONE, HANDOUT_EVENT, "ticket_opened", "visit_recorded",
         "dunning_recorded"])
    customer = personas.customers["am01"][0]
    for kind in (STAGE_DONE, HANDOUT_EVENT):
        Customer.objects.filter(pk=customer.pk).update(
            last_activity_at=timezone.now() - timedelta(days=30))
        event = services.customer_event_record(fresh(customer), kind, params=EXAMPLES[kind])
        assert fresh(customer).last_activity_at == event.occurred_at


def test_an_event_recorded_late_does_not_move_the_follow_up_back(personas):
    customer = personas.customers["am01"][0]
    latest = fresh(customer).last_activity_at
    event = services.customer_event_record(fresh(customer), "follow_up",
                                           params={"channel": "phone", "note": "补录"})
    CustomerEvent.objects.filter(pk=event.pk).update(occurred_at=latest - timedelta(days=5))
    services.customer_event_record(fresh(customer), "follow_up",
                                   params={"channel": "visit", "note": "x"})
    assert fresh(customer).last_activity_at >= latest


@pytest.mark.parametrize(("channel", "note", "field"), [
    ("visit", "", "note"), ("visit", "   ", "note"), ("fax", "电话回访", "channel"),
    ("phone", "长" * 251, "note"),
])
def test_a_follow_up_needs_a_channel_and_a_note(personas, channel, note, field):
    customer = personas.customers["am01"][0]
    before = fresh(customer).last_activity_at
    with pytest.raises(ValidationError) as raised:
        services.customer_follow_up_record(actor=personas["am01"], customer=fresh(customer),
                                           channel=channel, note=note)
    assert field in raised.value.message_dict
    assert fresh(customer).last_activity_at == before
    assert not CustomerEvent.objects.filter(customer=customer, kind="follow_up").exists()


# --- the reclaim rule ---------------------------------------------------------------------------

def idle(customer, days, now=None):
    now = now or timezone.now()
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=now - timedelta(days=days))


def test_customers_without_follow_up_are_reclaimed_once(personas):
    am01 = personas["am01"]
    stale, recent = personas.customers["am01"]
    idle(stale, 91)
    idle(recent, 89)
    history_before = stale.history.count()

    assert services.pool_reclaim() == 1

    row = fresh(stale)
    assert (row.owner_id, row.owner_unit_id) == (None, stale.region_id)
    assert fresh(recent).owner_id == am01.pk
    assert stale.history.count() == history_before + 1
    entry = stale.history.first()
    assert entry.history_user_id is None and entry.owner_id is None
    assert entry.history_change_reason  # why: no follow-up for 90 days
    event = CustomerEvent.objects.filter(customer=stale).latest("id")
    assert (event.kind, event.actor_id, event.data["previous_owner"]) == ("pool_reclaim", None,
                                                                           am01.pk)
    move = PoolMove.objects.get()
    assert (move.kind, move.manager_id, move.actor_id) == (PoolMove.Kind.RECLAIM, am01.pk, None)
    assert fresh(stale).last_activity_at < timezone.now() - timedelta(days=90)

    # Idempotent: nothing more to do, nothing more written.
    assert services.pool_reclaim() == 0
    assert stale.history.count() == history_before + 1
    assert PoolMove.objects.count() == 1


def test_a_customer_edited_but_not_followed_up_is_reclaimed(personas):
    """Finding 12 of issue 9: editing the record (its notes) kept a customer from the pool for
    ever; a follow-up keeps it, an edit does not."""
    am01 = personas["am01"]
    edited, followed_up = personas.customers["am01"]
    idle(edited, 91)
    idle(followed_up, 91)
    services.customer_update(actor=am01, customer=fresh(edited), data={"notes": "更新备注"},
                             expected_version=fresh(edited).version)
    services.customer_follow_up_record(actor=am01, customer=fresh(followed_up), channel="phone",
                                       note="电话确认下月进货")

    assert services.pool_reclaim() == 1
    assert fresh(edited).owner_id is None
    assert fresh(followed_up).owner_id == am01.pk


def test_offboarded_customers_are_reclaimed_when_the_rule_says_so(personas):
    east = region(personas, EAST)
    customer = personas.customers["am01"][0]
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.OFFBOARDED)
    rule = PoolRule.objects.create(region=east, reclaim_offboarded=False)
    assert services.pool_reclaim() == 0
    rule.reclaim_offboarded = True
    rule.save()
    assert services.pool_reclaim() == 1
    assert fresh(customer).owner_id is None
    assert "offboarded" in PoolMove.objects.get().reason or "退网" in PoolMove.objects.get().reason


def test_idle_days_0_switches_the_idle_rule_off(personas):
    east, north = region(personas, EAST), region(personas, NORTH)
    PoolRule.objects.create(region=east, reclaim_idle_days=0)
    for customers in personas.customers.values():
        for customer in customers:
            idle(customer, 400)
    reclaimed = services.pool_reclaim()
    # Region 1 keeps its customers; region 2 (default rule: 90 days) and 3 lose theirs.
    assert Customer.objects.filter(region=east, owner__isnull=False).count() == 8
    assert Customer.objects.filter(region=north, owner__isnull=False).count() == 0
    assert reclaimed == 16


def test_the_rules_are_per_region(personas):
    PoolRule.objects.create(region=region(personas, EAST), reclaim_idle_days=10)
    east_customer = personas.customers["am01"][0]
    north_customer = personas.customers["am05"][0]
    idle(east_customer, 11)
    idle(north_customer, 11)
    assert services.pool_reclaim() == 1
    assert fresh(east_customer).owner_id is None
    assert fresh(north_customer).owner_id is not None


def test_a_customer_without_a_region_is_never_reclaimed(personas):
    customer = personas.customers["am01"][0]
    Customer.objects.filter(pk=customer.pk).update(region=None)
    idle(customer, 1000)
    assert services.pool_reclaim() == 0


def test_reclaim_keeps_the_tags_in_history(personas):
    customer = personas.customers["am01"][0]
    services.customer_update(actor=personas["am01"], customer=fresh(customer), data={},
                             tags=personas.tags[:2], expected_version=fresh(customer).version)
    idle(customer, 100)
    services.pool_reclaim()
    latest = selectors.history_entries(fresh(customer))[0]
    labels = [str(label) for label, _old, _new in latest["changes"]]
    assert str(Customer._meta.get_field("tags").verbose_name) not in labels
    assert str(Customer._meta.get_field("owner").verbose_name) in labels
    assert set(fresh(customer).tags.all()) == set(personas.tags[:2])


def test_reclaim_works_in_batches_with_queries_independent_of_the_count(personas):
    def reclaim_queries(count):
        customers = [make_customer(personas["am01"], region=region(personas, EAST))
                     for _ in range(count)]
        for customer in customers:
            idle(customer, 100)
        with CaptureQueriesContext(connection) as ctx:
            assert services.pool_reclaim(batch_size=1000) == count
        return len(ctx)

    assert reclaim_queries(3) == reclaim_queries(12)
    # Batches: each one its own transaction, all reclaimed.
    for customer in [make_customer(personas["am02"], region=region(personas, EAST))
                     for _ in range(5)]:
        idle(customer, 100)
    assert services.pool_reclaim(batch_size=2) == 5


def test_the_command_and_the_daily_task(personas, capsys):
    idle(personas.customers["am01"][0], 100)
    call_command("pool_reclaim")
    assert capsys.readouterr().out.strip() == "1 customers reclaimed to the public pool."

    from qiao.customers.tasks import pool_reclaim_daily

    customer = personas.customers["am02"][0]
    idle(customer, 100)
    pool_reclaim_daily()  # tests run huey in immediate mode: now, in this thread
    assert fresh(customer).owner_id is None
    assert PoolMove.objects.filter(kind=PoolMove.Kind.RECLAIM).count() == 2
    # It is a periodic task, due every night at 02:30 local time.
    task = pool_reclaim_daily.task_class()
    night = timezone.localtime().replace(hour=2, minute=30, second=0, microsecond=0)
    assert task.validate_datetime(night.replace(tzinfo=None))
    assert not task.validate_datetime(night.replace(hour=14, tzinfo=None))
