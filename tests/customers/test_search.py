"""The customer list's search box, filters, sorting and pages — through the real page, and
only ever within the user's scope."""

import re

import pytest
from django.urls import reverse

from qiao.customers import services
from qiao.customers.models import Customer
from tests.factories import make_contact, make_customer, valid_credit_code

ROW = re.compile(r'class="fw-semibold text-decoration-none">([^<]*)</a>')
COUNT = re.compile(r'data-testid="result-count">共 (\d+) 条记录')


def results(client, **params):
    """(names in the order shown, the count the page states)."""
    response = client.get(reverse("customers:list"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return ROW.findall(html), int(COUNT.search(html).group(1))


@pytest.fixture
def zhang(personas):
    """张三's shop (am01's) with a contact 李四, and a look-alike that belongs to am03."""
    am01 = personas["am01"]
    shop = make_customer(am01, name="张三五金商行", phone="021-5012 3456",
                         credit_code=valid_credit_code(), region=personas.org.regions[0])
    make_contact(shop, am01, name="李四", mobile="139 1234 5678")
    other = make_customer(personas["am03"], name="张三建材有限公司", phone="021-5012 3457",
                          region=personas.org.regions[0])
    return shop, other


QUERIES = [
    "zhangsan", "ZhangSan", "zs", "张三", "五金", "张三五金商行", "zhangsan 五金", "zsw",
    # the phone, typed in any of the ways people type it
    "021-5012 3456", "02150123456", "(021) 5012-3456", "+86 21 5012 3456", "5012 3456", "50123456",
    # the contact: name, pinyin, mobile
    "李四", "lisi", "13912345678", "139-1234-5678", "+86 139 1234 5678",
]


def test_zhang_sans_shop_is_found_by_anything_people_type(personas, zhang):
    shop, _ = zhang
    client = personas.client("am01")
    found = {q: results(client, q=q) for q in QUERIES}
    assert {q: r for q, r in found.items() if r != ([shop.name], 1)} == {}


def test_found_by_credit_code_whole_lower_case_or_a_fragment(personas, zhang):
    shop, _ = zhang
    client = personas.client("am01")
    # (the fixture's codes share their first eight characters: division and kind)
    for q in (shop.credit_code, shop.credit_code.lower(), shop.credit_code[8:],
              shop.credit_code[-6:].lower()):
        assert results(client, q=q) == ([shop.name], 1), q


def test_search_stays_within_scope(personas, zhang):
    shop, other = zhang
    assert results(personas.client("am01"), q="zhangsan") == ([shop.name], 1)
    assert results(personas.client("am03"), q="zhangsan") == ([other.name], 1)
    assert results(personas.client("sup1"), q="zhangsan") == ([shop.name], 1)
    names, count = results(personas.client("region1"), q="zhangsan")
    assert (sorted(names), count) == (sorted([shop.name, other.name]), 2)
    # The other manager's exact name: nothing, and the count says 0.
    assert results(personas.client("am01"), q=other.name) == ([], 0)
    assert results(personas.client("am01"), q="021-5012 3457") == ([], 0)
    for username in ("am05", "region2", "agent01", "qa01"):
        client = personas.client(username)
        if client.get(reverse("customers:list")).status_code == 200:
            assert results(client, q="zhangsan") == ([], 0), username


def test_no_match_says_so(personas, zhang):
    response = personas.client("am01").get(reverse("customers:list"), {"q": "wangwu"})
    assert 'data-testid="no-results"' in response.content.decode()
    assert results(personas.client("am01"), q="wangwu") == ([], 0)


def test_deleted_contacts_no_longer_find_the_customer(personas, zhang):
    shop, _ = zhang
    contact = shop.contacts.get()
    services.contact_delete(actor=personas["am01"], contact=contact)
    assert results(personas.client("am01"), q="lisi") == ([], 0)


# --- filters ---------------------------------------------------------------------------------

@pytest.fixture
def varied(personas):
    """am01's customers with distinct grade, status, classification, tag and region."""
    am01, sup1 = personas["am01"], personas["sup1"]
    east, north = personas.org.regions[0], personas.org.regions[1]
    a = make_customer(am01, name="甲级商行", region=east)
    b = make_customer(am01, name="乙级商行", region=north)
    services.customer_update(actor=am01, customer=b, data={}, tags=[personas.tags[0]],
                             expected_version=1)
    services.customer_change_grade(actor=sup1, customer=a, grade=personas.grades[0],
                                   category=Customer.Category.BIG, reason="大客户",
                                   expected_version=1)
    services.customer_change_grade(actor=sup1, customer=b, grade=personas.grades[4],
                                   category=Customer.Category.KEY, reason="重点",
                                   expected_version=2)
    services.customer_transition(actor=am01, customer=b, to_status=Customer.Status.ONBOARDED,
                                 note="", expected_version=3)
    return a, b


def test_filters_narrow_the_list(personas, varied):
    a, b = varied
    client = personas.client("am01")
    north = personas.org.regions[1]
    tag = personas.tags[0]
    assert results(client, grade=personas.grades[0].pk) == ([a.name], 1)
    assert results(client, grade=personas.grades[4].pk) == ([b.name], 1)
    assert results(client, status="onboarded") == ([b.name], 1)
    assert results(client, category="big") == ([a.name], 1)
    assert results(client, category="key") == ([b.name], 1)
    assert results(client, tag=tag.pk) == ([b.name], 1)
    assert results(client, region=north.pk) == ([b.name], 1)
    assert results(client, region=north.pk, status="prospect") == ([], 0)
    assert results(client, q="商行", grade=personas.grades[0].pk) == ([a.name], 1)
    # 3 with the persona fixture's two (which have no region)
    assert results(client, owner=personas["am01"].pk)[1] == 4


def test_owner_filter_for_a_supervisor_and_a_foreign_owner(personas, varied):
    am02_names = sorted(c.name for c in personas.customers["am02"])
    names, count = results(personas.client("sup1"), owner=personas["am02"].pk)
    assert (sorted(names), count) == (am02_names, 2)
    # An owner outside the scope is not a choice: the filter is ignored, never widened.
    names, count = results(personas.client("am01"), owner=personas["am03"].pk)
    assert count == 4 and not set(names) & {c.name for c in personas.customers["am03"]}


# --- sorting and pages -----------------------------------------------------------------------

def test_sorting(personas, varied):
    a, b = varied
    client = personas.client("am01")
    by_name, _ = results(client, sort="name")
    pinyin = dict(Customer.objects.values_list("name", "name_pinyin"))
    assert by_name == sorted(by_name, key=pinyin.get) and len(by_name) == 4
    assert results(client, sort="-name")[0] == by_name[::-1]
    # 一级 before 五级, and customers without a grade last (on SQLite as on PostgreSQL)
    assert results(client, sort="grade")[0][:2] == [a.name, b.name]
    newest_first = list(Customer.objects.visible_to(personas["am01"])
                        .order_by("-created_at", "-id").values_list("name", flat=True))
    assert results(client, sort="created")[0] == newest_first
    recent = list(Customer.objects.visible_to(personas["am01"])
                  .order_by("-updated_at", "-id").values_list("name", flat=True))
    assert results(client)[0] == recent
    assert results(client, sort="nonsense")[0] == recent


def test_pages_keep_the_search_and_filters(personas):
    am01 = personas["am01"]
    made = {make_customer(am01, name=f"批量商行{i:02d}").name for i in range(30)}
    client = personas.client("am01")
    first, count = results(client, q="批量", sort="name")
    second, count2 = results(client, q="批量", sort="name", page=2)
    assert (count, count2) == (30, 30)
    assert (len(first), len(second)) == (25, 5)
    assert set(first) | set(second) == made
    html = client.get(reverse("customers:list"), {"q": "批量", "sort": "name"}).content.decode()
    assert "?q=%E6%89%B9%E9%87%8F&amp;sort=name&page=2" in html
    # Past the end or nonsense: a page, never an error.
    assert results(client, q="批量", sort="name", page=99)[0] == second
    assert results(client, q="批量", sort="name", page="abc")[0] == first


def test_htmx_gets_only_the_results_fragment(personas, zhang):
    response = personas.client("am01").get(reverse("customers:list"), {"q": "zs"},
                                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="customer-table"' in html
    assert ROW.findall(html) == ["张三五金商行"]
