"""Reads of the organisation on behalf of a user."""

from django.shortcuts import get_object_or_404

from .models import ApiToken, OrgUnit


def org_units():
    """The organisation tree in tree order. The tree itself is no secret: every user's filters
    list the regions; what lies in a unit is guarded by `visible_to`."""
    return OrgUnit.objects.order_by("path")


def api_tokens_of(user):
    """The user's own personal API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get(user, pk) -> ApiToken:
    """One of the user's own tokens; someone else's answers 404 like a missing one."""
    return get_object_or_404(ApiToken.objects.select_related("user"), pk=pk, user=user)
