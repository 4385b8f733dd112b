"""The customer and contact endpoints: the pages' filters, forms, services, history and
operation log behind them; sensitive values masked on the way out, kept when sent back
masked, clear only by a logged and throttled reveal; constant query counts on lists (C29)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiao.audit.models import OperationLog
from qiao.customers.models import Contact, Customer, CustomerEvent
from tests.customers.test_queries import add_customers
from tests.factories import make_contact, make_customer, valid_credit_code

K = OperationLog.Kind
PHONE, FAX, ID_NUMBER, ACCOUNT = "13912345678", "021-50123456", "11010519491231002X", \
    "6222020200112233445"
MOBILE, PRIVATE = "13698765432", "他的孩子在市一中读高二"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def secret_customer(personas):
    """am01's customer with every sensitive field filled, and a contact with private data."""
    am01 = personas["am01"]
    customer = make_customer(am01, region=personas.org.regions[0], phone=PHONE, fax=FAX,
                             id_number=ID_NUMBER, bank_account=ACCOUNT, name="敏感信息测试商行")
    make_contact(customer, am01, name="王经理", mobile=MOBILE, background="老同学",
                 private_info=PRIVATE)
    return Customer.objects.get(pk=customer.pk)


def ids(items):
    return {item["id"] for item in items}


# --- lists -----------------------------------------------------------------------------------

def test_the_list_has_the_pages_filters_sorts_and_paging(personas, api):
    am01 = personas["am01"]
    grade = personas.grades[0]
    region = personas.org.regions[0]
    special = make_customer(am01, region=region, name="张三五金商行", phone="13811112222",
                            grade=grade)
    client = api("am01")
    mine = {c.pk for c in personas.customers["am01"]} | {special.pk}
    count, items = client.all_pages("/customers")
    assert (count, ids(items)) == (3, mine)
    for params in ({"q": "张三"}, {"q": "zhangsan"}, {"q": "zswj"}, {"q": "138 1111 2222"},
                   {"grade": grade.pk}, {"q": special.credit_code}):
        body = client.get("/customers", params).json()
        assert (body["count"], ids(body["items"])) == (1, {special.pk}), params
    assert client.get("/customers", {"status": "active"}).json()["count"] == 0
    assert client.get("/customers", {"owner": personas["am02"].pk}).json()["count"] == 0
    by_pinyin = client.get("/customers", {"sort": "name"}).json()["items"]
    reverse = client.get("/customers", {"sort": "-name"}).json()["items"]
    assert [i["id"] for i in by_pinyin] == [i["id"] for i in reversed(reverse)]
    first = client.get("/customers", {"page_size": 2}).json()
    second = client.get("/customers", {"page_size": 2, "page": 2}).json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert ids(first["items"]) | ids(second["items"]) == mine
    past = client.get("/customers", {"page": 9}).json()
    assert (past["count"], past["items"]) == (3, [])


def test_a_search_counts_its_matches_as_the_page_does(personas, api, monkeypatch):
    """Up to COUNT_AT_MOST, or to the end of the next page: `count_capped` says it stopped."""
    from qiao.core import pagination

    monkeypatch.setattr(pagination, "COUNT_AT_MOST", 3)
    client = api("director")
    total = client.get("/customers").json()
    assert total["count"] > 6 and not total["count_capped"]  # no search: exact
    body = client.get("/customers", {"q": "有限公司", "page_size": 2}).json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (4, True, 2)
    body = client.get("/customers", {"q": "有限公司", "page_size": 2, "page": 2}).json()
    assert (body["count"], body["count_capped"]) == (6, True)
    few = client.get("/customers", {"q": personas.customers["am01"][0].name}).json()
    assert (few["count"], few["count_capped"]) == (1, False)


def test_a_supervisor_lists_the_teams_customers_and_filters_by_owner(personas, api):
    client = api("sup1")
    team = {c.pk for u in ("am01", "am02") for c in personas.customers[u]}
    assert ids(client.all_pages("/customers")[1]) == team
    body = client.get("/customers", {"owner": personas["am02"].pk}).json()
    assert ids(body["items"]) == {c.pk for c in personas.customers["am02"]}
    # Another team's manager as a filter finds nothing (the list stays within scope).
    assert client.get("/customers", {"owner": personas["am03"].pk}).json()["count"] == 0


