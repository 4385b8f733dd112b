"""Sales and credit through the API (what an ERP posts and a dashboard reads): the pages'
services and scope behind it, postings idempotent by external id, bad input 400 with nothing
written, another manager's customer 404, figures equal to the pages'."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiao.sales import selectors
from qiao.sales.models import Order, Receipt, SalesReturn
from tests.sales.factories import make_order, make_product

SEES_AM01 = {"am01", "sup1", "region1", "deptmgr", "director"}
WITH_API = ("director", "deptmgr", "region1", "sup1", "am01", "am02", "am03")


def order_body(customer, **changes):
    return {"customer": customer.pk, "ordered_on": timezone.localdate().isoformat(),
            "channel": "phone", "lines": [{"product": "P1", "quantity": 3},
                                          {"product": "P2", "quantity": 1, "price": "45.50"}],
            "external_id": "ERP-0001", **changes}


@pytest.fixture
def products(db):
    return make_product("P1", "100.00", "60.00"), make_product("P2", "50.00", "30.00")


def test_an_erp_posts_an_order_once_whatever_it_repeats(personas, api, products):
    client = api("am01")
    customer = personas.customers["am01"][0]
    first = client.post("/orders", order_body(customer))
    assert first.status_code == 201, first.json()
    order = first.json()
    assert order["number"] == f"XS{order['id']:08d}" and order["amount"] == "345.50"
    assert order["manager"]["username"] == "am01" and order["customer_kind"] == "new"
    assert [line["product_code"] for line in order["lines"]] == ["P1", "P2"]
    again = client.post("/orders", order_body(customer))
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    assert Order.objects.count() == 1
    elsewhere = client.post("/orders", order_body(personas.customers["am01"][1]))
    assert elsewhere.status_code == 400 and "external_id" in elsewhere.json()["errors"]


@pytest.mark.parametrize("changes", [
    {"lines": []},
    {"lines": [{"product": "P1", "quantity": 0}]},
    {"lines": [{"product": "P1", "quantity": -1}]},
    {"lines": [{"product": "NOPE", "quantity": 1}]},
    {"lines": [{"product": "P1", "quantity": 1, "price": "-1"}]},
    {"lines": [{"product": "P1", "quantity": 1, "price": "0.001"}]},
    {"lines": [{"product": "P1", "quantity": 10_000_000}]},
    {"ordered_on": "0001-01-01"},
    {"ordered_on": "2999-01-01"},
    {"discount": "-3"},
    {"discount": "10000"},
    {"channel": "fax"},
    {"external_id": ""},
    {"note": "x" * 501},
    {"surprise": 1},
])
def test_bad_orders_are_refused_and_nothing_is_written(personas, api, products, changes):
    response = api("am01").post("/orders", order_body(personas.customers["am01"][0], **changes))
    assert response.status_code == 400, response.json()
    assert response.json()["detail"]
    assert Order.objects.count() == 0


def test_another_managers_customer_is_404_everywhere(personas, api, products):
    client = api("am01")
    theirs = personas.customers["am02"][0]
    assert client.post("/orders", order_body(theirs)).status_code == 404
    assert client.post("/receipts", {"customer": theirs.pk, "amount": "1.00", "method": "cash",
                                     "received_on": timezone.localdate().isoformat()}
                       ).status_code == 404
    order = make_order(personas["am02"], theirs, delivered_on=timezone.localdate())
    assert client.get(f"/orders/{order.pk}").status_code == 404
    assert client.post("/returns", {"line": order.lines.get().pk, "quantity": 1,
                                    "reason": "quality",
                                    "returned_on": timezone.localdate().isoformat()}
                       ).status_code == 404
    assert client.get(f"/credit/{theirs.pk}").status_code == 404
    assert client.get("/figures", {"month": timezone.localdate().isoformat(),
                                   "manager": personas["am02"].pk}).status_code == 404
    assert Receipt.objects.count() == SalesReturn.objects.count() == 0


def test_deliver_return_and_pay_then_the_figures_and_credit_agree(personas, api, products):
    client = api("am01")
    customer = personas.customers["am01"][0]
    today = timezone.localdate().isoformat()
    order = client.post("/orders", order_body(customer)).json()
    delivered = client.post(f"/orders/{order['id']}/transition", {"action": "deliver",
                                                                   "on": today})
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    line = order["lines"][0]["id"]
    too_many = client.post("/returns", {"line": line, "quantity": 4, "reason": "quality",
                                        "returned_on": today})
    assert too_many.status_code == 400
    returned = client.post("/returns", {"line": line, "quantity": 1, "reason": "quality",
                                        "returned_on": today, "external_id": "RT-1"})
    assert returned.status_code == 201 and returned.json()["amount"] == "100.00"
    assert client.post("/returns", {"line": line, "quantity": 1, "reason": "quality",
                                    "returned_on": today, "external_id": "RT-1"}
                       ).status_code == 200
    paid = client.post("/receipts", {"customer": customer.pk, "amount": "200.00",
                                     "method": "transfer", "received_on": today,
                                     "order": order["id"]})
    assert paid.status_code == 201
    figures = client.get("/figures", {"month": today}).json()
    assert figures["net_sales"] == "245.50" and figures["collections"] == "200.00"
    assert figures["receivable"] == "45.50" and figures["returns"] == "100.00"
    mine = selectors.figures(personas["am01"], timezone.localdate())
    assert Decimal(figures["gross_margin"]) == mine["gross_margin"]
    credit = client.get(f"/credit/{customer.pk}").json()
    assert credit["receivable"] == "45.50" and credit["file"] is None
    assert credit["ageing"]["current"] == "45.50"
    listed = client.get("/receipts").json()
    assert listed["count"] == 1 and listed["items"][0]["amount"] == "200.00"


def test_each_persona_lists_the_orders_it_may_see(personas, api, products):
    make_order(personas["am01"], personas.customers["am01"][0], note="am01's")
    for persona in WITH_API:
        listed = api(persona).get("/orders").json()
        assert (listed["count"] == 1) == (persona in SEES_AM01), persona


def test_the_order_list_has_a_fixed_number_of_queries(personas, api, products):
    client = api("sup1")
    make_order(personas["am01"], personas.customers["am01"][0])
    client.get("/orders")
    with CaptureQueriesContext(connection) as few:
        client.get("/orders")
    for customer in personas.customers["am01"] + personas.customers["am02"]:
        make_order(personas["am01" if customer in personas.customers["am01"] else "am02"],
                   customer)
    with CaptureQueriesContext(connection) as more:
        assert client.get("/orders").json()["count"] == 5
    assert len(more) == len(few)
