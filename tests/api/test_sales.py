"""Sales and credit through the API (what an ERP posts and a dashboard reads): the pages'
services and scope behind it, postings idempotent by external id, bad input 400 with nothing
written, another manager's customer 404, figures equal to the pages'."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qiao.customers.models import CustomerEvent
from qiao.sales import selectors, services
from qiao.sales.models import CustomerMonth, ManagerMonth, Order, Receipt, SalesReturn
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


def batch_entry(customer, external_id, *, quantity=1, product="P1", **changes):
    return {"customer": customer.pk, "ordered_on": timezone.localdate().isoformat(),
            "channel": "phone", "external_id": external_id,
            "lines": [{"product": product, "quantity": quantity}], **changes}


def test_a_batch_posts_each_order_as_one_posting_would_and_refuses_the_bad_ones(
        personas, api, products):
    client = api("am01")
    first, limited = personas.customers["am01"]
    services.credit_file_create(actor=personas["am01"], customer=limited, data={
        "investigated_on": timezone.localdate(), "rating": "B", "score": 70,
        "terms": "credit", "credit_limit": Decimal("250.00"), "term_days": 30})
    batch = [batch_entry(first, "B-1", quantity=2),            # ¥200, the customer's first
             batch_entry(first, "B-2", quantity=3),            # ¥300, now a fixed customer
             batch_entry(limited, "B-3", product="NOPE"),      # no such product
             batch_entry(personas.customers["am02"][0], "B-4"),  # not am01's
             batch_entry(limited, "B-5", quantity=2),          # ¥200 within ¥250
             batch_entry(limited, "B-6", quantity=1),          # ¥300 in all: over the limit
             batch_entry(first, "B-1", quantity=2),            # B-1 repeated
             batch_entry(limited, "B-7", ordered_on="0001-01-01")]
    answer = client.post("/orders/batch", {"orders": batch})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["created"], body["existing"], body["refused"]) == (3, 1, 4)
    results = body["results"]
    assert [result["status"] for result in results] == [
        "created", "created", "refused", "refused", "created", "refused", "existing", "refused"]
    assert results[0]["order"]["customer_kind"] == "new"
    assert results[1]["order"]["customer_kind"] == "fixed"
    assert results[6]["order"]["id"] == results[0]["order"]["id"]
    assert "NOPE" in results[2]["error"] and "超过赊销限额" in results[5]["error"]
    assert results[3]["error"] and results[7]["error"]
    assert Order.objects.count() == 3
    figures = selectors.figures(personas["am01"], timezone.localdate())
    assert figures["net_sales"] == Decimal("700.00") and figures["order_count"] == 3
    assert CustomerEvent.objects.filter(kind="order_posted").count() == 3
    again = client.post("/orders/batch", {"orders": batch}).json()
    assert (again["created"], again["existing"], again["refused"]) == (0, 4, 4)
    assert Order.objects.count() == 3
    assert selectors.figures(personas["am01"], timezone.localdate())["order_count"] == 3


def test_a_batch_leaves_the_figures_the_ledger_rebuilds(personas, api, products):
    customers = personas.customers["am01"]
    batch = [batch_entry(customers[i % 2], f"R-{i}", quantity=i + 1,
                         product=("P1", "P2")[i % 2], discount=f"{i}.00", commission="1.50")
             for i in range(12)]
    assert api("am01").post("/orders/batch", {"orders": batch}).json()["created"] == 12
    posted = {model: list(model.objects.order_by(*keys).values())
              for model, keys in ((ManagerMonth, ("month", "manager")),
                                  (CustomerMonth, ("month", "customer")))}
    services.rebuild()
    for model, rows in posted.items():
        keys = ("month", "manager") if model is ManagerMonth else ("month", "customer")
        rebuilt = list(model.objects.order_by(*keys).values())
        assert [{k: v for k, v in row.items() if k != "id"} for row in rebuilt] == [
            {k: v for k, v in row.items() if k != "id"} for row in rows]


def test_a_batchs_queries_grow_with_its_customers_not_its_orders(personas, api, products):
    client = api("am01")
    customers = personas.customers["am01"][:2]

    def queries(count, run):
        with CaptureQueriesContext(connection) as captured:
            answer = client.post("/orders/batch", {"orders": [
                batch_entry(customers[i % 2], f"{run}-{i}") for i in range(count)]})
        assert answer.json()["created"] == count
        return len(captured)

    queries(2, "warm")
    assert queries(4, "few") == queries(40, "many")


@pytest.mark.parametrize("orders", [[], "many", [{"customer": 1}]])
def test_a_malformed_batch_is_refused_whole(personas, api, products, orders):
    customer = personas.customers["am01"][0]
    if orders == "many":
        orders = [batch_entry(customer, f"M-{i}") for i in range(501)]
    elif orders:
        orders = [{k: v for k, v in batch_entry(customer, "X").items() if k != "external_id"}]
    assert api("am01").post("/orders/batch", {"orders": orders}).status_code == 400
    assert Order.objects.count() == 0
