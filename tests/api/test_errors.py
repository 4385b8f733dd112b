"""Bad input never reaches a 500: malformed JSON, wrong types, unknown fields, huge bodies,
out-of-range numbers and text the database cannot store each get a 4xx in the one error format
with a message naming the field, and nothing is written."""

import pytest

from qiao.customers.models import Contact, Customer
from tests.factories import make_contact

BIG = 10**30


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def records(personas):
    customer = personas.customers["am01"][0]
    contact = make_contact(customer, personas["am01"], name="联系人")
    return {"c": customer.pk, "k": contact.pk}


def snapshot():
    return (sorted(Customer._base_manager.values_list("pk", "version", "is_deleted")),
            sorted(Contact._base_manager.values_list("pk", "version", "is_deleted")))


J = "application/json"
# (method, path, body: dict | bytes | None, query, status, field named in errors or None)
CASES = [
    # malformed JSON and bodies of the wrong shape
    ("post", "/customers", b"{bad", None, 400, "body"),
    ("post", "/customers", b'{"name": }', None, 400, "body"),
    ("post", "/customers", b"\xff\xfe\x00", None, 400, "body"),
    ("post", "/customers", b"", None, 400, "body"),
    ("post", "/customers", b"[]", None, 400, "body"),
    ("post", "/customers", b'"text"', None, 400, "body"),
    ("post", "/customers", b"null", None, 400, "body"),
    ("post", "/customers", b"[" * 100_000 + b"]" * 100_000, None, 400, "body"),
    ("patch", "/customers/{c}", b"{", None, 400, "body"),
    ("post", "/customers", b'{"name": "\\ud800"}', None, 400, "name"),
    ("post", "/customers", {"name": "a\x00b"}, None, 400, "name"),
    # wrong types and values
    ("post", "/customers", {"name": 123}, None, 400, "name"),
    ("post", "/customers", {"name": None}, None, 400, "name"),
    ("post", "/customers", {"name": "x", "tags": "1,2"}, None, 400, "tags"),
    ("post", "/customers", {"name": "x", "tags": [1.5]}, None, 400, "tags.0"),
    ("post", "/customers", {"name": "x", "tags": [BIG]}, None, 400, "tags.0"),
    ("post", "/customers", {"name": "x", "peak_months": [13]}, None, 400, "peak_months.0"),
    ("post", "/customers", {"name": "x", "tags": [999_999]}, None, 400, "tags"),
    ("post", "/customers", {"name": "x", "staff_count": -1}, None, 400, "staff_count"),
    ("post", "/customers", {"name": "x", "staff_count": "many"}, None, 400, "staff_count"),
    ("post", "/customers", {"name": "x", "staff_count": False}, None, 400, "staff_count"),
    ("post", "/customers", {"name": "x", "licence_expiry": "2024-02-30"}, None, 400,
     "licence_expiry"),
    ("post", "/customers", {"name": "x", "region": BIG}, None, 400, "region"),
    ("post", "/customers", {"name": "x", "region": 999_999}, None, 400, "region"),
    ("post", "/customers", {"name": "x", "kind": "alien"}, None, 400, "kind"),
    ("post", "/customers", {"name": "x", "phone": "12345"}, None, 400, "phone"),
    ("post", "/customers", {"name": "   "}, None, 400, "name"),
    ("post", "/customers", {"name": "x" * 121}, None, 400, "name"),
    # the documented length holds for the text as sent, invisible characters included
    ("post", "/customers", {"name": "\u200b" + "x" * 120}, None, 400, "name"),
    ("patch", "/customers/{c}", {"version": "new"}, None, 400, "version"),
    ("patch", "/customers/{c}", {"version": BIG}, None, 400, "version"),
    ("patch", "/customers/{c}", {"version": 0}, None, 400, "version"),
    ("post", "/customers/{c}/contacts", {"name": "x", "is_key_person": "maybe"}, None, 400,
     "is_key_person"),
    ("post", "/customers/{c}/contacts", {"name": "x", "email": "not-an-email"}, None, 400, "email"),
    ("post", "/customers/{c}/contacts", {"name": "x", "birthday": "99999-01-01"}, None, 400,
     "birthday"),
    ("patch", "/contacts/{k}", {"name": "", "version": 1}, None, 400, "name"),
    ("post", "/customers/{c}/reveal", {"field": "notes"}, None, 400, "field"),
    ("post", "/customers/{c}/reveal", {}, None, 400, "field"),
    # unknown fields
    ("post", "/customers", {"name": "x", "owner_unit": 1}, None, 400, "owner_unit"),
    ("post", "/customers", {"name": "x", "is_deleted": True}, None, 400, "is_deleted"),
    ("patch", "/customers/{c}", {"version": 1, "created_by": 1}, None, 400, "created_by"),
    ("patch", "/contacts/{k}", {"version": 1, "customer": 2}, None, 400, "customer"),
    ("post", "/customers/{c}/reveal", {"field": "phone", "why": "x"}, None, 400, "why"),
    # huge payloads: refused before they are read
    ("post", "/customers", {"name": "x", "notes": "长" * 400_000}, None, 413, None),
    ("post", "/customers", b" " * (3 * 1024 * 1024), None, 413, None),
    ("patch", "/customers/{c}", {"version": 1, "notes": "x" * 1_100_000}, None, 413, None),
    # query and path parameters
    ("get", "/customers", None, {"page": 0}, 400, "page"),
    ("get", "/customers", None, {"page": -3}, 400, "page"),
    ("get", "/customers", None, {"page": "two"}, 400, "page"),
    ("get", "/customers", None, {"page": BIG}, 400, "page"),
    ("get", "/customers", None, {"page_size": 0}, 400, "page_size"),
    ("get", "/customers", None, {"page_size": 101}, 400, "page_size"),
    ("get", "/customers", None, {"grade": -1}, 400, "grade"),
    ("get", "/customers", None, {"owner": BIG}, 400, "owner"),
    ("get", "/customers", None, {"sort": "DROP TABLE"}, 400, "sort"),
    ("get", "/customers", None, {"status": "gone"}, 400, "status"),
    ("get", "/customers", None, {"q": "a\x00b"}, 400, "q"),
    ("get", "/customers", None, {"q": "x" * 1001}, 400, "q"),
    ("get", "/pool", None, {"q": "\x82\x18" + "$" * 999}, 400, "q"),
    ("get", "/org/users", None, {"page": 0}, 400, "page"),
    ("get", "/customers/{c}/contacts", None, {"page_size": 1000}, 400, "page_size"),
    ("get", "/customers/0", None, None, 400, "customer_id"),
    ("get", "/customers/-1", None, None, 400, "customer_id"),
    ("get", f"/customers/{BIG}", None, None, 400, "customer_id"),
    ("get", "/customers/abc", None, None, 400, "customer_id"),
    ("delete", "/contacts/1.5", None, None, 400, "contact_id"),
    ("get", "/customers/999999", None, None, 404, None),
    ("get", "/contacts/999999", None, None, 404, None),
]


