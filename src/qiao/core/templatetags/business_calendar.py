from django import template

from ..admin import calendar_warnings

register = template.Library()

register.simple_tag(calendar_warnings)