def test_org_endpoints(personas, api):
    me = api("sup1").get("/me").json()
    assert (me["username"], me["role"], me["data_scope"]) == ("sup1", "supervisor", "subordinates")
    assert "customer.delete" in me["actions"] and me["clearance"] == 2
    users = {u["username"] for u in api("sup1").all_pages("/org/users")[1]}
    assert users == {"sup1", "am01", "am02"}
    assert api("admin").get("/org/users").json() == {"count": 0, "count_capped": False, "page": 1,
                                                     "page_size": 25, "items": []}
    units = api("am01").all_pages("/org/units")[1]
    assert {u["name"] for u in units} >= {"华东区", "华北区", "华南区"}
    grades = api("am01").get("/grades").json()
    assert [g["rank"] for g in grades] == sorted(g["rank"] for g in grades) and grades


# --- one customer ----------------------------------------------------------------------------

def test_detail_is_masked_and_the_view_is_logged_like_the_page(personas, api, secret_customer):
    response = api("am01").get(f"/customers/{secret_customer.pk}")
    body = response.json()
    assert (body["phone"], body["fax"], body["id_number"], body["bank_account"]) == (
        "139****5678", "021****3456", "110***********002X", "**** 3445")
    text = response.content.decode()
    for clear in (PHONE, FAX, ID_NUMBER, ACCOUNT, "50123456"):
        assert clear not in text
    view = OperationLog.objects.filter(action=K.CUSTOMER_VIEW).latest("id")
    assert (view.actor, view.customer_id) == (personas["am01"], secret_customer.pk)
    contacts = api("am01").get(f"/customers/{secret_customer.pk}/contacts").json()["items"]
    assert [(c["mobile"], c["background"], c["private_info"]) for c in contacts] == [
        ("136****5432", "******", "******")]


