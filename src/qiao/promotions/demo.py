"""Demo data for promotions: the brand manager's campaigns in every state, recommendations
waiting, confirmed and declined, and hand-outs with signed receipts (a drawn PNG stroke), so
each promotions screen has content on first start. Deterministic and idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from qiao.core.signatures import signature_data_url
from qiao.org.models import User

from . import selectors, services
from .models import Campaign

USERS = ("brandmgr", "am01", "am02", "am05")
SIGNERS = ("王建国", "李秀英", "张伟", "刘芳", "陈磊", "赵静", "孙强")
REASONS = ("年采购额稳定增长，合作意愿强", "新品试用反馈积极，有扩大采购计划", "长期合作骨干客户，回款及时",
           "门店位置好，适合陈列宣传物料", "近期有竞品接触，需要维系")


def _campaign(brand, name, days, quota, items, description=""):
    today = timezone.localdate()
    return services.campaign_create(actor=brand, data={
        "name": name, "starts_on": today + timedelta(days=days[0]),
        "ends_on": today + timedelta(days=days[1]), "quota": quota, "lowest_grade_rank": 3,
        "description": description}, items=items)


def _recommend(campaign, manager, count, offset=0):
    customers = list(selectors.eligible_customers(manager, campaign)
                     .filter(recommended=False)[:count])
    return [services.recommendation_create(actor=manager, campaign=campaign, customer=customer,
                                           reason=REASONS[(offset + i) % len(REASONS)])
            for i, customer in enumerate(customers)]


def _decide(brand, recommendations, confirm_first, note=""):
    for i, rec in enumerate(recommendations):
        services.recommendation_decide(actor=brand, recommendation=rec,
                                       confirm=i < confirm_first, note=note)


def _hand_out(rec, days_ago, seed):
    items = list(rec.campaign.items.all())
    services.handout_record(
        actor=rec.recommender, recommendation=rec,
        handed_out_on=timezone.localdate() - timedelta(days=days_ago),
        quantities={item.pk: (i + seed) % 3 + 1 for i, item in enumerate(items)},
        signer_name=SIGNERS[seed % len(SIGNERS)], signature_data_url=signature_data_url(seed),
        notes="当面清点，完好无损" if seed % 2 else "")


@transaction.atomic
def load_demo_promotions():
    if Campaign.objects.exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=USERS)}
    if len(users) < len(USERS):
        return
    brand = users["brandmgr"]
    am01, am02, am05 = users["am01"], users["am02"], users["am05"]

    # Closed: handed out last season.
    items = [("新春礼盒", "盒"), ("品牌台历", "本")]
    closed = _campaign(brand, "2026新春客户答谢礼品发放", (-120, 0), 5, items,
                       "向三级以上客户发放新春答谢礼品。")
    closed = services.campaign_open(actor=brand, campaign=closed)
    recs = _recommend(closed, am01, 2) + _recommend(closed, am05, 1, 2)
    # Recommended while it ran; it ended two months ago.
    closed = services.campaign_update(
        actor=brand, campaign=closed, items=items, expected_version=closed.version,
        data={"ends_on": timezone.localdate() - timedelta(days=60)})
    if recs:
        _decide(brand, recs, confirm_first=len(recs))
        services.campaign_confirm_list(actor=brand, campaign=closed)
        for seed, rec in enumerate(recs):
            _hand_out(rec, 70 - seed, seed)
    services.campaign_close(actor=brand, campaign=closed)

    # List confirmed: some receipts signed, others still to hand out.
    confirmed = _campaign(brand, "春季新品推广宣传品派送", (-30, 30), 3,
                          [("新品样品装", "套"), ("宣传海报", "张"), ("产品手册", "册")],
                          "新品上市，向骨干客户派送样品和宣传物料。")
    services.campaign_open(actor=brand, campaign=confirmed)
    recs = _recommend(confirmed, am01, 2, 1) + _recommend(confirmed, am02, 2, 3)
    _decide(brand, recs, confirm_first=min(3, len(recs)))
    if recs:
        services.campaign_confirm_list(actor=brand, campaign=confirmed)
        taken = confirmed.recommendations.filter(state="confirmed").select_related(
            "recommender", "customer", "campaign").order_by("id")[:2]
        for seed, rec in enumerate(taken):
            _hand_out(rec, 3 - seed, seed + 5)

    # Open: recommendations waiting, one confirmed, one declined.
    open_ = _campaign(brand, "夏季重点客户促销活动", (0, 45), 10,
                      [("遮阳伞", "把"), ("定制水杯", "个")], "夏季促销，名额有限，请推荐三级以上客户。")
    services.campaign_open(actor=brand, campaign=open_)
    recs = _recommend(open_, am01, 3, 2) + _recommend(open_, am02, 2) + _recommend(open_, am05, 2, 4)
    if len(recs) >= 2:
        services.recommendation_decide(actor=brand, recommendation=recs[0], confirm=True)
        services.recommendation_decide(actor=brand, recommendation=recs[1], confirm=False,
                                       note="本季已参加其他活动")

    # Draft: being prepared.
    _campaign(brand, "秋季品牌推广活动", (60, 120), 20, [("品牌帆布袋", "个")],
              "筹备中，物料待定。")
