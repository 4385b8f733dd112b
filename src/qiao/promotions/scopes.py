"""Who reads promotions (core.registry.scopes, registered in apps.ready): rules of their own,
written as conditions in promotions.models (campaign_q, recommendation_q; None: everything)."""

from qiao.core.registry import Scope, ScopeMode
from qiao.org.scope import clearance_q

from .models import Campaign, Handout, Recommendation, campaign_q, recommendation_q


def _matching(rows, condition):
    return rows.all() if condition is None else rows.filter(condition)


def visible_campaigns(campaigns, user):
    """The brand manager's own campaigns; every published one for those who recommend."""
    return _matching(campaigns, campaign_q(user))


def visible_recommendations(recommendations, user):
    """All of one's own campaigns'; of the published ones, those of customers the user sees."""
    return _matching(recommendations, recommendation_q(user))


def visible_handouts(handouts, user):
    """Receipts of the recommendations the user sees, at or below the user's clearance (a
    receipt is as classified as its signature)."""
    return _matching(handouts.filter(clearance_q(user, "secret_level")),
                     recommendation_q(user, "recommendation__"))


SCOPES = (
    Scope(Campaign, ScopeMode.CUSTOM, custom=visible_campaigns),
    Scope(Recommendation, ScopeMode.CUSTOM, custom=visible_recommendations),
    Scope(Handout, ScopeMode.CUSTOM, custom=visible_handouts),
)
