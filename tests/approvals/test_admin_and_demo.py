"""The chain admin shows who each step resolves to and flags "nobody"; the demo loader builds
the chain and requests in every state; the data migration grants the new action."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.approvals.models import ApprovalEvent, ApprovalRequest, Chain, ChainStep
from qiao.org.models import Position, Role
from qiao.org.permissions import DEFAULT_ROLES, can, default_actions
from qiao.promotions.actions import PROMOTION_MANAGE, PROMOTION_RECOMMEND
from qiao.visits.demo import load_demo_visits

pytestmark = pytest.mark.django_db


def test_chain_admin_shows_who_approves_and_flags_nobody(personas, chain):
    nobody = Position.objects.create(name="品牌总监", role=Role.objects.get(code="dept_manager"))
    ChainStep.objects.create(chain=chain, order=3, label="品牌总监审批", rule="position",
                             position=nobody)
    client = personas.client("admin")
    body = client.get(reverse("admin:approvals_chain_change", args=[chain.pk])).content.decode()
    assert "am01: " in body and personas["sup1"].display_name in body
    assert "品牌总监审批" in body and "无人" in body
    # saving the chain warns about the step that finds nobody
    data = {"type_code": "hospitality", "name": chain.name, "is_active": "on",
            "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "3", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000"}
    for i, step in enumerate(chain.steps.all()):
        data.update({f"steps-{i}-id": step.pk, f"steps-{i}-chain": chain.pk,
                     f"steps-{i}-order": step.order, f"steps-{i}-label": step.label,
                     f"steps-{i}-rule": step.rule, f"steps-{i}-position": step.position_id or "",
                     f"steps-{i}-min_amount": step.min_amount or ""})
    response = client.post(reverse("admin:approvals_chain_change", args=[chain.pk]), data,
                           follow=True)
    assert response.status_code == 200
    warnings = [str(m) for m in response.context["messages"]]
    assert any("品牌总监审批" in m and "am01" in m for m in warnings), warnings


def test_chain_admin_refuses_an_unknown_type_and_a_position_rule_without_position(personas):
    client = personas.client("admin")
    response = client.post(reverse("admin:approvals_chain_add"), {
        "type_code": "no-such-type", "name": "x", "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1", "steps-0-rule": "position"})
    assert response.status_code == 200 and not Chain.objects.exists()
    response = client.post(reverse("admin:approvals_chain_add"), {
        "type_code": "hospitality", "name": "x", "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "1", "steps-0-rule": "position"})
    assert response.status_code == 200 and not Chain.objects.exists()
    assert "请选择审批此步骤的岗位" in response.content.decode()


def test_request_admin_is_read_only(personas, chain):
    load_demo_visits()
    request = ApprovalRequest.objects.first()
    client = personas.client("admin")
    url = reverse("admin:approvals_approvalrequest_change", args=[request.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"state": "approved", "title": "x"})
    request.refresh_from_db()
    assert request.title != "x"


def test_demo_has_requests_in_every_state(personas):
    load_demo_visits()
    states = set(ApprovalRequest.objects.values_list("state", flat=True))
    assert states == {s.value for s in ApprovalRequest.State}
    assert Chain.objects.get(type_code="hospitality").steps.count() == 2
    for username in ("sup1", "deptmgr"):
        page = personas.client(username).get(reverse("approvals:waiting")).content.decode()
        assert 'data-testid="waiting-row"' in page
    assert ApprovalEvent.objects.filter(kind="escalated").count() == 1  # the overdue one


def test_the_promotion_actions_migration_matches_the_default_roles(personas):
    migration = importlib.import_module("qiao.org.migrations.0004_grant_promotion_actions")
    Role.objects.update(actions=["customer.view"])
    migration.grant(django_apps, None)
    for code in DEFAULT_ROLES:
        granted = set(Role.objects.get(code=code).actions) - {"customer.view"}
        expected = {a for a in default_actions(code) if a in (PROMOTION_MANAGE, PROMOTION_RECOMMEND)}
        assert granted == expected, code
    migration.revoke(django_apps, None)
    assert all(actions == ["customer.view"] for actions in Role.objects.values_list("actions", flat=True))


def test_account_managers_and_up_may_raise_requests(personas):
    for username in ("am01", "sup1", "region1", "deptmgr", "director"):
        assert can(personas[username], APPROVAL_REQUEST), username
    for username in ("agent01", "qa01", "admin", "brandmgr", "leaver"):
        assert not can(personas[username], APPROVAL_REQUEST), username


def test_data_migration_grants_the_action_to_its_default_roles(personas):
    migration = importlib.import_module("qiao.approvals.migrations.0002_grant_approval_request")
    (operation,) = migration.Migration.operations
    Role.objects.update(actions=["customer.view"])
    operation.code(django_apps, None)
    for code in DEFAULT_ROLES:
        granted = set(Role.objects.get(code=code).actions) - {"customer.view"}
        assert granted == {APPROVAL_REQUEST} & set(default_actions(code)), code
    operation.reverse_code(django_apps, None)
    assert all(actions == ["customer.view"] for actions in Role.objects.values_list("actions", flat=True))
