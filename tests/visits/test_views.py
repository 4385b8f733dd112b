"""The hospitality form: submitted with its approval request or refused with nothing written,
only to those who may request approval, offering a short list of customers; reached from the
approval pages and the customer page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from qiao.approvals.models import ApprovalRequest
from qiao.visits.models import HospitalityRequest

pytestmark = pytest.mark.django_db


def test_hospitality_form_submits_and_refuses_clearly(personas, chain):
    client = personas.client("am01")
    url = reverse("visits:hospitality_new")
    assert client.get(url).status_code == 200
    data = {"customer": personas.customers["am01"][0].pk, "amount": "880.50",
            "date": "2026-12-01", "guests": "采购部 2 人", "purpose": "季度走访"}
    response = client.post(url, data)
    assert response.status_code == 302
    request = ApprovalRequest.objects.get()
    assert response["Location"] == reverse("approvals:detail", args=[request.pk])
    assert request.amount == Decimal("880.50") and request.requester == personas["am01"]
    # a customer the requester does not see is not a choice: 400, nothing written
    response = client.post(url, {**data, "customer": personas.customers["am05"][0].pk})
    assert response.status_code == 400
    response = client.post(url, {**data, "amount": "-5"})
    assert response.status_code == 400
    assert ApprovalRequest.objects.count() == 1 and HospitalityRequest.objects.count() == 1
    # a chain step that finds nobody: refused with the step named, nothing written
    chain.steps.filter(order=1).update(rule="regional_manager")
    personas.org.regions[0].__class__.objects.filter(pk=personas.org.regions[0].pk).update(manager=None)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "主管审批" in response.content.decode()
    assert ApprovalRequest.objects.count() == 1 and HospitalityRequest.objects.count() == 1


@pytest.mark.parametrize("username", ["agent01", "qa01", "admin", "brandmgr"])
def test_hospitality_form_needs_the_action(personas, chain, username):
    assert personas.client(username).get(reverse("visits:hospitality_new")).status_code == 404


def test_the_customer_choice_is_a_short_list_yet_any_visible_customer_is_accepted(personas, chain):
    """A manager sees many customers: the form offers his own (sup1 has none) or the one he
    came from, never his whole scope, and still accepts any customer he sees."""
    url = reverse("visits:hospitality_new")
    everyone = personas.all_customers()
    sup1 = personas.client("sup1")
    page = sup1.get(url).content.decode()
    assert not [c.name for c in everyone if c.name in page]
    am02s = personas.customers["am02"][0]
    page = sup1.get(f"{url}?customer={am02s.pk}").content.decode()
    assert [c.name for c in everyone if c.name in page] == [am02s.name]
    response = sup1.post(url, {"customer": am02s.pk, "amount": "300", "date": "2026-12-01",
                               "guests": "2 人", "purpose": "拜访"})
    assert response.status_code == 302
    # an account manager is offered his own customers; another's id in the address is ignored
    page = personas.client("am01").get(f"{url}?customer={am02s.pk}").content.decode()
    assert am02s.name not in page
    page = personas.client("am01").get(url).content.decode()
    assert all(c.name in page for c in personas.customers["am01"])
    assert not [c.name for c in personas.customers["am02"] if c.name in page]


def test_the_customer_page_starts_a_request_for_that_customer(personas, chain):
    customer = personas.customers["am01"][0]
    page = personas.client("am01").get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert f'{reverse("visits:hospitality_new")}?customer={customer.pk}' in page
    assert f'{reverse("workorders:new")}?customer={customer.pk}' in page
    pooled = personas.customers[f"pool:{personas.org.regions[0].name}"][0]  # no manager yet
    page = personas.client("am01").get(reverse("customers:detail", args=[pooled.pk])).content.decode()
    assert "?customer=" not in page


@pytest.mark.parametrize("page", ["approvals:waiting", "approvals:mine", "approvals:delegations"])
def test_the_approval_pages_offer_the_form_to_those_who_may_request(personas, page):
    button = f'href="{reverse("visits:hospitality_new")}" data-testid="new-hospitality"'
    assert button in personas.client("am01").get(reverse(page)).content.decode()
    assert button not in personas.client("agent01").get(reverse(page)).content.decode()
