"""Who reads visits, commitments, visit schedules, hospitality budgets, work reports and
going-out registrations (core.registry.scopes, registered in apps.ready)."""

from qiao.core.registry import Scope, ScopeMode
from qiao.org.models import User
from qiao.org.scope import staff_in_scope_q

from .models import (
    Commitment,
    GoingOut,
    HospitalityBudget,
    ScheduledVisit,
    UnlicensedPhoto,
    UnlicensedReport,
    Visit,
    VisitSchedule,
    WorkReport,
)


def _budgets_in_scope(queryset, user):
    """A hospitality budget is its manager's: seen by the manager and whoever's data scope
    covers the manager (the budget follows the manager when they move)."""
    return queryset.filter(manager__in=User.objects.filter(staff_in_scope_q(user)).values("pk"))

SCOPES = (
    # A visit record is visible exactly when its customer is (data scope over the customer's
    # owner, secret level, not deleted), and its signature at or below the user's clearance.
    Scope(Visit, ScopeMode.VIA_CUSTOMER, customer_field="customer",
          clearance_field="secret_level"),
    # A commitment with its customer (copied from the visit).
    Scope(Commitment, ScopeMode.VIA_CUSTOMER, customer_field="customer"),
    # An unlicensed-trading report is its reporter's: seen by the reporter and whoever's data
    # scope covers the reporter or the reporter's unit (copied onto it) — the regional manager.
    Scope(UnlicensedReport, ScopeMode.OWNER_UNIT, owner_field="reporter_id",
          unit_field="unit_id", deleted_field="is_deleted"),
    # Its photo with it, within the reader's clearance.
    Scope(UnlicensedPhoto, ScopeMode.OWNER_UNIT, owner_field="report__reporter_id",
          unit_field="report__unit_id", clearance_field="secret_level",
          deleted_field="report__is_deleted"),
    # A visit schedule is its manager's: seen by the manager and whoever's data scope covers
    # the manager or the manager's unit (copied onto the schedule) — the supervisor's team.
    Scope(VisitSchedule, ScopeMode.OWNER_UNIT, owner_field="manager_id", unit_field="unit_id",
          deleted_field="is_deleted"),
    # Its lines with their schedule, each within the reader's clearance for its customer.
    Scope(ScheduledVisit, ScopeMode.OWNER_UNIT, owner_field="schedule__manager_id",
          unit_field="schedule__unit_id", clearance_field="customer__secret_level",
          deleted_field="schedule__is_deleted"),
    # Work reports and going-out registrations are their author's: seen by the author and
    # whoever's data scope covers the author or the author's unit (copied) — the supervisor.
    Scope(WorkReport, ScopeMode.OWNER_UNIT, owner_field="author_id", unit_field="unit_id",
          deleted_field="is_deleted"),
    Scope(GoingOut, ScopeMode.OWNER_UNIT, owner_field="author_id", unit_field="unit_id"),
    Scope(HospitalityBudget, ScopeMode.CUSTOM, custom=_budgets_in_scope),
)
