"""grant_action: the one way an app's migration gives existing roles its new action."""

import pytest
from django.apps import apps as django_apps

from qiao.org.migration_helpers import grant_action
from qiao.org.models import Role

pytestmark = pytest.mark.django_db


def actions_of():
    return {role.code: role.actions for role in Role.objects.all()}


def test_grant_adds_the_action_to_the_named_roles_that_exist_and_takes_it_back():
    Role.objects.create(code="manager", name="经理", actions=["customer.view"])
    Role.objects.create(code="clerk", name="文员", actions=["customer.view"])
    Role.objects.create(code="holder", name="已有", actions=["visit.record", "customer.view"])
    operation = grant_action("visit.record", roles=("manager", "holder", "no_such_role"))

    operation.code(django_apps, None)
    operation.code(django_apps, None)  # twice changes nothing
    assert actions_of() == {"manager": ["customer.view", "visit.record"],
                            "clerk": ["customer.view"],
                            "holder": ["visit.record", "customer.view"]}
    assert not Role.objects.filter(code="no_such_role").exists()

    operation.reverse_code(django_apps, None)
    assert actions_of() == {"manager": ["customer.view"], "clerk": ["customer.view"],
                            "holder": ["customer.view"]}
