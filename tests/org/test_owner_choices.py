"""Wherever an account manager (客户经理) is chosen — the list and table filters, the customer
form's owner, a handover's target, the API's staff list — only people who may own customers are
offered: those whose role creates customers (whoever creates one looks after it) and has a data
scope. Call-centre agents, QA inspectors, the brand manager and the administrator are not, and
each chooser still offers only staff within the chooser's scope."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qiao.customers import services
from qiao.customers.actions import CUSTOMER_CREATE
from qiao.org.models import Position, Role
from qiao.org.permissions import DataScope, may_own_customers
from qiao.org.scope import visible_users
from qiao.org.services import api_token_create
from tests.api.conftest import Api
from tests.factories import form_data, make_customer

NOT_OWNERS = {"agent01", "agent02", "agent03", "agent04", "qa01", "brandmgr", "admin"}


def offered(html, name):
    """The users offered by the <select name=`name`> of a page (option texts, "am01" style
    usernames resolved through the personas)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {name} select"
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(1))}


def ids(personas, *usernames):
    return {personas[u].pk for u in usernames}


def usernames(personas, pks):
    return {u for u, user in personas.users.items() if user.pk in pks}


@pytest.mark.django_db
def test_the_rule_owners_are_roles_that_create_customers_within_a_scope(personas):
    assert all(may_own_customers(personas[u]) for u in
               ("director", "deptmgr", "region1", "sup1", "am01", "am03"))
    assert not any(may_own_customers(personas[u]) for u in ("agent01", "qa01", "admin", "leaver"))


def test_the_customer_list_filter_offers_account_managers_only(personas):
    page = personas.client("director").get(reverse("customers:list")).content.decode()
    owners = usernames(personas, offered(page, "owner"))
    assert {"am01", "am02", "am03", "am05", "sup1", "region1"} <= owners
    assert not owners & NOT_OWNERS and "leaver" not in owners
    # The scope still holds: a supervisor is offered their team.
    team = personas.client("sup1").get(reverse("customers:list")).content.decode()
    assert usernames(personas, offered(team, "owner")) == {"sup1", "am01", "am02"}


def test_the_customer_forms_owner_and_the_tables_filter_offer_the_same(personas):
    client = personas.client("region1")
    expected = set(visible_users(personas["region1"]).values_list("pk", flat=True))
    assert usernames(personas, expected) & NOT_OWNERS == set()
    assert offered(client.get(reverse("customers:create")).content.decode(), "owner") == expected
    assert offered(client.get(reverse("reports:grades")).content.decode(), "owner") == expected


def test_a_handover_offers_and_accepts_only_account_managers(personas):
    director = personas["director"]
    page = personas.client("director").get(
        reverse("customers:handover_user", args=[personas["am01"].pk])).content.decode()
    targets = usernames(personas, offered(page, "to_user"))
    assert "am02" in targets and not targets & NOT_OWNERS and "am01" not in targets
    with pytest.raises(ValidationError) as refused:
        services.customers_handover(actor=director, from_user=personas["am01"],
                                    to_user=personas["agent01"], customers=None, reason="调岗")
    assert refused.value.message_dict["to_user"] == [f"{personas['agent01']} 的角色不负责客户。"]


def test_a_role_given_customer_create_makes_its_people_owners(personas):
    """The rule follows the roles as the admin edits them: no list of role codes."""
    agent = Role.objects.get(code="agent")
    agent.actions = [*agent.actions, str(CUSTOMER_CREATE)]
    agent.save()
    assert "agent01" in usernames(personas, set(
        visible_users(personas["director"]).values_list("pk", flat=True)))
    scopeless = Role.objects.create(code="creator_without_scope", name="无范围",
                                    data_scope=DataScope.NONE, actions=[CUSTOMER_CREATE])
    qa = personas["qa01"]
    qa.position = Position.objects.create(name="无范围岗位", role=scopeless)
    qa.save()
    assert not may_own_customers(qa)


def test_the_api_staff_list_is_the_owner_choices(personas):
    _token, secret = api_token_create(user=personas["director"], name="t", days=1)
    staff = {u["username"] for u in Api(secret).all_pages("/org/users")[1]}
    assert "am01" in staff and not staff & NOT_OWNERS


@pytest.mark.parametrize("owner", ["qa01", "leaver"])
def test_a_customer_of_someone_no_longer_offered_still_saves_unchanged(personas, owner):
    """A role changed or an account disabled since: the owner is not offered for other customers,
    yet their customer's form saves unchanged (the current owner stays a valid choice)."""
    customer = make_customer(personas[owner], actor=personas["director"],
                             region=personas.org.regions[0])
    client = personas.client("director")
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           form_data(customer, personas["director"], notes="仍可保存"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.notes, customer.owner) == ("仍可保存", personas[owner])
    other = personas.customers["am01"][0]
    page = client.get(reverse("customers:edit", args=[other.pk])).content.decode()
    assert personas[owner].pk not in offered(page, "owner")


@pytest.mark.django_db
def test_the_owner_choices_query_applies_the_same_rule_as_the_python_one():
    """visible_users joins the roles with a condition on their JSON list of actions (no query
    for the roles first); it must agree with role_may_own_customers on every kind of role, a
    code that merely contains "customer.create" included."""
    from qiao.org.permissions import role_may_own_customers
    from qiao.org.scope import may_own_customers_q

    shapes = {
        "creates": (DataScope.OWN, ["customer.view", CUSTOMER_CREATE]),
        "creates_only": (DataScope.UNIT_TREE, [CUSTOMER_CREATE]),
        "no_scope": (DataScope.NONE, [CUSTOMER_CREATE]),
        "views": (DataScope.ALL, ["customer.view"]),
        "lookalike": (DataScope.OWN, ["customer.create_draft", "x.customer.create"]),
        "nothing": (DataScope.OWN, []),
    }
    roles = [Role.objects.create(code=code, name=code, data_scope=scope, actions=actions)
             for code, (scope, actions) in shapes.items()]
    matched = set(Role.objects.filter(may_own_customers_q()).values_list("code", flat=True))
    assert matched == {role.code for role in roles if role_may_own_customers(role)}
    assert matched == {"creates", "creates_only"}
