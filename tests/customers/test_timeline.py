"""The typed timeline: every module writes events of registered kinds with their params, read in
the reader's language; the events carry their customer's owner and owning unit, kept right
when the customer changes hands; old rows are filled by the data migration."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from qiao.core.registry import timeline_kinds
from qiao.customers import services
from qiao.customers.models import Customer, CustomerEvent
from qiao.org.services import user_move

from ..factories import make_contact
from .test_pool import fresh
from .timeline_examples import EXAMPLES

BACKFILL = "qiao.customers.migrations.0016_timeline_params_backfill"


def read(event, language) -> str:
    with translation.override(language):
        return CustomerEvent.objects.get(pk=event.pk).text


def test_the_same_row_reads_in_each_readers_language(personas):
    """A status change and a follow-up written by a Chinese-speaking manager read in English
    for an English reader, and the other way round."""
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    with translation.override("zh-hans"):
        followed = services.customer_follow_up_record(actor=am01, customer=fresh(customer),
                                                      channel="phone", note="确认下月进货计划")
    with translation.override("en"):
        changed = services.customer_transition(
            actor=am01, customer=fresh(customer), to_status="onboarded", note="资料齐全",
            expected_version=fresh(customer).version)
    status = CustomerEvent.objects.filter(customer=changed, kind="status").get()

    assert read(followed, "zh-hans") == "电话：确认下月进货计划"
    assert read(followed, "en") == "Phone call: 确认下月进货计划"
    assert read(status, "zh-hans") == "状态 潜在 → 入网：资料齐全"
    assert read(status, "en") == "Status Prospect → Onboarded: 资料齐全"
    # the text as written stays as the writer wrote it
    assert (followed.message, status.message) == ("电话：确认下月进货计划",
                                                  "Status Prospect → Onboarded: 资料齐全")


def test_the_customer_page_shows_the_timeline_in_the_readers_language(personas):
    customer = personas.customers["am01"][0]
    with translation.override("en"):
        services.customer_follow_up_record(actor=personas["am01"], customer=fresh(customer),
                                           channel="visit", note="检查门店陈列")
    page = personas.client("am01").get(
        reverse("customers:detail_tab", args=[customer.pk, "timeline"]))
    assert "拜访：检查门店陈列" in page.content.decode()
    assert "Visit: 检查门店陈列" not in page.content.decode()


def test_every_registered_kind_renders_in_both_languages(personas):
    missing = [kind.code for kind in timeline_kinds if kind.code not in EXAMPLES]
    assert not missing, f"add example params for {missing} to timeline_examples.py"
    customer = personas.customers["am01"][0]
    for kind in timeline_kinds:
        assert set(EXAMPLES[kind.code]) == set(kind.params), kind.code
        event = services.customer_event_record(fresh(customer), kind.code,
                                               params=EXAMPLES[kind.code])
        texts = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                texts[language] = kind.render(EXAMPLES[kind.code])  # raises if they do not fit
            assert texts[language] == read(event, language)
            assert texts[language].strip() and "%(" not in texts[language], kind.code
        assert texts["zh-hans"] != texts["en"], f"{kind.code} is not translated"
        assert kind.icon.startswith("bi-")


def test_a_writer_with_an_unknown_kind_or_wrong_params_fails_at_once(personas):
    customer = personas.customers["am01"][0]
    before = CustomerEvent.objects.count()
    with pytest.raises(LookupError):
        services.customer_event_record(fresh(customer), "visit_done", params={})
    with pytest.raises(ValueError, match="channel"):
        services.customer_event_record(fresh(customer), "follow_up", params={"note": "x"})
    assert CustomerEvent.objects.count() == before


def test_an_event_links_the_record_it_is_about(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    contact = make_contact(fresh(customer), am01, name="赵敏")
    event = CustomerEvent.objects.get(customer=customer, kind="contact_added")
    assert (event.link_type, event.link_id) == (ContentType.objects.get_for_model(contact),
                                                contact.pk)
    assert event.params == {"name": "赵敏"}


def owners_of_events(customer):
    return set(CustomerEvent.objects.filter(customer=customer)
               .values_list("owner_id", "owner_unit_id"))


def test_the_events_follow_their_customer_to_its_new_owner(personas):
    """A handover, a return to the pool and a claim from it, an edit of the manager, a manager
    moving to another unit: the customer's events carry its owner and unit as they are now."""
    am01, am02, am03, sup1 = (personas[u] for u in ("am01", "am02", "am03", "sup1"))
    customer = personas.customers["am01"][0]
    services.customer_follow_up_record(actor=am01, customer=fresh(customer), channel="visit",
                                       note="送样品")
    assert owners_of_events(customer) == {(am01.pk, am01.unit_id)}

    services.customers_handover(actor=sup1, from_user=am01, to_user=am02, customers=[customer],
                                reason="岗位调整")
    assert owners_of_events(customer) == {(am02.pk, am02.unit_id)}
    other = personas.customers["am01"][1]  # not handed over: stays am01's
    assert owners_of_events(other) == {(am01.pk, am01.unit_id)}

    services.pool_release(actor=am02, customer=fresh(customer), reason="客户经营范围变更")
    region = fresh(customer).region_id
    assert owners_of_events(customer) == {(None, region)}

    services.customer_update(actor=sup1, customer=fresh(customer), data={"owner": am03},
                             expected_version=fresh(customer).version)
    assert owners_of_events(customer) == {(am03.pk, am03.unit_id)}

    user_move(user=am03, unit=am01.unit)
    assert owners_of_events(customer) == {(am03.pk, am01.unit_id)}
    # "my day" reads them through the owner index
    assert set(CustomerEvent.objects.filter(owner=am03).values_list("customer", flat=True)) == \
        set(Customer.objects.filter(owner=am03).values_list("pk", flat=True))


