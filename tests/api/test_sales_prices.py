"""Order lines the API posts without a price take the price lists' (价目表) price, one order
or a batch alike."""

from decimal import Decimal

import pytest
from django.utils import timezone

from qiao.sales.models import OrderLine
from tests.sales.factories import grade_customers, make_price_list, make_product

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def test_the_api_and_a_batch_price_blank_lines_from_the_lists(personas, api):
    first, other, top = grade_customers(personas)
    p1 = make_product("P1", "100.00")
    make_price_list("通用", [(p1, "98.00", 1)])
    make_price_list("一级", [(p1, "94.00", 1), (p1, "90.00", 10)], grade=top)
    client = api("am01")
    one = client.post("/orders", {"customer": first.pk, "ordered_on": _today().isoformat(),
                                  "channel": "phone", "lines": [{"product": "P1",
                                                                  "quantity": 10}]})
    assert one.status_code == 201, one.json()
    assert one.json()["lines"][0]["price"] == "90.00"
    assert one.json()["lines"][0]["list_price"] == "90.00"
    batch = client.post("/orders/batch", {"orders": [
        {"customer": customer.pk, "ordered_on": _today().isoformat(), "channel": "visit",
         "external_id": f"PB-{i}", "lines": [{"product": "P1", "quantity": 1}]}
        for i, customer in enumerate((first, other))]}).json()
    assert batch["created"] == 2, batch
    assert [OrderLine.objects.get(order__external_id=f"PB-{i}").price for i in (0, 1)] == [
        Decimal("94.00"), Decimal("98.00")]
