"""Data scope (数据权限) from the org tree: supervisor chains, unit trees that move, no scope."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from qiao.customers.actions import CUSTOMER_VIEW
from qiao.customers.models import Contact, Customer
from qiao.org.models import OrgUnit, Position, Role, User
from qiao.org.permissions import DataScope
from qiao.org.scope import resolved_scope, subordinate_ids, visible_users
from qiao.org.services import org_unit_create, org_unit_move, user_move
from tests.factories import make_contact, make_customer


def fresh(user):
    """The user as the next request loads it: scope is cached on the object, per request."""
    return User.objects.select_related("position__role", "unit").get(pk=user.pk)


def visible(user):
    return set(Customer.objects.visible_to(fresh(user)).values_list("name", flat=True))


def names(personas, *keys):
    return {c.name for key in keys for c in personas.customers[key]}


def add_user(username, *, unit, role, supervisor=None, **extra):
    position, _ = Position.objects.get_or_create(name=role.name, role=role)
    return User.objects.create_user(username, password="x-pass-123", unit=unit, position=position,
                                    supervisor=supervisor, **extra)


# --- the supervisor chain --------------------------------------------------------------------

def test_subordinates_are_followed_down_the_whole_chain(personas):
    u = personas.users
    ids = lambda *names: {u[n].pk for n in names}  # noqa: E731
    assert subordinate_ids(u["am01"]) == ids("am01")
    # A disabled leaver stays in the chain: his customers must stay visible to be handed over.
    assert subordinate_ids(u["sup1"]) == ids("sup1", "am01", "am02", "leaver")
    assert subordinate_ids(u["region1"]) == ids("region1", "sup1", "am01", "am02", "leaver",
                                                "am03", "am04")
    everyone_below_director = set(User.objects.exclude(supervisor=None).values_list("pk", flat=True))
    # admin has no supervisor; everybody else reports, directly or not, to the director.
    assert subordinate_ids(u["director"]) == everyone_below_director | ids("director")


def test_supervisor_scope_reaches_a_subordinates_subordinate(personas):
    am_role = personas["am01"].role
    trainee = add_user("trainee", unit=personas["am01"].unit, role=am_role,
                       supervisor=personas["am01"])
    trainee_customer = make_customer(trainee)
    assert visible(personas["sup1"]) == names(personas, "am01", "am02") | {trainee_customer.name}
    # A supervisor scope is the chain, not the unit: region1 sees it through the unit tree,
    # am01 (own records only) does not although trainee reports to am01.
    assert trainee_customer.name in visible(personas["region1"])
    assert visible(personas["am01"]) == names(personas, "am01")


def test_a_supervisor_cycle_does_not_hang(personas):
    sup1, am01 = personas["sup1"], personas["am01"]
    sup1.supervisor = am01
    sup1.save()
    team = {sup1.pk, am01.pk, personas["am02"].pk, personas["leaver"].pk}
    assert subordinate_ids(sup1) == team
    assert subordinate_ids(am01) == team


# --- unit trees ------------------------------------------------------------------------------

def test_unit_tree_scope_follows_a_team_that_moves_to_another_region(personas):
    org = personas.org
    north = org.regions[1]
    team_b = OrgUnit.objects.get(pk=personas["am03"].unit_id)  # 华东二组: am03, am04
    sub_team = org_unit_create(name="华东二组驻点", kind=OrgUnit.Kind.TEAM, parent=team_b)
    am_role = personas["am03"].role
    outpost_am = add_user("outpost", unit=sub_team, role=am_role, supervisor=personas["am03"])
    outpost_customer = make_customer(outpost_am)
    moved = names(personas, "am03", "am04") | {outpost_customer.name}
    east_before = visible(personas["region1"])
    assert moved <= east_before

    org_unit_move(unit=team_b, new_parent=north)

    team_b.refresh_from_db()
    sub_team.refresh_from_db()
    assert team_b.path == north.path + str(team_b.pk).zfill(6)
    assert sub_team.path == team_b.path + str(sub_team.pk).zfill(6)
    assert visible(personas["region1"]) == east_before - moved
    assert moved <= visible(personas["region2"])
    assert visible(personas["deptmgr"]) == {c.name for c in Customer.objects.all()}
    # The pages say the same as the queryset: region1's list no longer counts them.
    page = personas.client("region1").get(reverse("customers:list"))
    html = page.content.decode()
    assert all(name not in html for name in moved)
    assert f'data-testid="result-count">共 {len(east_before - moved)} 条记录' in html


def test_a_unit_cannot_move_under_its_own_subtree(personas):
    region = personas.org.regions[0]
    team = OrgUnit.objects.get(pk=personas["am01"].unit_id)
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    with pytest.raises(ValueError):
        org_unit_move(unit=region, new_parent=team)
    assert dict(OrgUnit.objects.values_list("pk", "path")) == paths


def test_unit_scope_is_the_unit_itself_without_the_units_below(personas):
    region = personas.org.regions[0]
    role = Role.objects.create(code="region_clerk", name="区域内勤", data_scope=DataScope.UNIT,
                               actions=[CUSTOMER_VIEW])
    clerk = add_user("clerk", unit=region, role=role, supervisor=personas["region1"])
    # Only the region's own unit: its public pool, not its teams' customers.
    assert visible(clerk) == names(personas, f"pool:{region.name}")


def test_contacts_follow_their_customers_scope(personas):
    mine = make_contact(personas.customers["am01"][0], personas["am01"], name="甲联系人")
    theirs = make_contact(personas.customers["am03"][0], personas["am03"], name="乙联系人")
    def contacts(username):
        return set(Contact.objects.visible_to(fresh(personas[username])).values_list("pk", flat=True))
    assert contacts("am01") == {mine.pk}
    assert contacts("sup1") == {mine.pk}
    assert contacts("region1") == {mine.pk, theirs.pk}
    assert contacts("am03") == {theirs.pk}


# --- nothing to see --------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["brandmgr", "admin"])
def test_none_scope_sees_no_customer_and_no_colleague(personas, username):
    user = personas[username]
    assert resolved_scope(fresh(user)) == ("none", None)
    assert visible(user) == set()
    assert not visible_users(fresh(user)).exists()


def test_a_user_without_position_sees_nothing(personas):
    nobody = User.objects.create_user("nobody", password="x-pass-123",
                                      unit=personas.org.regions[0], supervisor=personas["region1"])
    assert nobody.role is None
    assert resolved_scope(fresh(nobody)) == ("none", None)
    assert visible(nobody) == set()
    client = personas.client("am01")
    client.force_login(nobody)
    assert client.get(reverse("customers:list")).status_code == 404  # no customer.view either


def test_a_unit_tree_role_without_a_unit_sees_nothing(personas):
    region_role = personas["region1"].role
    floating = add_user("floating", unit=None, role=region_role)
    assert resolved_scope(fresh(floating)) == ("none", None)
    assert visible(floating) == set()


def test_an_inactive_user_and_an_anonymous_one_see_nothing(personas):
    leaver = personas["leaver"]  # same unit and position as am01, but disabled
    make_customer(leaver, actor=personas["director"])
    assert resolved_scope(fresh(leaver)) == ("none", None)
    assert visible(leaver) == set()
    assert resolved_scope(AnonymousUser()) == ("none", None)
    assert not Customer.objects.visible_to(AnonymousUser()).exists()


def test_customers_follow_an_account_manager_who_moves_to_another_region(personas):
    am03 = personas["am03"]
    north_team = personas.org.teams[2]  # 华北一组
    user_move(user=am03, unit=north_team)
    theirs = names(personas, "am03")
    assert theirs <= visible(personas["region2"])
    assert not theirs & visible(personas["region1"])
