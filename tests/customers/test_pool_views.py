"""The public pool's pages: the list (scope, masking, search, region filter, the claim counter),
the claim and release buttons, the navigation entry, and constant query counts."""

import re
from html import escape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiao.customers import services
from qiao.customers.models import Customer, PoolMove, PoolRule
from qiao.customers.services import fill_search_keys

from ..factories import make_contact, make_customer
from .test_pool import fresh, in_every_language, pool_customer, region

POOL = reverse("customers:pool")
NAME = re.compile(r'data-testid="pool-name">([^<]*)<')


def names(response) -> set[str]:
    return set(NAME.findall(response.content.decode()))


def claim_url(customer):
    return reverse("customers:pool_claim", args=[customer.pk])


def release_url(customer):
    return reverse("customers:pool_release", args=[customer.pk])


def shows_one_of(response, texts) -> bool:
    body = response.content.decode()
    return any(escape(text, quote=False) in body or text in body for text in texts)


# --- the list -----------------------------------------------------------------------------------

def test_the_pool_page_shows_the_pool_of_ones_region_only(personas):
    east, north = pool_customer(personas), pool_customer(personas, "华北区")
    response = personas.client("am01").get(POOL)
    assert response.status_code == 200
    assert names(response) == {east.name}
    assert north.name not in response.content.decode()
    assert names(personas.client("deptmgr").get(POOL)) == {
        pool_customer(personas, name).name for name in ("华东区", "华北区", "华南区")}


def test_the_pool_page_is_hidden_without_the_claim_right(personas):
    for persona in ("agent01", "qa01", "admin"):
        assert personas.client(persona).get(POOL).status_code == 404, persona


def test_the_pool_page_shows_only_masked_numbers(personas):
    customer = pool_customer(personas)
    Customer.objects.filter(pk=customer.pk).update(phone="021-50123456")
    make_contact(customer, personas["director"], name="公海联系人", mobile="13912345678",
                 phone="021-61234567", private_info="私人资料不可见")
    html = personas.client("am01").get(POOL).content.decode()
    assert "公海联系人" in html
    assert "139****5678" in html and "021****3456" in html
    for clear in ("13912345678", "139 1234 5678", "02150123456", "021-50123456", "50123456",
                  "61234567", "私人资料不可见"):
        assert clear not in html, clear


def test_search_and_region_filter(personas):
    director = personas.client("director")
    north = pool_customer(personas, "华北区")
    response = director.get(POOL, {"region": region(personas, "华北区").pk})
    assert names(response) == {north.name}
    assert names(director.get(POOL, {"q": north.name})) == {north.name}
    # A manager of one region gets no region filter; a bad value is ignored, not an error.
    am01 = personas.client("am01")
    assert 'name="region"' not in am01.get(POOL).content.decode()
    assert am01.get(POOL, {"region": "x"}).status_code == 200


def test_the_claim_counter_shows_today_against_the_limit(personas):
    PoolRule.objects.create(region=region(personas, "华东区"), daily_claim_limit=3, max_owned=50)
    services.pool_claim(actor=personas["am01"], customer=pool_customer(personas))
    html = personas.client("am01").get(POOL).content.decode()
    counter = html[html.index('data-testid="claim-counter"'):]
    assert "<strong>1 / 3</strong>" in counter
    assert "<strong>3 / 50</strong>" in counter  # am01 now owns three


