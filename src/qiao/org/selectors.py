"""Reads of the organisation on behalf of a user."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from qiao.core import registry

from .models import ApiToken, OrgUnit
from .permissions import can


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


def first_superior(user, condition):
    """The nearest active person up `user`'s supervisor chain (their supervisor, theirs, …) for
    whom `condition(person)` holds, else None. Who is told about something only some may open:
    the first one up the line who can. Stops at a loop in the chain."""
    seen = {user.pk}
    person = user.supervisor
    while person is not None and person.pk not in seen:
        if person.is_active and condition(person):
            return person
        seen.add(person.pk)
        person = person.supervisor
    return None


def desk(user) -> list[dict]:
    """The blocks of `user`'s start page (工作台), in order: each registered desk widget the
    user's actions show (core.registry.desk_widgets, filled by the domain apps) whose context
    is not None. Each widget reads through its own domain's selectors, a fixed number of
    queries, so the page costs the same however many records there are."""
    blocks = []
    for widget in registry.desk_widgets:
        if widget.actions and not any(can(user, action) for action in widget.actions):
            continue
        context = widget.context(user)
        if context is None:
            continue
        url = context.get("more_url") or (reverse(widget.url_name) if widget.url_name else "")
        blocks.append({"widget": widget, "data": context, "url": url})
    return blocks
