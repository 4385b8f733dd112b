"""The default roles' actions: each app declares its own (ActionDef.default_roles), and together
they give every role exactly the actions it had when org.permissions listed them all."""

import pytest
from django.core.exceptions import ValidationError

from qiao.demo.org import ensure_roles
from qiao.org.models import Role
from qiao.org.permissions import DEFAULT_ROLES, default_actions

_ACCOUNT_MANAGER = {
    "api.use", "approval.request", "attachment.upload", "contact.edit", "customer.create",
    "customer.edit", "customer.history", "customer.lifecycle", "customer.view", "field.reveal",
    "pool.claim", "promotion.recommend", "report.view"}
_SUPERVISOR = _ACCOUNT_MANAGER | {
    "audit.view", "customer.delete", "customer.export", "customer.grade", "customer.reassign",
    "customer.restore", "customer.secret_level"}
# The table as it stood before the actions moved into their apps (issue 10), written out,
# with the actions of the apps that came since: imports (data.import, account managers and up).
_ACCOUNT_MANAGER |= {"data.import"}
_SUPERVISOR |= {"data.import"}
# The service desk (issue 11): handling tickets from the account managers up, and the
# specialists and agents; assigning them and the case library from the supervisors up.
_ACCOUNT_MANAGER |= {"ticket.handle"}
_SUPERVISOR |= {"ticket.handle", "ticket.assign"}
# Visits (issue 12): recording visits from the account managers up, their export from the
# supervisors up.
_ACCOUNT_MANAGER |= {"visit.record"}
_SUPERVISOR |= {"visit.record", "visit.export"}
# Hospitality budgets (issue 12 item 7): set from the supervisors up.
_SUPERVISOR |= {"visit.hospitality_budget"}
# Sales and credit (issue 14): seeing and posting from the account managers up; targets,
# costs, reversals and passing the credit limit from the supervisors up.
_ACCOUNT_MANAGER |= {"sales.view", "sales.post"}
_SUPERVISOR |= {"sales.view", "sales.post", "sales.manage"}
# Staff appraisal (SAL-10): reading one's own and those in scope from the account managers up;
# schemes, appraising, confirming and returning from the supervisors up.
_ACCOUNT_MANAGER |= {"appraisal.view"}
_SUPERVISOR |= {"appraisal.view", "appraisal.manage"}
# A person's data (PIPL, issue 13): taking their request from the account managers up, and the
# agents who answer their calls.
_ACCOUNT_MANAGER |= {"customer.personal_data"}
_SUPERVISOR |= {"customer.personal_data"}
# Market intelligence (issue 12 item 9): passing unlicensed-trading reports on to the monopoly
# administration and recording their outcome, the regional managers and up.
_INTEL = {"visit.intel_handle"}
ROLE_ACTIONS = {
    "director": _SUPERVISOR | {"promotion.manage"} | _INTEL,
    "dept_manager": _SUPERVISOR | {"promotion.manage"} | _INTEL,
    "regional_manager": _SUPERVISOR | _INTEL,
    "supervisor": _SUPERVISOR,
    "account_manager": _ACCOUNT_MANAGER,
    "specialist": {"customer.view", "customer.history", "ticket.handle"},
    "agent": {"customer.view", "ticket.handle", "customer.personal_data"},
    "qa_inspector": {"customer.view"},
    "brand_manager": {"promotion.manage"},
    # Backups (DAT-4): the backups page, the administrator's alone.
    "admin": {"org.admin", "api.use", "data.backup"},
}


def test_each_default_role_has_the_actions_it_always_had():
    assert set(DEFAULT_ROLES) == set(ROLE_ACTIONS)
    for code, expected in ROLE_ACTIONS.items():
        actions = default_actions(code)
        assert set(actions) == expected, code
        assert len(actions) == len(set(actions)), code


def test_the_demo_and_a_fresh_install_give_the_roles_those_actions(db):
    ensure_roles()
    assert {role.code: set(role.actions) for role in Role.objects.all()} == ROLE_ACTIONS


def test_a_role_holds_only_registered_actions():
    role = Role(code="tester", name="测试", actions=["customer.view", "sales.order"])
    with pytest.raises(ValidationError, match="sales.order"):
        role.clean()
    role.actions = ["customer.view", "org.admin"]
    role.clean()
