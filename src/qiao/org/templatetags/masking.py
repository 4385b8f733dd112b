"""`{% sensitive record "field" %}`: a sensitive value as everyone first sees it (masked), with a
"Show" button for a user allowed to reveal it (ORG-4). The view puts `can_reveal` in the
context: the user has `field.reveal` and the record is not in the public pool."""

from django import template
from django.urls import reverse

from qiao.core.masking import masked

register = template.Library()


@register.inclusion_tag("org/_sensitive.html", takes_context=True)
def sensitive(context, record, field):
    shown = masked(record, field)
    reveal_url = ""
    if shown and context.get("can_reveal"):
        meta = record._meta
        reveal_url = reverse(f"{meta.app_label}:reveal", args=[meta.model_name, record.pk, field])
    return {"masked": shown, "reveal_url": reveal_url, "field": field}
