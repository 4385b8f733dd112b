"""Campaign workflow: eligibility, quota, confirmation, hand-outs, history."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qiao.core.exceptions import ConflictError
from qiao.core.models import Clearance
from qiao.customers.models import CustomerEvent
from qiao.notify.inbox.models import Notification
from qiao.promotions import services
from qiao.promotions.demo import signature_data_url
from qiao.promotions.models import Campaign, Handout, Recommendation

from .factories import confirm_list, make_campaign, make_eligible, make_handout, make_recommendation


def _recommend(personas, username, customer, campaign, reason="骨干客户"):
    return services.recommendation_create(actor=personas[username], campaign=campaign,
                                          customer=customer, reason=reason)


def _refused(call, *fragments):
    before = (Recommendation.objects.count(), Handout.objects.count())
    with pytest.raises(ValidationError) as exc:
        call()
    text = " ".join(exc.value.messages)
    for fragment in fragments:
        assert fragment in text
    assert (Recommendation.objects.count(), Handout.objects.count()) == before
    return text


def test_grade_3_is_accepted_and_grade_4_refused(personas):
    campaign = make_campaign()
    good, poor = personas.customers["am01"]
    make_eligible(good, rank=3)
    make_eligible(poor, rank=4)
    rec = _recommend(personas, "am01", good, campaign)
    assert rec.state == "pending" and rec.recommender == personas["am01"]
    text = _refused(lambda: _recommend(personas, "am01", poor, campaign), "四级", "三级")
    assert "或更高" in text or "以上" in text


def test_an_ungraded_customer_is_refused(personas):
    campaign = make_campaign()
    customer = personas.customers["am01"][0]  # personas' customers have no grade
    make_eligible(customer)
    customer.grade = None
    type(customer).objects.filter(pk=customer.pk).update(grade=None)
    _refused(lambda: _recommend(personas, "am01", customer, campaign), customer.name)


def test_the_lowest_eligible_grade_is_set_per_campaign(personas):
    campaign = make_campaign(lowest_grade_rank=4)
    customer = make_eligible(personas.customers["am01"][0], rank=4)
    assert _recommend(personas, "am01", customer, campaign).pk
    strict = make_campaign(lowest_grade_rank=2)
    _refused(lambda: _recommend(personas, "am01", customer, strict), "二级")


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_only_an_open_campaign_takes_recommendations(personas, state):
    campaign = make_campaign(state=state)
    customer = make_eligible(personas.customers["am01"][0])
    _refused(lambda: _recommend(personas, "am01", customer, campaign), "未开放推荐")


def test_no_recommendations_after_the_campaign_ended(personas):
    campaign = make_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=timezone.localdate() - timedelta(days=10),
        ends_on=timezone.localdate() - timedelta(days=1))
    campaign.refresh_from_db()
    customer = make_eligible(personas.customers["am01"][0])
    _refused(lambda: _recommend(personas, "am01", customer, campaign), "已于", "结束")


def test_a_customer_is_recommended_once(personas):
    campaign = make_campaign()
    customer = make_eligible(personas.customers["am01"][0])
    _recommend(personas, "am01", customer, campaign)
    _refused(lambda: _recommend(personas, "sup1", customer, campaign), "已被推荐")


def test_a_customer_classified_above_the_brand_managers_clearance_is_refused(personas):
    campaign = make_campaign()
    customer = make_eligible(personas.customers["am01"][0], secret_level=Clearance.CONFIDENTIAL)
    # the supervisor (cleared for 秘密) sees it; the brand manager (内部) may not
    _refused(lambda: _recommend(personas, "sup1", customer, campaign), "品牌经理", "秘密")


def test_a_reason_is_required(personas):
    campaign = make_campaign()
    customer = make_eligible(personas.customers["am01"][0])
    _refused(lambda: _recommend(personas, "am01", customer, campaign, reason="  "), "理由")


def test_nobody_recommends_a_customer_they_do_not_see(personas):
    campaign = make_campaign()
    customer = make_eligible(personas.customers["am01"][0])
    with pytest.raises(PermissionDenied):
        _recommend(personas, "am05", customer, campaign)
    with pytest.raises(PermissionDenied):  # no PROMOTION_RECOMMEND
        _recommend(personas, "brandmgr", customer, campaign)
    assert not Recommendation.objects.exists()


def test_only_the_campaign_owner_decides(personas):
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    for username in ("am01", "sup1", "deptmgr"):  # deptmgr may manage, but does not own it
        with pytest.raises(PermissionDenied):
            services.recommendation_decide(actor=personas[username], recommendation=rec,
                                           confirm=True)
    rec.refresh_from_db()
    assert rec.state == "pending"
    with pytest.raises(PermissionDenied):
        services.campaign_confirm_list(actor=personas["am01"], campaign=rec.campaign)


def test_quota_is_never_exceeded(personas):
    brand = personas["brandmgr"]
    campaign = make_campaign(quota=1)
    first = make_recommendation(personas["am01"], personas.customers["am01"][0], campaign=campaign)
    second = make_recommendation(personas["am02"], personas.customers["am02"][0], campaign=campaign)
    services.recommendation_decide(actor=brand, recommendation=first, confirm=True)
    with pytest.raises(ValidationError) as exc:
        services.recommendation_decide(actor=brand, recommendation=second, confirm=True)
    assert "名额" in " ".join(exc.value.messages)
    second.refresh_from_db()
    assert second.state == "pending"
    # Declining the first frees the place.
    services.recommendation_decide(actor=brand, recommendation=first, confirm=False)
    services.recommendation_decide(actor=brand, recommendation=second, confirm=True)


def test_the_list_is_not_confirmed_beyond_the_quota(personas):
    brand = personas["brandmgr"]
    campaign = make_campaign(quota=2)
    recs = [make_recommendation(personas[u], personas.customers[u][0], campaign=campaign)
            for u in ("am01", "am02")]
    for rec in recs:
        services.recommendation_decide(actor=brand, recommendation=rec, confirm=True)
    campaign.refresh_from_db()
    services.campaign_update(actor=brand, campaign=campaign, data={"quota": 1},
                             items=[("品牌台历", "本")], expected_version=campaign.version)
    with pytest.raises(ValidationError) as exc:
        services.campaign_confirm_list(actor=brand, campaign=campaign)
    assert "名额为 1" in " ".join(exc.value.messages)
    campaign.refresh_from_db()
    assert campaign.state == "open"


def test_confirmation_workflow(personas):
    brand, am01 = personas["brandmgr"], personas["am01"]
    campaign = make_campaign(state="draft")
    assert campaign.state == "draft" and campaign.items.count() == 2
    campaign = services.campaign_open(actor=brand, campaign=campaign)
    keep = make_recommendation(am01, personas.customers["am01"][0], campaign=campaign)
    drop = make_recommendation(personas["am02"], personas.customers["am02"][0], campaign=campaign)
    services.recommendation_decide(actor=brand, recommendation=keep, confirm=True, note="同意")
    with pytest.raises(ValidationError) as exc:  # one still waiting
        services.campaign_confirm_list(actor=brand, campaign=campaign)
    assert "1 条待处理" in " ".join(exc.value.messages)
    services.recommendation_decide(actor=brand, recommendation=drop, confirm=False)
    campaign = services.campaign_confirm_list(actor=brand, campaign=campaign)
    assert campaign.state == "confirmed" and campaign.confirmed_at
    # The recommender is told; the declined one's recommender is not.
    assert Notification.objects.filter(recipient=am01, kind="promotion_confirmed").count() == 1
    assert not Notification.objects.filter(recipient=personas["am02"]).exists()
    with pytest.raises(ValidationError):  # decisions are over
        services.recommendation_decide(actor=brand, recommendation=drop, confirm=True)
    with pytest.raises(ConflictError):
        services.campaign_open(actor=brand, campaign=campaign)
    handout = make_handout(keep)
    assert handout.lines.get().quantity == 2 and handout.file.name.endswith(".png")
    drop.refresh_from_db()
    with pytest.raises(ValidationError):  # a declined customer receives nothing
        services.handout_record(actor=personas["am02"], recommendation=drop,
                                handed_out_on=timezone.localdate(), quantities={},
                                signer_name="x", signature_data_url=signature_data_url())
    campaign = services.campaign_close(actor=brand, campaign=campaign)
    with pytest.raises(ValidationError):  # closed: no more hand-outs
        make_handout(keep, seed=2)
    # Every change is in the history, with its author.
    assert [h.state for h in Campaign.history.filter(id=campaign.pk).order_by("history_id")] == [
        "draft", "open", "confirmed", "closed"]
    assert {h.history_user for h in Campaign.history.filter(id=campaign.pk)} == {brand}
    assert {h.history_user for h in keep.history.all()} == {am01, brand}
    assert handout.history.get().history_user == am01
    kinds = set(CustomerEvent.objects.filter(customer=keep.customer).values_list("kind", flat=True))
    assert {"promotion_recommended", "promotion_handout"} <= kinds


def test_a_campaign_needs_items_and_a_sane_period(personas):
    brand = personas["brandmgr"]
    today = timezone.localdate()
    data = {"name": "x", "starts_on": today, "ends_on": today - timedelta(days=1), "quota": 3,
            "lowest_grade_rank": 3}
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(actor=brand, data=data, items=[("台历", "本")])
    assert "结束日期" in str(exc.value)
    data["ends_on"] = today
    with pytest.raises(ValidationError):
        services.campaign_create(actor=brand, data=data, items=[("", "")])
    with pytest.raises(ValidationError):
        services.campaign_create(actor=brand, data=data, items=[("台历", "")])
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=personas["am01"], data=data, items=[("台历", "本")])
    assert not Campaign.objects.exists()


def test_hand_out_quantities_are_checked(personas):
    rec = make_recommendation(personas["am01"], personas.customers["am01"][0])
    confirm_list(rec)
    rec.refresh_from_db()
    item = rec.campaign.items.first()

    def record(**changes):
        kwargs = {"actor": personas["am01"], "recommendation": rec,
                  "handed_out_on": timezone.localdate(), "quantities": {item.pk: 1},
                  "signer_name": "王采购", "signature_data_url": signature_data_url(), **changes}
        return services.handout_record(**kwargs)

    _refused(lambda: record(quantities={item.pk: 0}), "至少填写一种")
    _refused(lambda: record(quantities={item.pk + 999: 1}))
    _refused(lambda: record(signer_name=" "), "签收人")
    _refused(lambda: record(handed_out_on=timezone.localdate() + timedelta(days=1)), "未来")
    with pytest.raises(PermissionDenied):
        record(actor=personas["am05"])
    assert record().pk


def test_the_brand_manager_hears_of_new_recommendations_once_a_day(personas):
    from qiao.notify.inbox.models import Notification

    campaign = make_campaign()
    for customer in personas.customers["am01"]:
        _recommend(personas, "am01", make_eligible(customer), campaign)
    messages = Notification.objects.filter(recipient=personas["brandmgr"],
                                           kind="promotion_recommended")
    assert list(messages.values_list("title", "url")) == [
        (f"新的促销推荐待确认：{campaign.name}", f"/promotions/{campaign.pk}/")]