def test_the_migration_fills_old_rows(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    follow_up = services.customer_follow_up_record(actor=am01, customer=fresh(customer),
                                                   channel="phone", note="回访售后问题")
    released = services.pool_release(actor=am01, customer=fresh(customer), reason="不再经营")
    release = CustomerEvent.objects.get(customer=released, kind="pool_release")
    services.pool_claim(actor=am01, customer=fresh(customer))
    old_contact = CustomerEvent.objects.create(customer=customer, kind="contact",
                                               message="新增联系人：张三")
    # as they were before 0014: no params, no owner
    CustomerEvent.objects.filter(customer=customer).update(params={}, owner=None,
                                                            owner_unit=None)

    importlib.import_module(BACKFILL).fill(django_apps, None)

    assert owners_of_events(customer) == {(am01.pk, am01.unit_id)}
    assert CustomerEvent.objects.get(pk=follow_up.pk).params == {"channel": "phone",
                                                                 "note": "回访售后问题"}
    assert read(follow_up, "en") == "Phone call: 回访售后问题"
    assert CustomerEvent.objects.get(pk=release.pk).params == {"actor": str(am01),
                                                               "reason": "不再经营"}
    assert read(release, "en") == f"Returned to the public pool by {am01}: 不再经营"
    # a kind no longer registered reads as written
    assert read(old_contact, "en") == "新增联系人：张三"
    # created needs no params; an old edit whose fields cannot be told keeps its text
    assert read(CustomerEvent.objects.get(customer=customer, kind="created"), "en") == \
        "Customer created"


def page_queries(client, customer) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("customers:detail", args=[customer.pk]))
    assert page.status_code == 200
    return len(ctx)


def test_the_timeline_tab_query_count_does_not_grow_with_events(personas):
    """5 events or 50 of every kind, with their actors and links: the same queries."""
    am01, client = personas["am01"], personas.client("am01")
    small, large = personas.customers["am01"]
    kinds = list(timeline_kinds)
    for customer, count in ((small, 5), (large, 50)):
        for i in range(count):
            kind = kinds[i % len(kinds)]
            services.customer_event_record(fresh(customer), kind.code, actor=am01,
                                           params=EXAMPLES[kind.code], link=fresh(customer))
    page_queries(client, small)  # warm the per-process caches
    assert page_queries(client, large) == page_queries(client, small)
    assert large.events.count() > 50
