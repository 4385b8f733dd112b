"""What several apps' admins share, and the business calendar's tables."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import calendar
from .forms import CleanInputMixin
from .models import CalendarDay, WorkingPeriod


class ReadOnlyAdminMixin:
    """Records the admin shows but never adds, changes or deletes: their changes go through
    the app's services (approval requests, deliveries, campaigns, API tokens)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


if TYPE_CHECKING:  # a ModelAdmin or an inline: either's methods, for the type checker
    _AnyAdmin = Any
else:
    _AnyAdmin = object


class CleanInputAdminMixin(_AnyAdmin):
    """The admin's forms clean their input as every form of Qiao does
    (core.forms.CleanInputMixin): put it first in the bases of every admin and inline that
    edits records."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        # `change` by keyword: UserAdmin.get_form takes it only so.
        return _cleaning(super().get_form(request, obj, change=change, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):  # inlines
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _cleaning(formset.form)
        return formset


def _cleaning(form_class):
    if issubclass(form_class, CleanInputMixin):
        return form_class
    return type(form_class.__name__, (CleanInputMixin, form_class), {})


def calendar_warnings() -> list[str]:
    """One message per year the business calendar lacks (shown on the admin's index and the
    calendar's list)."""
    return [gettext("No holidays have been entered for %(year)s: until the State Council's "
                    "schedule (holidays and make-up workdays) is entered here, working days in "
                    "%(year)s are Monday to Friday.") % {"year": year}
            for year in calendar.years_without_holidays()]


@admin.register(CalendarDay)
class CalendarDayAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    """Official holidays and make-up workdays; every other day follows Monday to Friday."""

    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, day):
        return date_format(day.date, "l")

    def changelist_view(self, request, extra_context=None):
        for warning in calendar_warnings():
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    """The working periods of every working day; business hours are counted inside them."""

    list_display = ("__str__", "start", "end")
