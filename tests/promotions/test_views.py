"""The promotion pages: what each role sees and does, refusals, and constant query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qiao.promotions.models import Campaign, CampaignItem, Recommendation
from tests.factories import make_customer

from .factories import make_campaign, make_eligible, make_handout, make_recommendation


def _queries(client, url):
    client.get(url)  # the session's first page does its own bookkeeping once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_brand_manager_creates_edits_and_opens_a_campaign(personas):
    client = personas.client("brandmgr")
    today = timezone.localdate()
    data = {"name": "夏季促销", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(), "quota": "10",
            "lowest_grade_rank": "3", "description": "三级以上客户",
            "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0",
            "items-0-name": "遮阳伞", "items-0-unit": "把", "items-1-name": "水杯",
            "items-1-unit": "个"}
    page = client.get(reverse("promotions:create")).content.decode()
    assert "三级及以上" in page  # the grade choices, 三级 by default
    response = client.post(reverse("promotions:create"), data)
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.state == "draft"
    assert [(i.name, i.unit) for i in campaign.items.all()] == [("遮阳伞", "把"), ("水杯", "个")]
    assert campaign.lowest_grade_rank == 3 and campaign.owner == personas["brandmgr"]
    # Edit: a wrong period is refused in place.
    bad = {**data, "ends_on": (today - timedelta(days=1)).isoformat(), "version": campaign.version}
    response = client.post(reverse("promotions:edit", args=[campaign.pk]), bad)
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    response = client.post(reverse("promotions:edit", args=[campaign.pk]),
                           {**data, "quota": "12", "items-1-name": "", "items-1-unit": "",
                            "version": campaign.version})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.quota == 12 and campaign.items.count() == 1
    # Items need a unit.
    response = client.post(reverse("promotions:edit", args=[campaign.pk]),
                           {**data, "items-0-unit": "", "version": campaign.version})
    assert response.status_code == 400 and "品名和单位" in response.content.decode()
    client.post(reverse("promotions:open", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.state == "open"


def test_drafts_are_the_owners_alone_and_published_campaigns_everyones(personas):
    draft = make_campaign(state="draft")
    published = make_campaign()
    brand, am01 = personas.client("brandmgr"), personas.client("am01")
    listing = brand.get(reverse("promotions:list")).content.decode()
    assert draft.name in listing and published.name in listing
    listing = am01.get(reverse("promotions:list")).content.decode()
    assert draft.name not in listing and published.name in listing
    assert am01.get(reverse("promotions:detail", args=[draft.pk])).status_code == 404
    assert am01.get(reverse("promotions:detail", args=[published.pk])).status_code == 200
    assert "促销" in listing  # the navigation link


def test_the_brand_manager_sees_recommended_customers_without_their_phones(personas):
    am01 = personas["am01"]
    customer = make_customer(am01, name="浦东测试商贸有限公司", phone="13812345678")
    rec = make_recommendation(am01, customer, reason="年采购额稳定增长")
    other = make_eligible(personas.customers["am01"][1])  # eligible, but not recommended
    page = personas.client("brandmgr").get(
        reverse("promotions:detail", args=[rec.campaign.pk])).content.decode()
    assert "浦东测试商贸有限公司" in page and "三级" in page
    assert am01.display_name in page and "年采购额稳定增长" in page
    assert "13812345678" not in page and "5678" not in page
    assert other.name not in page
    # He cannot open the customer, nor any customer he was not given.
    brand = personas.client("brandmgr")
    assert brand.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
    assert brand.get(reverse("customers:detail", args=[other.pk])).status_code == 404
    assert other.name not in brand.get(reverse("customers:list")).content.decode()
    assert brand.get(reverse("promotions:recommend", args=[rec.campaign.pk])).status_code == 404


def test_recommending_through_the_page(personas):
    campaign = make_campaign()
    good = make_eligible(personas.customers["am01"][0], rank=3)
    poor = make_eligible(personas.customers["am01"][1], rank=4)
    client = personas.client("am01")
    url = reverse("promotions:recommend", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert good.name in page and poor.name not in page  # only eligible customers are offered
    response = client.post(url, {"customer": poor.pk, "reason": "想参加"})
    assert response.status_code == 400
    assert "四级" in response.content.decode() and not Recommendation.objects.exists()
    response = client.post(url, {"customer": good.pk, "reason": ""})
    assert response.status_code == 400 and "理由" in response.content.decode()
    response = client.post(url, {"reason": "x"})
    assert response.status_code == 400 and "请选择要推荐的客户" in response.content.decode()
    response = client.post(url, {"customer": good.pk, "reason": "骨干客户"})
    assert response.status_code == 302
    assert Recommendation.objects.get().customer == good
    response = client.post(url, {"customer": good.pk, "reason": "再推荐"})
    assert response.status_code == 400 and "已被推荐" in response.content.decode()
    # A customer of another manager: 404, nothing written.
    foreign = make_eligible(personas.customers["am05"][0])
    assert client.post(url, {"customer": foreign.pk, "reason": "x"}).status_code == 404
    assert Recommendation.objects.count() == 1


def test_the_recommend_page_searches(personas):
    campaign = make_campaign()
    am01 = personas["am01"]
    wanted = make_eligible(make_customer(am01, name="张江精密机械有限公司"))
    other = make_eligible(make_customer(am01, name="外高桥物流有限公司"))
    page = personas.client("am01").get(
        reverse("promotions:recommend", args=[campaign.pk]), {"q": "张江"}).content.decode()
    assert wanted.name in page and other.name not in page


def test_confirming_and_declining_through_the_page(personas):
    campaign = make_campaign(quota=1)
    first = make_recommendation(personas["am01"], personas.customers["am01"][0], campaign=campaign)
    second = make_recommendation(personas["am02"], personas.customers["am02"][0],
                                 campaign=campaign)
    brand = personas.client("brandmgr")
    decide = lambda rec, decision: brand.post(  # noqa: E731
        reverse("promotions:decide", args=[rec.pk]), {"decision": decision, "note": ""})
    assert decide(first, "confirm").status_code == 302
    response = decide(second, "confirm")
    assert response.status_code == 400 and "名额（1 个）已满" in response.content.decode()
    response = brand.post(reverse("promotions:confirm_list", args=[campaign.pk]))
    assert response.status_code == 400 and "还有 1 条待处理" in response.content.decode()
    assert decide(second, "decline").status_code == 302
    assert brand.post(reverse("promotions:confirm_list", args=[campaign.pk])).status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "confirmed"
    # am01 now hands out from the campaign page.
    page = personas.client("am01").get(reverse("promotions:detail", args=[campaign.pk]))
    assert reverse("promotions:handout", args=[first.pk]) in page.content.decode()


def test_an_account_manager_cannot_decide(personas):
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    am01 = personas.client("am01")
    for name in ("decide",):
        response = am01.post(reverse(f"promotions:{name}", args=[rec.pk]), {"decision": "confirm"})
        assert response.status_code == 404
    for name in ("confirm_list", "open", "close", "edit"):
        assert am01.post(reverse(f"promotions:{name}", args=[rec.campaign.pk])).status_code == 404
    page = am01.get(reverse("promotions:detail", args=[rec.campaign.pk])).content.decode()
    assert 'data-testid="confirm"' not in page and 'data-testid="confirm-list"' not in page
    rec.refresh_from_db()
    assert rec.state == "pending" and rec.campaign.state == "open"


def _recommend_many(personas, campaign, count):
    for username in ("am01", "am02"):
        for _ in range(count):
            make_recommendation(personas[username], make_customer(personas[username]),
                                campaign=campaign)


def test_lists_take_a_constant_number_of_queries(personas):
    open_campaign = make_campaign(quota=100)
    _recommend_many(personas, open_campaign, 2)
    handed = make_handout(make_recommendation(personas["am01"], make_customer(personas["am01"])))
    confirmed = handed.recommendation.campaign
    brand, am01 = personas.client("brandmgr"), personas.client("am01")
    pages = [(brand, reverse("promotions:list")), (am01, reverse("promotions:list")),
             (brand, reverse("promotions:detail", args=[open_campaign.pk])),
             (am01, reverse("promotions:detail", args=[open_campaign.pk])),
             (brand, reverse("promotions:detail", args=[confirmed.pk])),
             (am01, reverse("promotions:detail", args=[confirmed.pk])),
             (am01, reverse("promotions:recommend", args=[open_campaign.pk]))]
    before = [_queries(client, url) for client, url in pages]
    for _ in range(3):
        make_campaign()
    _recommend_many(personas, open_campaign, 6)
    for seed in (2, 3):
        make_handout(handed.recommendation, seed=seed)
    for _ in range(6):
        make_eligible(make_customer(personas["am01"]))
    assert [_queries(client, url) for client, url in pages] == before


@pytest.mark.parametrize("username", ["agent01", "qa01", "admin"])
def test_people_outside_promotions_get_404(personas, username):
    campaign = make_campaign()
    client = personas.client(username)
    assert client.get(reverse("promotions:list")).status_code == 404
    assert client.get(reverse("promotions:detail", args=[campaign.pk])).status_code == 404


def test_an_edit_on_a_stale_form_is_refused(personas):
    campaign = make_campaign(state="draft")
    client = personas.client("brandmgr")
    data = {"name": "改名", "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(), "quota": "5", "lowest_grade_rank": "3",
            "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-0-name": "台历",
            "items-0-unit": "本", "version": campaign.version}
    assert client.post(reverse("promotions:edit", args=[campaign.pk]), data).status_code == 302
    response = client.post(reverse("promotions:edit", args=[campaign.pk]), {**data, "name": "又改"})
    assert response.status_code == 409 and "其他人修改了该促销活动" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.name == "改名"
    # The replaced items' history names who removed them.
    removed = CampaignItem.history.filter(history_type="-")
    assert removed.count() == 2
    assert {h.history_user for h in removed} == {personas["brandmgr"]}
