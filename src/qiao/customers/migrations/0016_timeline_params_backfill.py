"""Timeline events written before kinds were typed (0015) get what the new ones carry: the
customer's owner and owning unit (batched UPDATEs with a subquery, a few statements per 20,000
rows, none per row), and — for the kinds whose parameters can be read back from `data`, the
actor or the text — their params, so that they read in the reader's language. The others keep
the text as written (`message`), which is shown whenever params do not fit the kind's text: the
status, grade and edit events of old, and the old "contact", "attachment" and "work_order"
kinds that are now split by what happened. Reversible: the columns are emptied again."""

import re

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 20_000
PARAMS_BATCH = 1_000
# The channel's label ends at the first colon (full-width in Chinese, ASCII in English).
NOTE = re.compile(r"^[^:：]*[:：]\s*(.*)$", re.DOTALL)
DAYS = re.compile(r"(\d+)")


def fill_owners(apps):
    Event = apps.get_model("customers", "CustomerEvent")
    Customer = apps.get_model("customers", "Customer")
    customer = Customer._base_manager.filter(pk=OuterRef("customer_id"))
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for low in range(0, last, BATCH):
        Event.objects.filter(pk__gt=low, pk__lte=low + BATCH).update(
            owner_id=Subquery(customer.values("owner_id")[:1]),
            owner_unit_id=Subquery(customer.values("owner_unit_id")[:1]))


def _names(apps):
    User = apps.get_model("org", "User")
    return {pk: display or username
            for pk, display, username in User.objects.values_list("pk", "display_name",
                                                                  "username")}


def _params(event, names):
    """The params of an old event, or None when they cannot be told."""
    data, actor = event.data or {}, names.get(event.actor_id)
    if event.kind == "follow_up":
        note = NOTE.match(event.message)
        if data.get("channel") and note:
            return {"channel": data["channel"], "note": note.group(1)}
    elif event.kind == "pool_claim" and actor:
        return {"actor": actor}
    elif event.kind == "pool_release" and actor and "reason" in data:
        return {"actor": actor, "reason": data["reason"]}
    elif event.kind == "pool_reclaim":
        days = DAYS.search(event.message)
        return {"days": int(days.group(1)) if days else None}
    elif event.kind == "handover" and actor and {"from", "to", "reason"} <= set(data):
        if data["from"] in names and data["to"] in names:
            return {"from": names[data["from"]], "to": names[data["to"]], "actor": actor,
                    "reason": data["reason"]}
    return None


def fill_params(apps):
    Event = apps.get_model("customers", "CustomerEvent")
    names = _names(apps)
    pending = Event.objects.filter(
        kind__in=("follow_up", "pool_claim", "pool_release", "pool_reclaim", "handover"),
        params={}).only("kind", "message", "data", "actor_id", "params").order_by("pk")
    last = 0
    while batch := list(pending.filter(pk__gt=last)[:PARAMS_BATCH]):
        last = batch[-1].pk
        found = []
        for event in batch:
            params = _params(event, names)
            if params is not None:
                event.params = params
                found.append(event)
        Event.objects.bulk_update(found, ["params"])


def fill(apps, schema_editor):
    fill_owners(apps)
    fill_params(apps)


def empty(apps, schema_editor):
    apps.get_model("customers", "CustomerEvent").objects.update(
        params={}, owner_id=None, owner_unit_id=None)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0015_typed_timeline"),
    ]

    operations = [migrations.RunPython(fill, empty)]
