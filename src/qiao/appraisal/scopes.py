"""Who reads appraisals (core.registry.scopes, registered in apps.ready): the appraised
person, and those whose scope holds the person or the unit (the person's unit when drafted,
or the appraised unit), within their clearance."""

from qiao.core.registry import Scope, ScopeMode

from .models import Appraisal

SCOPES = (
    Scope(Appraisal, ScopeMode.OWNER_UNIT, owner_field="person_id", unit_field="unit_id",
          clearance_field="secret_level"),
)
