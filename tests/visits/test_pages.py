"""The visit pages: the list (filters, export), the new-visit form (from the list and from the
customer page), the record with its signature, the commitments; the customer page's visits tab;
scope (another manager: 404) and query counts that do not grow with the rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.visits.models import Commitment, Visit

from ..factories import make_contact
from .factories import SIGNATURE, make_visit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(customer, **changes):
    today = timezone.localdate()
    data = {"customer": customer.pk, "idempotency_key": "6f1c2d9e-3b4a-4c5d-8e7f-1a2b3c4d5e6f",
            "kind": "regular", "method": "on_site", "planned": "on",
            "visited_on": today.isoformat(), "purpose": "例行走访", "tasks": ["inform"],
            "findings": "陈列整齐", "signer_name": "王建国", "signature": SIGNATURE,
            "commitment_1": "下周补货", "commitment_1_due": (today + timedelta(days=7)).isoformat()}
    data.update(changes)
    return data


def test_a_visit_recorded_from_the_customer_page(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    make_contact(customer, am01, name="钱经理", title="采购经理", has_decision_power=True)
    client = personas.client("am01")
    tab = client.get(reverse("customers:detail_tab", args=[customer.pk, "visits"]), **HTMX)
    assert tab.status_code == 200 and 'data-testid="customer-new-visit"' in tab.content.decode()
    url = reverse("visits:new") + f"?customer={customer.pk}"
    page = client.get(url).content.decode()
    assert "钱经理 · 采购经理 · " in page and 'data-testid="signature-pad"' in page
    response = client.post(reverse("visits:new"), form_data(customer))
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.author == am01 and visit.tasks == ["inform"]
    assert Commitment.objects.get().text == "下周补货"
    # The same record sent again (a double tap, a resend): the first one, not a second.
    again = client.post(reverse("visits:new"), form_data(customer))
    assert again["Location"] == response["Location"] and Visit.objects.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "王建国" in detail and 'data-testid="visit-signature"' in detail
    signature = client.get(reverse("visits:signature", args=[visit.pk]))
    assert signature.status_code == 200 and signature["Content-Type"] == "image/png"
    tab = client.get(reverse("customers:detail_tab", args=[customer.pk, "visits"]), **HTMX)
    assert 'data-testid="customer-visit"' in tab.content.decode()
    assert "下周补货" in tab.content.decode()


@pytest.mark.parametrize("change", [
    {"visited_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
    {"signature": ""},
    {"kind": "special", "situation": ""},
    {"commitment_1_due": ""},
])
def test_bad_input_on_the_form_is_refused_with_nothing_written(personas, change):
    customer = personas.customers["am01"][0]
    response = personas.client("am01").post(reverse("visits:new"), form_data(customer, **change))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="invalid-feedback d-block"' in html or 'data-testid="form-errors"' in html
    assert Visit.objects.count() == Commitment.objects.count() == 0


def test_another_managers_customer_and_visit_are_missing(personas):
    visit = make_visit(personas["am01"], personas.customers["am01"][0])
    am03 = personas.client("am03")
    customer = personas.customers["am01"][0]
    assert am03.get(reverse("visits:new") + f"?customer={customer.pk}").status_code == 404
    assert am03.post(reverse("visits:new"), form_data(customer)).status_code == 404
    assert am03.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    assert am03.get(reverse("visits:signature", args=[visit.pk])).status_code == 404
    commitment = make_visit(personas["am01"], customer, commitments=[
        ("补货", timezone.localdate())]).commitments.get()
    assert am03.post(reverse("visits:fulfil", args=[commitment.pk])).status_code == 404
    assert Visit.objects.count() == 2
    assert Commitment.objects.get().status == "open"
    # The supervisor sees the team's; the call centre has no visits at all.
    assert personas.client("sup1").get(reverse("visits:detail", args=[visit.pk])).status_code == 200
    assert personas.client("agent01").get(reverse("visits:list")).status_code == 404


def test_the_list_filters_and_exports(personas):
    am01 = personas["am01"]
    first, second = personas.customers["am01"]
    today = timezone.localdate()
    make_visit(am01, first, visited_on=today - timedelta(days=3))
    make_visit(am01, second, visited_on=today - timedelta(days=40), kind="special",
               situation="门店失火")
    client = personas.client("sup1")
    rows = lambda **q: client.get(reverse("visits:list"), q).content.decode().count(  # noqa: E731
        'data-testid="visit-row"')
    assert rows() == 2
    assert rows(kind="special") == 1
    assert rows(date_from=(today - timedelta(days=10)).isoformat()) == 1
    assert rows(q=second.name) == 1
    assert rows(author=personas["am02"].pk) == 0
    assert rows(customer=first.pk) == 1
    export = client.get(reverse("visits:export_xlsx"), {"kind": "special"})
    assert export.status_code == 200
    assert "spreadsheet" in export["Content-Type"]
    # An account manager may not export (客户资料导出 is the supervisor's).
    assert personas.client("am01").get(reverse("visits:export_csv")).status_code == 404


def test_commitments_are_fulfilled_from_their_list(personas):
    am01 = personas["am01"]
    make_visit(am01, personas.customers["am01"][0], visited_on=timezone.localdate() - timedelta(
        days=9), commitments=[("补送宣传资料", timezone.localdate() - timedelta(days=2))])
    client = personas.client("am01")
    page = client.get(reverse("visits:commitments"), {"overdue": "on", "mine": "on"})
    assert page.content.decode().count('data-testid="commitment"') == 1
    commitment = Commitment.objects.get()
    response = client.post(reverse("visits:fulfil", args=[commitment.pk]),
                           {"note": "已送达", "next": "list"})
    assert response.status_code == 302 and response["Location"] == reverse("visits:commitments")
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled" and commitment.return_due_on is not None
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="desk-commitments"' in home


def test_the_list_and_the_customer_tab_cost_the_same_for_few_and_many(personas):
    am01 = personas["am01"]
    customer = personas.customers["am01"][0]
    client = personas.client("am01")
    urls = [reverse("visits:list"),
            reverse("customers:detail_tab", args=[customer.pk, "visits"]),
            reverse("visits:commitments")]

    def cost():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, **HTMX).status_code == 200
            counts.append(len(ctx))
        return counts

    make_visit(am01, customer, commitments=[("补货", timezone.localdate())])
    client.get(urls[0])  # warm up
    small = cost()
    for n in range(8):
        make_visit(am01, customer, visited_on=timezone.localdate() - timedelta(days=n + 2),
                   commitments=[(f"补货{n}", timezone.localdate())])
    assert cost() == small