@pytest.mark.parametrize(("method", "path", "body", "query", "status", "field"), CASES,
                         ids=[f"{c[0]} {c[1]} {str(c[2] or c[3])[:40]}" for c in CASES])
def test_bad_input_is_a_clear_4xx_and_writes_nothing(personas, api, records, method, path, body,
                                                     query, status, field):
    client = api("am01")
    url = path.format(**records)
    before = snapshot()
    if method == "get":
        response = client.get(url, query)
    elif method == "delete":
        response = client.delete(url)
    elif isinstance(body, bytes):
        response = client.raw(method, url, body)
    else:
        response = client.send(method, url, body)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(J)
    payload = response.json()
    assert set(payload) == {"detail", "errors"} and payload["detail"].strip()
    if field:
        assert field in payload["errors"], payload
        assert all(m.strip() for m in payload["errors"][field])
    assert snapshot() == before


def test_form_encoded_bodies_and_unknown_query_parameters(personas, api, records):
    client = api("am01")
    response = client.raw("post", "/customers", b"name=x",
                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "body" in response.json()["errors"]
    # Unknown query parameters are ignored, as by the pages.
    assert client.get("/customers", {"colour": "blue"}).json()["count"] == 2


def test_unsupported_methods_are_405(personas, api, records):
    client = api("am01")
    assert client.client.put(f"/api/v1/customers/{records['c']}", b"{}", content_type=J,
                             **client.headers).status_code == 405
    assert client.delete("/customers").status_code == 405
