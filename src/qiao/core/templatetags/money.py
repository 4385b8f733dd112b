"""`{% load money %}`: amounts as people read them, ¥1,234.50 (`cny`) or 12.35万 (`wan`)."""

from decimal import Decimal, InvalidOperation

from django import template

from qiao.core.money import format_cny, format_wan

register = template.Library()


def _forgiving(format_):
    """A filter that shows nothing for a value that is not an amount, rather than failing the
    page (as Django's own filters do). A float (an average from the database) is shown by its
    shortest decimal form."""

    def filter_(value):
        if isinstance(value, float):
            value = Decimal(repr(value))
        try:
            return format_(value)
        except (InvalidOperation, TypeError, ValueError):
            return ""

    return filter_


register.filter("cny", _forgiving(format_cny))
register.filter("wan", _forgiving(format_wan))
