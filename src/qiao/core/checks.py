"""System checks of core: the business calendar has next year's holidays."""

from django.core import checks
from django.db import DatabaseError, connections


def coming_year_has_holidays(app_configs=None, databases=None, **kwargs):
    """Warning core.W001 for each year the calendar table has no holiday in (this year, and
    next year from October). Silent when the table does not exist yet (before `migrate`)."""
    from . import calendar
    from .models import CalendarDay

    if "default" not in (databases or ()):
        return []  # as Django's own database checks: only when asked for (migrate does)
    try:
        if CalendarDay._meta.db_table not in connections["default"].introspection.table_names():
            return []
        missing = calendar.years_without_holidays()
    except DatabaseError:
        return []
    return [checks.Warning(
        f"The business calendar has no holidays for {year}: until they are entered, its "
        "working days are Monday to Friday.",
        hint="Enter the State Council's schedule (holidays and make-up workdays) in the admin "
             "under Business calendar > Holidays and make-up workdays, or upgrade "
             "chinesecalendar and run `manage.py calendar_seed`.",
        obj=CalendarDay, id="core.W001") for year in missing]
