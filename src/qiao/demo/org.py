"""The demo organisation: the company of SPEC "Demo data", with stable usernames.

director, deptmgr, region1-3, sup1-3 (one team each), am01-am12 (four per region, two
teams of two per region), agent01-04 (call centre), qa01, brandmgr, admin. Tests build
the same organisation as their persona fixture, so what the tests prove is what the demo
shows.
"""

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from qiao.org.models import OrgUnit, Position, Role, User
from qiao.org.permissions import DEFAULT_ROLES, default_actions
from qiao.org.services import org_unit_create

REGIONS = ("华东区", "华北区", "华南区")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓东")


@dataclass
class DemoOrg:
    company: OrgUnit
    department: OrgUnit
    regions: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    users: dict = field(default_factory=dict)

    @property
    def account_managers(self):
        return [u for name, u in sorted(self.users.items()) if name.startswith("am")]


def ensure_roles() -> dict[str, Role]:
    roles = {}
    for code, (name, scope, clearance) in DEFAULT_ROLES.items():
        role, _ = Role.objects.update_or_create(
            code=code, defaults={"name": name, "data_scope": scope, "clearance": clearance,
                                 "actions": default_actions(code)})
        roles[code] = role
    return roles


def _person(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 5) % len(GIVEN)]


@transaction.atomic
def build_org(password: str, *, must_change_password: bool = False) -> DemoOrg:
    """The demo company, every user with `password`. `make demo` (load_demo) asks the users to
    choose their own password at their first login (a password printed on the screen is
    nobody's own); tests log the personas in directly."""
    roles = ensure_roles()
    positions = {
        code: Position.objects.get_or_create(name=role.name, role=role)[0]
        for code, role in roles.items()
    }
    company = org_unit_create(name="桥联商贸有限公司", kind=OrgUnit.Kind.COMPANY)
    department = org_unit_create(name="客户服务部", kind=OrgUnit.Kind.DEPARTMENT, parent=company)
    call_centre = org_unit_create(name="呼叫中心", kind=OrgUnit.Kind.TEAM, parent=department)
    org = DemoOrg(company=company, department=department)
    counter = iter(range(1000))
    encoded_password = make_password(password)  # hashed once: PBKDF2 is slow on purpose

    def user(username, unit, role_code, supervisor=None, **extra):
        u = User(username=username, display_name=_person(next(counter)), unit=unit,
                 position=positions[role_code], supervisor=supervisor,
                 must_change_password=must_change_password, **extra)
        u.password = encoded_password
        u.save()
        org.users[username] = u
        return u

    director = user("director", company, "director")
    deptmgr = user("deptmgr", department, "dept_manager", director)
    for r, region_name in enumerate(REGIONS, start=1):
        region = org_unit_create(name=region_name, kind=OrgUnit.Kind.REGION, parent=department,
                                 sort_order=r)
        org.regions.append(region)
        manager = user(f"region{r}", region, "regional_manager", deptmgr)
        region.manager = manager
        region.save(update_fields=["manager"])
        team_a = org_unit_create(name=f"{region_name[:2]}一组", kind=OrgUnit.Kind.TEAM,
                                 parent=region)
        team_b = org_unit_create(name=f"{region_name[:2]}二组", kind=OrgUnit.Kind.TEAM,
                                 parent=region)
        org.teams += [team_a, team_b]
        sup = user(f"sup{r}", team_a, "supervisor", manager)
        team_a.manager = sup
        team_a.save(update_fields=["manager"])
        # am01, am02 in region 1 team 1 (one supervisor); am03, am04 in team 2 under the
        # regional manager directly, and so on per region.
        base = (r - 1) * 4
        user(f"am{base + 1:02d}", team_a, "account_manager", sup)
        user(f"am{base + 2:02d}", team_a, "account_manager", sup)
        user(f"am{base + 3:02d}", team_b, "account_manager", manager)
        user(f"am{base + 4:02d}", team_b, "account_manager", manager)
    lead = None
    for a in range(1, 5):
        agent = user(f"agent{a:02d}", call_centre, "agent", lead or deptmgr)
        lead = lead or agent
    user("qa01", call_centre, "qa_inspector", deptmgr)
    user("brandmgr", department, "brand_manager", deptmgr)
    user("admin", company, "admin", None, is_staff=True, is_superuser=True)
    return org
