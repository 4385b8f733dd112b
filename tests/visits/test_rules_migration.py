"""Migration visits 0003: the handbook's visit rules for the grades that exist (grade 1 weekly …
grade 5 quarterly), matching the demo's; the visit actions for their default roles."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from qiao.org.models import Role
from qiao.org.permissions import DEFAULT_ROLES, default_actions
from qiao.visits.actions import VISIT_EXPORT, VISIT_RECORD
from qiao.visits.demo import ensure_visit_rules
from qiao.visits.models import VisitRule

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("qiao.visits.migrations.0003_demo_visit_rules_and_visit_action")


def rules():
    return sorted(VisitRule.objects.values_list("grade__rank", "category", "frequency_days",
                                                "method", "tasks", "training"))


def test_the_rules_are_the_handbooks_and_the_demos(personas):
    add_rules, *_grants = MIGRATION.Migration.operations
    add_rules.code(django_apps, SimpleNamespace(connection=connection))
    written = rules()
    assert [(rank, category, days) for rank, category, days, *_ in written] == [
        (1, "", 7), (2, "", 14), (2, "big", 7), (3, "", 30), (4, "", 60), (5, "", 90)]
    assert written[-1][3:] == ("phone", ["inform", "collect"], False)
    add_rules.code(django_apps, SimpleNamespace(connection=connection))  # run twice: no more
    assert rules() == written
    VisitRule.objects.all().delete()
    ensure_visit_rules()
    assert rules() == written


def test_the_actions_go_to_their_default_roles(personas):
    _rules, *grants = MIGRATION.Migration.operations
    Role.objects.update(actions=["customer.view"])
    for operation in grants:
        operation.code(django_apps, None)
    for code in DEFAULT_ROLES:
        granted = set(Role.objects.get(code=code).actions) - {"customer.view"}
        assert granted == {VISIT_RECORD, VISIT_EXPORT} & set(default_actions(code)), code
    for operation in grants:
        operation.reverse_code(django_apps, None)
    assert all(actions == ["customer.view"]
               for actions in Role.objects.values_list("actions", flat=True))
