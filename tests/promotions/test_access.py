"""Out of scope → 404 on every promotion route (DESIGN rule 4, CHECKS C01)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from qiao.promotions.demo import signature_data_url
from qiao.promotions.models import Handout

from .factories import make_campaign, make_handout, make_recommendation


@pytest.fixture
def handed(personas):
    """am01's customer recommended, confirmed and handed out with a signed receipt."""
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    return make_handout(rec)


def _routes(handout):
    rec = handout.recommendation
    return [reverse("promotions:handout", args=[rec.pk]),
            reverse("promotions:receipt", args=[handout.pk]),
            reverse("promotions:signature", args=[handout.pk])]


@pytest.mark.parametrize("username", ["am05", "am03", "am02"])
def test_other_managers_get_404_on_a_recommendation_they_do_not_see(personas, handed, username):
    client = personas.client(username)
    for url in _routes(handed):
        assert client.get(url).status_code == 404, url
    rec = handed.recommendation
    response = client.post(reverse("promotions:handout", args=[rec.pk]), {
        "handed_out_on": timezone.localdate().isoformat(), "signer_name": "x",
        "signature": signature_data_url()})
    assert response.status_code == 404
    assert Handout.objects.count() == 1
    # The campaign is theirs to see, but not am01's row in it.
    page = client.get(reverse("promotions:detail", args=[rec.campaign.pk])).content.decode()
    assert rec.customer.name not in page


@pytest.mark.parametrize("username", ["am01", "sup1", "region1", "deptmgr", "director",
                                      "brandmgr"])
def test_those_in_scope_see_the_receipt(personas, handed, username):
    client = personas.client(username)
    assert client.get(reverse("promotions:receipt", args=[handed.pk])).status_code == 200
    assert client.get(reverse("promotions:signature", args=[handed.pk])).status_code == 200
    page = client.get(reverse("promotions:detail",
                              args=[handed.recommendation.campaign.pk])).content.decode()
    assert handed.recommendation.customer.name in page


def test_a_brand_manager_sees_only_his_own_campaigns(personas):
    other_draft = make_campaign(personas["deptmgr"], state="draft")
    other_open = make_campaign(personas["deptmgr"])
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0],
                              campaign=other_open)
    brand = personas.client("brandmgr")
    for campaign in (other_draft, other_open):
        assert brand.get(reverse("promotions:detail", args=[campaign.pk])).status_code == 404
        assert brand.get(reverse("promotions:edit", args=[campaign.pk])).status_code == 404
        assert brand.post(reverse("promotions:close", args=[campaign.pk])).status_code == 404
    assert brand.post(reverse("promotions:decide", args=[rec.pk]),
                      {"decision": "confirm"}).status_code == 404
    listing = brand.get(reverse("promotions:list")).content.decode()
    assert other_open.name not in listing and other_draft.name not in listing


def test_a_customer_whose_secret_level_was_raised_leaves_the_brand_managers_view(personas):
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    type(rec.customer).objects.filter(pk=rec.customer.pk).update(secret_level=2)
    page = personas.client("brandmgr").get(
        reverse("promotions:detail", args=[rec.campaign.pk])).content.decode()
    assert rec.customer.name not in page


def test_anonymous_and_leavers_see_nothing(personas, handed, client):
    for url in _routes(handed) + [reverse("promotions:list")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    leaver = personas.client("leaver")
    for url in _routes(handed):
        assert leaver.get(url).status_code in (302, 404)