def test_the_pool_list_queries_do_not_grow_with_the_pool(personas):
    client = personas.client("am01")
    client.get(POOL)  # warm up
    east = region(personas, "华东区")

    def add(start, stop):
        rows = []
        for i in range(start, stop):
            customer = Customer(kind="enterprise", name=f"公海批量{i:04d}商行", region=east,
                                owner_unit_id=east.pk, phone=f"021-6{i:07d}")
            fill_search_keys(customer)
            rows.append(customer)
        for customer in Customer.objects.bulk_create(rows)[:30]:
            make_contact(customer, personas["director"], mobile="13800138000")

    def count(params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(POOL, params).status_code == 200
        return len(ctx)

    add(0, 5)
    small = [count({}), count({"q": "公海批量"}), count({"page": "2"})]
    add(5, 300)
    large = [count({}), count({"q": "公海批量"}), count({"page": "2"})]
    assert small == large
    assert max(large) <= 15, large


# --- claiming -----------------------------------------------------------------------------------

def test_claiming_from_the_page(personas):
    customer = pool_customer(personas)
    client = personas.client("am01")
    response = client.post(claim_url(customer))
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert fresh(customer).owner_id == personas["am01"].pk
    assert client.get(response["Location"]).status_code == 200
    assert client.get(claim_url(customer)).status_code == 405


def test_a_refused_claim_goes_back_to_the_pool_with_the_reason(personas):
    PoolRule.objects.create(region=region(personas, "华东区"), daily_claim_limit=0)
    customer = pool_customer(personas)
    client = personas.client("am01")
    response = client.post(claim_url(customer), follow=True)
    assert response.redirect_chain == [(POOL, 302)]
    assert shows_one_of(response, in_every_language(
        "You have claimed %(count)d customers today, the daily limit of %(region)s. "
        "You can claim again tomorrow.", count=0, region="华东区"))
    assert fresh(customer).owner_id is None


def test_claims_out_of_reach_answer_404_and_change_nothing(personas):
    client = personas.client("am01")
    for customer in (pool_customer(personas, "华北区"), personas.customers["am02"][0],
                     personas.customers["am05"][0]):
        owner = fresh(customer).owner_id
        assert client.post(claim_url(customer)).status_code == 404
        assert fresh(customer).owner_id == owner
    assert personas.client("agent01").post(claim_url(pool_customer(personas))).status_code == 404
    assert not PoolMove.objects.exists()


def test_a_region_manager_can_claim_from_the_customer_page(personas):
    customer = pool_customer(personas)
    html = personas.client("region1").get(reverse("customers:detail", args=[customer.pk])) \
        .content.decode()
    assert claim_url(customer) in html
    assert release_url(customer) not in html


# --- releasing ----------------------------------------------------------------------------------

def test_the_owner_releases_from_the_customer_page(personas):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    detail = reverse("customers:detail", args=[customer.pk])
    assert release_url(customer) in client.get(detail).content.decode()

    response = client.post(release_url(customer), {"reason": "客户迁往外地"})
    assert response.status_code == 302 and response["Location"] == POOL
    assert fresh(customer).owner_id is None
    assert PoolMove.objects.get().reason == "客户迁往外地"
    assert customer.name in client.get(POOL).content.decode()


def test_a_release_without_a_reason_changes_nothing(personas):
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    response = client.post(release_url(customer), {"reason": ""}, follow=True)
    assert response.redirect_chain == [(reverse("customers:detail", args=[customer.pk]), 302)]
    assert shows_one_of(response, in_every_language(
        "Give the reason for returning the customer to the public pool."))
    assert fresh(customer).owner_id == personas["am01"].pk
    assert not PoolMove.objects.exists()


def test_release_is_hidden_from_those_who_may_not(personas):
    customer = personas.customers["am01"][0]
    assert personas.client("am02").post(release_url(customer), {"reason": "x"}).status_code == 404
    # An agent sees their own customer; so the release card is theirs too.
    agent_customer = make_customer(personas["agent01"], actor=personas["director"],
                                   region=region(personas, "华东区"))
    response = personas.client("agent01").post(release_url(agent_customer), {"reason": "不跟进"})
    assert response.status_code == 302
    # A supervisor releases a subordinate's customer.
    response = personas.client("sup1").post(release_url(customer), {"reason": "长期未跟进"})
    assert response.status_code == 302 and fresh(customer).owner_id is None


# --- navigation ---------------------------------------------------------------------------------

def test_the_menu_has_the_pool_for_those_who_may_claim(personas):
    for persona, shown in (("am01", True), ("sup1", True), ("agent01", False)):
        html = personas.client(persona).get(reverse("customers:list")).content.decode()
        assert (f'href="{POOL}"' in html) is shown, persona
    html = personas.client("am01").get(POOL).content.decode()
    active = re.findall(r'class="nav-link[^"]* active" href="([^"]+)"', html)
    assert active == [POOL]
