"""The one rule book: which data scopes exist, and what each role may do.

Roles are data (org.Role rows, edited in the admin); the actions they can be given are declared
by the apps that own them (each app's `actions.py`, in `core.registry.actions`); this module
names the scopes and clearances and holds the defaults the demo and a fresh install start from.
Every view and service asks `can(user, action)` — nothing else decides an action.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qiao.core import registry
from qiao.core.models import Clearance

from .actions import ORG_ADMIN


class DataScope(models.TextChoices):
    """How far a role sees (数据权限)."""

    NONE = "none", _("No business data")
    OWN = "own", _("Own records")
    SUBORDINATES = "subordinates", _("Own and subordinates' records")
    UNIT = "unit", _("Own unit")
    UNIT_TREE = "unit_tree", _("Own unit and below")
    ALL = "all", _("Everything")


# code: (name in Chinese as the seeds say it, scope, clearance). Specialists, agents and QA
# inspectors see masked numbers without a way to reveal them. Each role's actions are those
# whose ActionDef names it among its default roles (each app's `actions.py`): default_actions.
DEFAULT_ROLES = {
    "director": ("客户服务总监", DataScope.ALL, Clearance.SECRET),
    "dept_manager": ("客户服务部经理", DataScope.UNIT_TREE, Clearance.SECRET),
    "regional_manager": ("区域市场经理", DataScope.UNIT_TREE, Clearance.CONFIDENTIAL),
    "supervisor": ("主管", DataScope.SUBORDINATES, Clearance.CONFIDENTIAL),
    "account_manager": ("客户经理", DataScope.OWN, Clearance.INTERNAL),
    "specialist": ("专员", DataScope.OWN, Clearance.INTERNAL),
    "agent": ("座席员", DataScope.OWN, Clearance.INTERNAL),
    "qa_inspector": ("质检员", DataScope.OWN, Clearance.INTERNAL),
    "brand_manager": ("品牌经理", DataScope.NONE, Clearance.INTERNAL),
    "admin": ("系统管理员", DataScope.NONE, Clearance.PUBLIC),
}

# Two of org's rules turn on what a role does with customers. org names those actions by their
# code (the customers app declares them) so as to import no domain app.
VIEWS_CUSTOMERS = "customer.view"
CREATES_CUSTOMERS = "customer.create"


def default_actions(role_code: str) -> list[str]:
    """The actions the default role `role_code` starts with, in the order they are registered."""
    return [action.code for action in registry.actions if role_code in action.default_roles]


def action_choices() -> list[tuple[str, object]]:
    """Every registered action as a choice (code, label), for the role's checkboxes."""
    return [(action.code, action.label) for action in registry.actions]


def can(user, action: str) -> bool:
    """May `user` perform `action` at all? (Whether on a given record is `visible_to`'s job.)"""
    if not user.is_authenticated or not user.is_active:
        return False
    return action in user.action_set()


def action_flags(user) -> dict[str, bool]:
    """Every registered action as a template flag, its code with "_" for "." (perms.customer_edit
    for "customer.edit"): may `user` perform it?"""
    return {action.code.replace(".", "_"): can(user, action.code) for action in registry.actions}


def administers_accounts(user) -> bool:
    """May `user` manage other people's accounts (issue password reset links)? The org.admin
    action, or Django's own permission to change users that the admin site asks for: the first
    administrator, made with `createsuperuser`, has no position and so no role."""
    return can(user, ORG_ADMIN) or (user.is_active and user.has_perm("org.change_user"))


def role_may_own_customers(role) -> bool:
    """May people of this role look after customers (be their 客户经理)? When the role creates
    customers — whoever creates one looks after it — and sees records (a data scope, so they
    would see the customers in their care). Agents, QA inspectors, the brand manager and the
    administrator may not; the rule follows the roles as the admin edits them."""
    return (role is not None and role.data_scope != DataScope.NONE
            and CREATES_CUSTOMERS in role.actions)


def may_own_customers(user) -> bool:
    """Is `user` someone customers may be given to (an owner choice, a handover's target)?"""
    return user.is_active and role_may_own_customers(user.role)


def stand_in_line(user):
    """Who could hold the same approval steps as `user`: active staff above `user` in their
    line (their supervisor, that supervisor's supervisor and so on, and the heads of their unit
    and of the units above it) and their peers (the same role in the same unit). Never `user`
    themselves, someone outside their line, or someone of a lower role. A queryset of users."""
    from .models import PATH_STEP, OrgUnit, User

    above = set()
    boss_id = user.supervisor_id
    while boss_id is not None and boss_id not in above and boss_id != user.pk:
        above.add(boss_id)
        boss_id = User.objects.filter(pk=boss_id).values_list("supervisor_id", flat=True).first()
    peers = models.Q(pk__in=[])
    if user.unit_id:
        path = user.unit.path
        line = [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]
        above |= set(OrgUnit.objects.filter(pk__in=line, manager__isnull=False)
                     .values_list("manager_id", flat=True))
        if user.position_id:
            peers = models.Q(unit_id=user.unit_id, position__role_id=user.position.role_id)
    return (User.objects.filter(models.Q(pk__in=above) | peers, is_active=True,
                                position__isnull=False)
            .exclude(pk=user.pk))


def stand_ins(user):
    """Who may decide approvals in `user`'s place while they are away (a delegation, APR-1):
    those of `stand_in_line(user)` cleared at least as high as `user`, so that no request
    `user` may be asked to decide is beyond their clearance."""
    return stand_in_line(user).filter(position__role__clearance__gte=user.clearance)
