"""Administrators manage the organisation in the Django admin; the admin shows no customers."""

from django.urls import reverse

from qiao.customers.actions import CUSTOMER_HISTORY, CUSTOMER_VIEW
from qiao.customers.models import Customer
from qiao.org.models import OrgUnit, Role
from qiao.org.permissions import DataScope


def test_admin_pages_for_org_open(personas):
    client = personas.client("admin")
    for name in ("org_orgunit", "org_role", "org_position", "org_user", "customers_grade",
                 "customers_tag"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    unit = personas.org.regions[0]
    assert client.get(reverse("admin:org_orgunit_change", args=[unit.pk])).status_code == 200


def test_admin_has_no_customer_data(personas):
    client = personas.client("admin")
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/customers/customer/" not in index
    assert client.get("/admin/customers/customer/").status_code == 404


def test_non_staff_cannot_open_admin(personas):
    response = personas.client("am01").get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_new_unit_from_admin_gets_its_path_and_scope_follows(personas):
    client = personas.client("admin")
    region = personas.org.regions[0]
    response = client.post(reverse("admin:org_orgunit_add"), {
        "name": "华东三组", "kind": "team", "parent": region.pk, "sort_order": 3})
    assert response.status_code == 302
    unit = OrgUnit.objects.get(name="华东三组")
    assert unit.path.startswith(region.path) and unit.depth == region.depth + 1


def test_moving_a_unit_in_admin_moves_its_subtree(personas):
    client = personas.client("admin")
    team = personas.org.teams[0]  # under region 1
    target = personas.org.regions[1]
    response = client.post(reverse("admin:org_orgunit_change", args=[team.pk]), {
        "name": team.name, "kind": "team", "parent": target.pk, "sort_order": 0})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.path.startswith(target.path)


def test_role_actions_are_chosen_from_the_rule_book(personas):
    client = personas.client("admin")
    response = client.post(reverse("admin:org_role_add"), {
        "code": "auditor", "name": "审计员", "data_scope": DataScope.ALL, "clearance": 2,
        "actions": [CUSTOMER_VIEW, CUSTOMER_HISTORY]})
    assert response.status_code == 302
    role = Role.objects.get(code="auditor")
    assert set(role.actions) == {"customer.view", "customer.history"} and role.clearance == 2
    response = client.post(reverse("admin:org_role_add"), {
        "code": "bad", "name": "坏", "data_scope": DataScope.ALL, "clearance": 1,
        "actions": ["customer.fly"]})
    assert response.status_code == 200 and not Role.objects.filter(code="bad").exists()


def test_moving_a_manager_in_admin_moves_their_customers_into_the_new_region(personas):
    am03 = personas["am03"]
    north_team = personas.org.teams[2]  # 华北一组, region 2
    client = personas.client("admin")
    form = client.get(reverse("admin:org_user_change", args=[am03.pk])).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update({"unit": north_team.pk, "groups": [], "user_permissions": [],
                 "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
                 "last_login_0": "", "last_login_1": "", "is_active": "on"})
    response = client.post(reverse("admin:org_user_change", args=[am03.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    theirs = {c.pk for c in personas.customers["am03"]}
    assert theirs <= set(Customer.objects.visible_to(personas["region2"]).values_list("pk", flat=True))
    assert not theirs & set(Customer.objects.visible_to(personas["region1"]).values_list("pk", flat=True))


def test_a_role_without_pages_gets_an_explaining_start_page(personas):
    response = personas.client("brandmgr").get("/")
    assert response.status_code == 200
    assert "品牌经理" in response.content.decode()


def test_the_administrator_sees_and_revokes_api_tokens(personas):
    from qiao.audit.models import OperationLog
    from qiao.org.models import ApiToken
    from qiao.org.services import api_token_create

    token, secret = api_token_create(user=personas["am01"], name="报表脚本", days=30)
    client = personas.client("admin")
    listing = client.get(reverse("admin:org_apitoken_changelist")).content.decode()
    assert "报表脚本" in listing and token.prefix in listing and secret not in listing
    response = client.post(reverse("admin:org_apitoken_changelist"),
                           {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert OperationLog.objects.filter(action="api_token_revoked", actor=personas["admin"]).exists()
    assert not ApiToken.objects.usable(token.revoked_at).filter(pk=token.pk).exists()
