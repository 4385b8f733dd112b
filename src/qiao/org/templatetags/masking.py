"""`{% sensitive record "field" %}`: a sensitive value as everyone first sees it (masked), with a
"Show" button for a user allowed to reveal it (ORG-4). The view puts `can_reveal` in the
context: the user has `field.reveal` and the record is not in the public pool."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from qiao.core.masking import masked

register = template.Library()

_SHOWN = ('<span class="sensitive" data-testid="sensitive-{}"><span class="masked text-muted">{}'
          '</span>{}</span>\n')
_REVEAL = (' <button type="button" class="btn btn-link btn-sm p-0 align-baseline '
           'text-decoration-none" hx-post="{}" hx-target="closest .sensitive" '
           'hx-swap="outerHTML" title="{}" data-testid="reveal-{}"><i class="bi bi-eye"></i> {}'
           '</button>')


@register.simple_tag(takes_context=True)
def sensitive(context, record, field):
    shown = masked(record, field)
    reveal = ""
    if shown and context.get("can_reveal"):
        meta = record._meta
        reveal = format_html(
            _REVEAL, reverse(f"{meta.app_label}:reveal", args=[meta.model_name, record.pk, field]),
            gettext("Show the full value; every look is recorded in the operation log"), field,
            gettext("Show"))
    return format_html(_SHOWN, field, shown or "—", reveal)
