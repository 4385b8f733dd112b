"""Promotion test data, made through the real services.

`make_recommendation(manager, customer)` is the factory for the access matrix: one
recommendation of `customer` by `manager` for an open campaign of the brand manager (the
customer is made eligible first: grade 三级, secret level internal)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from qiao.core.models import Clearance
from qiao.customers.models import Customer, Grade
from qiao.org.models import User
from qiao.promotions import services
from qiao.promotions.demo import signature_data_url

_serial = itertools.count(1)


def make_eligible(customer, rank=3, secret_level=Clearance.INTERNAL):
    """Give `customer` a grade and a secret level directly (test set-up, not a business change)."""
    Customer.objects.filter(pk=customer.pk).update(grade=Grade.objects.get(rank=rank),
                                                   secret_level=secret_level)
    customer.refresh_from_db()
    return customer


def make_campaign(owner=None, *, state="open", quota=5, lowest_grade_rank=3,
                  items=(("品牌台历", "本"), ("宣传海报", "张"))):
    owner = owner or User.objects.get(username="brandmgr")
    today = timezone.localdate()
    campaign = services.campaign_create(actor=owner, data={
        "name": f"测试促销活动{next(_serial)}", "starts_on": today,
        "ends_on": today + timedelta(days=30), "quota": quota,
        "lowest_grade_rank": lowest_grade_rank, "description": ""}, items=items)
    if state in ("open", "confirmed", "closed"):
        campaign = services.campaign_open(actor=owner, campaign=campaign)
    if state == "closed":
        campaign = services.campaign_close(actor=owner, campaign=campaign)
    return campaign


def make_recommendation(manager, customer, *, campaign=None, reason="骨干客户，合作稳定"):
    make_eligible(customer)
    campaign = campaign or make_campaign()
    return services.recommendation_create(actor=manager, campaign=campaign, customer=customer,
                                          reason=reason)


def confirm_list(recommendation):
    """Confirm the recommendation and its campaign's list (the brand manager's two steps)."""
    campaign = recommendation.campaign
    owner = campaign.owner
    services.recommendation_decide(actor=owner, recommendation=recommendation, confirm=True)
    for other in campaign.recommendations.filter(state="pending"):
        services.recommendation_decide(actor=owner, recommendation=other, confirm=False)
    return services.campaign_confirm_list(actor=owner, campaign=campaign)


def make_handout(recommendation, *, seed=1):
    """A signed receipt for a recommendation (its list confirmed first if need be)."""
    recommendation.refresh_from_db()
    if recommendation.campaign.state == "open":
        confirm_list(recommendation)
        recommendation.refresh_from_db()
    items = list(recommendation.campaign.items.all())
    return services.handout_record(
        actor=recommendation.recommender, recommendation=recommendation,
        handed_out_on=timezone.localdate(), quantities={items[0].pk: 2},
        signer_name="王采购", signature_data_url=signature_data_url(seed))