def test_create_through_the_pages_form_and_service(personas, api):
    client = api("am01")
    region = personas.org.regions[0]
    body = {"name": "新开户商贸有限公司", "credit_code": valid_credit_code(), "region": region.pk,
            "phone": "021-61234567", "peak_months": [1, 2], "tags": [personas.tags[0].pk],
            "grade": personas.grades[1].pk}
    response = client.post("/customers", body)
    assert response.status_code == 201, response.content
    created = Customer.objects.get(pk=response.json()["id"])
    assert (created.owner, created.owner_unit, created.created_by) == (
        personas["am01"], personas["am01"].unit, personas["am01"])
    assert (created.peak_months, list(created.tags.all()), created.grade) == (
        [1, 2], [personas.tags[0]], personas.grades[1])
    assert response.json()["phone"] == "021****4567"
    assert {h.history_user for h in created.history.all()} == {personas["am01"]}
    assert CustomerEvent.objects.filter(customer=created, kind="created").exists()
    # The same credit code again: 409, as on the page; nothing written.
    again = client.post("/customers", {**body, "name": "另一个名字"})
    assert again.status_code == 409 and "credit_code" in again.json()["errors"]
    # A checksum error is an input error with the field's message.
    bad = client.post("/customers", {"name": "校验码错误", "credit_code": "91310115MA1K3XXXX0"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["credit_code"]
    assert Customer.objects.filter(name__in=["另一个名字", "校验码错误"]).count() == 0


def test_possible_duplicates_need_confirming(personas, api):
    client = api("am01")
    existing = personas.customers["am03"][0]  # out of am01's scope: counted, never named
    response = client.post("/customers", {"name": existing.name})
    assert response.status_code == 409
    body = response.json()
    assert "confirm_duplicate" in body["errors"] and "1 customers you cannot see" in body["detail"]
    assert f"#{existing.pk} " not in body["detail"] and existing.name not in body["detail"]
    assert not Customer.objects.filter(name=existing.name, owner=personas["am01"]).exists()
    # One of one's own is named, with its id.
    mine = personas.customers["am01"][0]
    assert f"#{mine.pk} {mine.name}" in client.post("/customers", {"name": mine.name}) \
        .json()["detail"]
    assert client.post("/customers", {"name": existing.name, "confirm_duplicate": True}) \
        .status_code == 201


def test_owner_and_secret_level_follow_the_page_rules(personas, api):
    region = personas.org.regions[0]
    am01 = api("am01")
    # An account manager may not hand a customer to someone else nor put it in the pool.
    for owner in (personas["am02"].pk, None):
        response = am01.post("/customers", {"name": "转交测试", "owner": owner, "region": region.pk})
        assert response.status_code == 400 and list(response.json()["errors"]) == ["owner"]
    assert am01.post("/customers", {"name": "自己名下", "owner": personas["am01"].pk}) \
        .status_code == 201
    assert am01.post("/customers", {"name": "密级", "secret_level": 3}).status_code == 400
    # A supervisor may, within the team only.
    sup1 = api("sup1")
    response = sup1.post("/customers", {"name": "分配给组员", "owner": personas["am02"].pk})
    assert response.status_code == 201 and response.json()["owner"]["username"] == "am02"
    response = sup1.post("/customers", {"name": "分配给外组", "owner": personas["am03"].pk})
    assert response.status_code == 400 and "owner" in response.json()["errors"]
    assert not Customer.objects.filter(name__in=["转交测试", "分配给外组", "密级"]).exists()


def test_masked_values_sent_back_keep_the_real_ones(personas, api, secret_customer):
    client = api("am01")
    read = client.get(f"/customers/{secret_customer.pk}").json()
    echo = {f: read[f] for f in ("phone", "fax", "id_number", "bank_account", "name")}
    response = client.patch(f"/customers/{secret_customer.pk}",
                            {**echo, "notes": "改了备注", "version": read["version"]})
    assert response.status_code == 200, response.content
    secret_customer.refresh_from_db()
    assert (secret_customer.phone, secret_customer.fax, secret_customer.id_number,
            secret_customer.bank_account, secret_customer.notes) == (
        PHONE, FAX, ID_NUMBER, ACCOUNT, "改了备注")
    assert response.json()["version"] == read["version"] + 1
    # A new value replaces the old one.
    client.patch(f"/customers/{secret_customer.pk}", {"phone": "13700001111",
                                                      "version": read["version"] + 1})
    secret_customer.refresh_from_db()
    assert secret_customer.phone == "13700001111" and secret_customer.fax == FAX
    last = secret_customer.history.first()
    assert last.history_user == personas["am01"] and last.phone == "13700001111"
    # Contacts too.
    contact = Contact.objects.get(customer=secret_customer)
    got = client.get(f"/contacts/{contact.pk}").json()
    response = client.patch(f"/contacts/{contact.pk}", {
        "mobile": got["mobile"], "background": got["background"],
        "private_info": got["private_info"], "title": "总经理", "version": got["version"]})
    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert (contact.mobile, contact.background, contact.private_info, contact.title) == (
        MOBILE, "老同学", PRIVATE, "总经理")


def test_a_stale_version_is_409_and_writes_nothing(personas, api, secret_customer):
    client = api("am01")
    version = secret_customer.version
    assert client.patch(f"/customers/{secret_customer.pk}",
                        {"notes": "first", "version": version}).status_code == 200
    response = client.patch(f"/customers/{secret_customer.pk}",
                            {"notes": "second", "version": version})
    assert response.status_code == 409 and "version" in response.json()["detail"]
    secret_customer.refresh_from_db()
    assert secret_customer.notes == "first"
    # The version is required.
    response = client.patch(f"/customers/{secret_customer.pk}", {"notes": "third"})
    assert response.status_code == 400 and "version" in response.json()["errors"]
    # Grade and classification change on the page, with a reason, not here.
    response = client.patch(f"/customers/{secret_customer.pk}", {"grade": 1, "version": 2})
    assert response.status_code == 400 and "grade" in response.json()["errors"]


def test_an_edit_that_changes_nothing_writes_nothing(personas, api, secret_customer):
    client = api("am01")
    history = secret_customer.history.count()
    response = client.patch(f"/customers/{secret_customer.pk}",
                            {"version": secret_customer.version})
    assert response.status_code == 200 and response.json()["version"] == secret_customer.version
    assert not CustomerEvent.objects.filter(customer=secret_customer, kind="edited").exists()
    assert secret_customer.history.count() == history
    client.patch(f"/customers/{secret_customer.pk}", {"tags": [personas.tags[2].pk],
                                                      "version": secret_customer.version})
    assert list(secret_customer.tags.all()) == [personas.tags[2]]


def test_a_patch_of_the_short_name_keeps_the_seasons_and_dates(personas, api):
    """Finding 1 of issue 9: a PATCH of one field emptied 旺季月份/淡季月份, which the form (that
    the API fills the fields not sent from) did not show. Every field and route:
    tests/test_no_data_loss.py."""
    am01 = personas["am01"]
    customer = make_customer(am01, peak_months=[1, 2, 12], off_months=[7],
                             licence_expiry="2031-04-21", start_date="2015-03-09")
    response = api("am01").patch(f"/customers/{customer.pk}",
                                 {"short_name": "新简称", "version": customer.version})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.short_name, customer.peak_months, customer.off_months,
            str(customer.licence_expiry), str(customer.start_date)) == (
        "新简称", [1, 2, 12], [7], "2031-04-21", "2015-03-09")


def test_delete_needs_the_permission_and_moves_to_the_recycle_bin(personas, api):
    customer = personas.customers["am01"][0]
    response = api("am01").delete(f"/customers/{customer.pk}")  # account managers may not
    assert response.status_code == 404 and response.json() == {"detail": "Not found.",
                                                                "errors": {}}
    assert api("sup1").delete(f"/customers/{customer.pk}").status_code == 204
    customer.refresh_from_db()
    assert customer.is_deleted and customer.history.first().history_user == personas["sup1"]
    assert api("sup1").get(f"/customers/{customer.pk}").status_code == 404


def test_contact_endpoints(personas, api):
    client = api("am01")
    customer = personas.customers["am01"][0]
    response = client.post(f"/customers/{customer.pk}/contacts",
                           {"name": "李主任", "mobile": "13512345678", "is_key_person": True})
    assert response.status_code == 201, response.content
    contact = response.json()
    assert (contact["mobile"], contact["employer"], contact["is_key_person"]) == (
        "135****5678", customer.name, True)
    bad = client.post(f"/customers/{customer.pk}/contacts", {"name": "x", "mobile": "123"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["mobile"]
    listed = client.get(f"/customers/{customer.pk}/contacts").json()
    assert [c["name"] for c in listed["items"]] == ["李主任"]
    assert client.delete(f"/contacts/{contact['id']}").status_code == 204
    assert client.get(f"/contacts/{contact['id']}").status_code == 404
    assert Contact.objects.get(pk=contact["id"]).is_deleted
    # The customer's search text follows its contacts, as on the page.
    make_contact(customer, personas["am01"], name="欧阳锋")
    assert client.get("/customers", {"q": "欧阳锋"}).json()["count"] == 1


# --- reveal ----------------------------------------------------------------------------------

def test_reveal_is_logged_and_throttled(personas, api, secret_customer, settings):
    settings.QIAO_REVEALS_PER_HOUR = 3
    client = api("am01")
    contact = Contact.objects.get(customer=secret_customer)
    got = [client.post(f"/customers/{secret_customer.pk}/reveal", {"field": "phone"}),
           client.post(f"/customers/{secret_customer.pk}/reveal", {"field": "id_number"}),
           client.post(f"/contacts/{contact.pk}/reveal", {"field": "private_info"})]
    assert [r.json() for r in got] == [{"field": "phone", "value": PHONE},
                                       {"field": "id_number", "value": ID_NUMBER},
                                       {"field": "private_info", "value": PRIVATE}]
    reveals = OperationLog.objects.filter(action=K.REVEAL).order_by("id")
    assert [(r.actor, r.customer_id, r.details["field"]) for r in reveals] == [
        (personas["am01"], secret_customer.pk, "phone"),
        (personas["am01"], secret_customer.pk, "id_number"),
        (personas["am01"], secret_customer.pk, "private_info")]
    assert not [r for r in reveals if PHONE in str(r.details) or PRIVATE in str(r.details)]
    refused = client.post(f"/customers/{secret_customer.pk}/reveal", {"field": "fax"})
    assert refused.status_code == 429 and FAX not in refused.content.decode()
    assert set(refused.json()) == {"detail", "errors"}
    assert OperationLog.objects.filter(action=K.REVEAL_REFUSED).count() == 1
    assert OperationLog.objects.filter(action=K.REVEAL).count() == 3


def test_reveal_outside_scope_of_a_pool_customer_or_of_no_sensitive_field(personas, api,
                                                                           secret_customer):
    am02 = api("am02")
    assert am02.post(f"/customers/{secret_customer.pk}/reveal", {"field": "phone"}) \
        .status_code == 404
    pool = personas.customers["pool:华东区"][0]
    assert api("region1").post(f"/customers/{pool.pk}/reveal", {"field": "phone"}) \
        .status_code == 404  # a pool customer stays masked until claimed
    response = api("am01").post(f"/customers/{secret_customer.pk}/reveal", {"field": "name"})
    assert response.status_code == 400 and "field" in response.json()["errors"]
    assert not OperationLog.objects.filter(action=K.REVEAL).exists()


# --- query counts (C29) ----------------------------------------------------------------------

def _count(client, path, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content
    return len(ctx)


def test_list_queries_do_not_grow_with_the_data(personas, api):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    clients = {u: api(u) for u in ("am01", "sup1", "director", "region1")}
    lists = [("am01", "/customers", {}), ("am01", "/customers", {"q": "批量", "sort": "grade"}),
             ("sup1", "/customers", {"page_size": 100}), ("director", "/customers", {"sort": "name"}),
             ("am01", f"/customers/{customer.pk}/contacts", {}), ("director", "/org/users", {}),
             ("am01", "/org/units", {}), ("am01", f"/customers/{customer.pk}", {}),
             ("region1", "/pool", {}), ("director", "/pool", {"q": "测试"})]

    def counts():
        return [_count(clients[u], path, params) for u, path, params in lists]

    counts()  # warm up (content types, the token's last use)
    add_customers(personas, am01, 0, 20)
    make_contact(customer, am01, name="一")
    small = counts()
    add_customers(personas, am01, 20, 400)
    for _ in range(6):  # the pool grows too
        make_customer(None, actor=personas["director"], region=personas.org.regions[0])
    for i in range(12):
        make_contact(customer, am01, name=f"联系人{i}", mobile=f"1380013{i:04d}")
    assert counts() == small
    assert max(small) <= 12, small
    assert clients["am01"].get("/customers", {"page_size": 100}).json()["count"] == 402


# --- the public pool -------------------------------------------------------------------------

def test_pool_list_and_claim(personas, api):
    east = personas.customers["pool:华东区"][0]
    north = personas.customers["pool:华北区"][0]
    am01 = api("am01")
    count, items = am01.all_pages("/pool")
    assert (count, ids(items)) == (1, {east.pk})
    assert items[0]["owner"] is None and items[0]["in_pool"] is True
    assert am01.get("/pool", {"q": east.name}).json()["count"] == 1
    assert am01.get("/pool", {"q": north.name}).json()["count"] == 0
    assert am01.post(f"/pool/{north.pk}/claim").status_code == 404  # another region's pool
    assert am01.post(f"/pool/{personas.customers['am02'][0].pk}/claim").status_code == 404
    response = am01.post(f"/pool/{east.pk}/claim")
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["username"] == "am01"
    east.refresh_from_db()
    assert east.owner == personas["am01"] and east.history.first().history_user == personas["am01"]
    assert am01.get(f"/customers/{east.pk}").status_code == 200
    # Too late for a colleague: a clear conflict, not a 404.
    late = api("am02").post(f"/pool/{east.pk}/claim")
    assert late.status_code == 409 and set(late.json()) == {"detail", "errors"}
    assert api("agent01").get("/pool").status_code == 401  # agents have no API at all
    assert api("admin").get("/pool").status_code == 404  # nor pool rights


def test_the_daily_claim_limit_is_a_409(personas, api):
    from qiao.customers.models import PoolRule

    region = personas.org.regions[0]
    PoolRule.objects.create(region=region, daily_claim_limit=1)
    extra = make_customer(None, actor=personas["director"], region=region)
    am01 = api("am01")
    assert am01.post(f"/pool/{personas.customers['pool:华东区'][0].pk}/claim").status_code == 200
    response = am01.post(f"/pool/{extra.pk}/claim")
    assert response.status_code == 409 and "limit" in response.json()["detail"]
    extra.refresh_from_db()
    assert extra.owner is None
