"""Reads of campaigns, recommendations and hand-outs, each starting from `visible_to(user)`."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from qiao.customers.models import Customer, Grade
from qiao.customers.selectors import search_condition

from .models import Campaign, CampaignItem, Handout, HandoutLine, Recommendation

Rec = Recommendation.State


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _count(rows):
    return Coalesce(Subquery(rows.order_by().values("campaign").annotate(n=Count("pk"))
                             .values("n")[:1]), 0)


def campaign_list(user, state: str = ""):
    """Campaigns newest first, each with its number of items and of the recommendations the
    user sees (all, confirmed): one query for the page, whatever its length."""
    visible = Recommendation.objects.visible_to(user).filter(campaign=OuterRef("pk"))
    qs = (Campaign.objects.visible_to(user).select_related("owner")
          .annotate(item_count=_count(CampaignItem.objects.filter(campaign=OuterRef("pk"))),
                    recommended_count=_count(visible),
                    confirmed_count=_count(visible.filter(state=Rec.CONFIRMED))))
    if state in Campaign.State.values:
        qs = qs.filter(state=state)
    return qs.order_by("-starts_on", "-id")


def campaign_get(user, pk) -> Campaign:
    return _get(Campaign.objects.visible_to(user).select_related("owner"), pk)


def campaign_items(campaign):
    return list(campaign.items.all())


def campaign_recommendations(user, campaign, state: str = ""):
    """The recommendations of `campaign` that `user` sees, with what each row shows (customer,
    grade, recommender, hand-outs) in a constant number of queries."""
    qs = (Recommendation.objects.visible_to(user).filter(campaign=campaign)
          .select_related("customer", "customer__grade", "recommender", "decided_by")
          .prefetch_related(Prefetch("handouts", queryset=Handout.objects.order_by("-id")))
          .order_by("created_at", "id"))
    if state in Rec.values:
        qs = qs.filter(state=state)
    return qs


def recommendation_tally(user, campaign) -> dict:
    """How many recommendations of each state the user sees (the owner sees them all, so his
    count of confirmed ones is the quota's)."""
    counts = (Recommendation.objects.visible_to(user).filter(campaign=campaign)
              .aggregate(total=Count("pk"), pending=Count("pk", filter=Q(state=Rec.PENDING)),
                         confirmed=Count("pk", filter=Q(state=Rec.CONFIRMED)),
                         declined=Count("pk", filter=Q(state=Rec.DECLINED))))
    return counts


def recommendation_get(user, pk) -> Recommendation:
    return _get(Recommendation.objects.visible_to(user)
                .select_related("campaign", "campaign__owner", "customer", "customer__grade",
                                "recommender"), pk)


def eligible_customers(user, campaign, q: str = ""):
    """Customers `user` may recommend for `campaign`: those they see, of an eligible grade, at
    or below the brand manager's clearance; each marked whether already recommended."""
    ranks = Grade.objects.filter(rank__lte=campaign.lowest_grade_rank).values("pk")
    qs = (Customer.objects.visible_to(user)
          .filter(grade__in=ranks, secret_level__lte=campaign.owner.clearance)
          .select_related("grade", "owner")
          .annotate(recommended=Exists(
              Recommendation.objects.filter(campaign=campaign, customer=OuterRef("pk")))))
    if q.strip():
        qs = qs.filter(search_condition(q.strip()))
    return qs.order_by("grade__rank", "name_pinyin", "id")


def handout_get(user, pk) -> Handout:
    return _get(Handout.objects.visible_to(user).select_related(
        "recommendation", "recommendation__campaign", "recommendation__campaign__owner",
        "recommendation__customer", "recommendation__recommender", "handed_out_by"), pk)


def handout_lines(handout):
    return list(HandoutLine.objects.filter(handout=handout).select_related("item"))


def grade_choices():
    return [(g.rank, g.name) for g in Grade.objects.order_by("rank")]


def grade_name(rank) -> str:
    grade = Grade.objects.filter(rank=rank).first()
    return grade.name if grade else str(rank)
