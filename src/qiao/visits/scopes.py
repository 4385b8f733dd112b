"""Who reads visits, commitments and visit schedules (core.registry.scopes, registered in
apps.ready)."""

from qiao.core.registry import Scope, ScopeMode

from .models import (
    Commitment,
    ScheduledVisit,
    UnlicensedPhoto,
    UnlicensedReport,
    Visit,
    VisitSchedule,
)

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
)
