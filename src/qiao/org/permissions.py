"""The one rule book: which actions exist, which data scopes exist, and what each role may do.

Roles are data (org.Role rows, edited in the admin); this module names the actions and the
scopes they can be given, and holds the defaults the demo and a fresh install start from.
Every view and service asks `can(user, action)` — nothing else decides an action.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qiao.core.models import Clearance


class DataScope(models.TextChoices):
    """How far a role sees (数据权限)."""

    NONE = "none", _("No business data")
    OWN = "own", _("Own records")
    SUBORDINATES = "subordinates", _("Own and subordinates' records")
    UNIT = "unit", _("Own unit")
    UNIT_TREE = "unit_tree", _("Own unit and below")
    ALL = "all", _("Everything")


class Action(models.TextChoices):
    """Action permissions (操作权限)."""

    CUSTOMER_VIEW = "customer.view", _("View customers")
    CUSTOMER_CREATE = "customer.create", _("Create customers")
    CUSTOMER_EDIT = "customer.edit", _("Edit customers")
    CUSTOMER_DELETE = "customer.delete", _("Delete customers")
    CUSTOMER_RESTORE = "customer.restore", _("Restore deleted customers")
    CUSTOMER_REASSIGN = "customer.reassign", _("Reassign customers to another manager")
    CUSTOMER_GRADE = "customer.grade", _("Change grade and classification")
    CUSTOMER_LIFECYCLE = "customer.lifecycle", _("Change lifecycle status")
    CUSTOMER_HISTORY = "customer.history", _("View change history")
    CUSTOMER_EXPORT = "customer.export", _("Export customer tables")
    CONTACT_EDIT = "contact.edit", _("Create and edit contacts")
    ATTACHMENT_UPLOAD = "attachment.upload", _("Upload attachments")
    REPORT_VIEW = "report.view", _("View customer tables and statistics")
    ORG_ADMIN = "org.admin", _("Administer organisation, users and roles")
    CUSTOMER_SECRET_LEVEL = "customer.secret_level", _("Set secret levels of customers")
    FIELD_REVEAL = "field.reveal", _("Reveal masked phone, ID and bank numbers")
    POOL_CLAIM = "pool.claim", _("Claim customers from the public pool")
    API_USE = "api.use", _("Use the REST API with personal tokens")
    AUDIT_VIEW = "audit.view", _("View the operation log of the users in scope")
    APPROVAL_REQUEST = "approval.request", _("Raise approval requests")
    PROMOTION_MANAGE = "promotion.manage", _("Run promotion campaigns and confirm their lists")
    PROMOTION_RECOMMEND = "promotion.recommend", _("Recommend customers for promotions")


_EVERY_CUSTOMER_ACTION = [a for a in Action if a not in (Action.ORG_ADMIN, Action.AUDIT_VIEW)]
_ACCOUNT_MANAGER = [
    Action.FIELD_REVEAL,
    Action.POOL_CLAIM,
    Action.API_USE,
    Action.CUSTOMER_VIEW,
    Action.CUSTOMER_CREATE,
    Action.CUSTOMER_EDIT,
    Action.CUSTOMER_LIFECYCLE,
    Action.CUSTOMER_HISTORY,
    Action.CONTACT_EDIT,
    Action.ATTACHMENT_UPLOAD,
    Action.REPORT_VIEW,
    Action.APPROVAL_REQUEST,
    Action.PROMOTION_RECOMMEND,
]
_SUPERVISOR = _ACCOUNT_MANAGER + [
    Action.CUSTOMER_GRADE,
    Action.CUSTOMER_DELETE,
    Action.CUSTOMER_RESTORE,
    Action.CUSTOMER_REASSIGN,
    Action.CUSTOMER_EXPORT,
    Action.CUSTOMER_SECRET_LEVEL,
]

# code: (name in Chinese as the seeds say it, scope, clearance, actions). Specialists, agents
# and QA inspectors see masked numbers without a way to reveal them.
DEFAULT_ROLES = {
    "director": ("客户服务总监", DataScope.ALL, Clearance.SECRET,
                 _EVERY_CUSTOMER_ACTION + [Action.AUDIT_VIEW]),
    "dept_manager": ("客户服务部经理", DataScope.UNIT_TREE, Clearance.SECRET,
                     _EVERY_CUSTOMER_ACTION + [Action.AUDIT_VIEW]),
    "regional_manager": ("区域市场经理", DataScope.UNIT_TREE, Clearance.CONFIDENTIAL,
                         _SUPERVISOR + [Action.AUDIT_VIEW]),
    "supervisor": ("主管", DataScope.SUBORDINATES, Clearance.CONFIDENTIAL,
                   _SUPERVISOR + [Action.AUDIT_VIEW]),
    "account_manager": ("客户经理", DataScope.OWN, Clearance.INTERNAL, _ACCOUNT_MANAGER),
    "specialist": ("专员", DataScope.OWN, Clearance.INTERNAL,
                   [Action.CUSTOMER_VIEW, Action.CUSTOMER_HISTORY]),
    "agent": ("座席员", DataScope.OWN, Clearance.INTERNAL, [Action.CUSTOMER_VIEW]),
    "qa_inspector": ("质检员", DataScope.OWN, Clearance.INTERNAL, [Action.CUSTOMER_VIEW]),
    "brand_manager": ("品牌经理", DataScope.NONE, Clearance.INTERNAL, [Action.PROMOTION_MANAGE]),
    "admin": ("系统管理员", DataScope.NONE, Clearance.PUBLIC, [Action.ORG_ADMIN, Action.API_USE]),
}


def can(user, action: str) -> bool:
    """May `user` perform `action` at all? (Whether on a given record is `visible_to`'s job.)"""
    if not user.is_authenticated or not user.is_active:
        return False
    return action in user.action_set()


def administers_accounts(user) -> bool:
    """May `user` manage other people's accounts (issue password reset links)? The org.admin
    action, or Django's own permission to change users that the admin site asks for: the first
    administrator, made with `createsuperuser`, has no position and so no role."""
    return can(user, Action.ORG_ADMIN) or (user.is_active and user.has_perm("org.change_user"))


def role_may_own_customers(role) -> bool:
    """May people of this role look after customers (be their 客户经理)? When the role creates
    customers — whoever creates one looks after it — and sees records (a data scope, so they
    would see the customers in their care). Agents, QA inspectors, the brand manager and the
    administrator may not; the rule follows the roles as the admin edits them."""
    return (role is not None and role.data_scope != DataScope.NONE
            and Action.CUSTOMER_CREATE in role.actions)


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
