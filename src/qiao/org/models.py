"""Organisation: units in a tree, roles as data, users with a unit, a position and a supervisor."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qiao.core import registry
from qiao.core.fields import PhoneField
from qiao.core.models import Clearance
from qiao.core.validators import plausible_count

from .permissions import DataScope

PATH_STEP = 6  # characters per level of the materialised path: "000001000004000017"


class OrgUnit(models.Model):
    """A node of the organisation tree (company → department → region → team, any depth).

    `path` is the materialised path of ids, so "this unit and everything below" is one
    indexed prefix match; services keep it right when a unit moves.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DEPARTMENT = "department", _("Department")
        REGION = "region", _("Region")
        TEAM = "team", _("Team")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    manager = models.ForeignKey(
        "User", verbose_name=_("head"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="managed_units",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0,
                                             validators=plausible_count(10_000))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def depth(self):
        return len(self.path) // PATH_STEP


class Role(models.Model):
    """A role: how far its holders see (data scope) and what they may do (actions)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    data_scope = models.CharField(
        _("data scope"), max_length=20, choices=DataScope.choices, default=DataScope.OWN
    )
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=Clearance.choices, default=Clearance.INTERNAL,
        help_text=_("Holders see customers and attachments up to this secret level."),
    )
    actions = models.JSONField(_("permitted actions"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        unknown = {code for code in self.actions if code not in registry.actions}
        if unknown:
            raise ValidationError({"actions": _("Unknown actions: %s") % ", ".join(sorted(unknown))})


class Position(models.Model):
    """A post (岗位) such as 客户经理 or 投诉主管, held in a unit, carrying a role."""

    name = models.CharField(_("name"), max_length=60)
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A member of staff. Role comes from the position; scope is computed from the org tree."""

    display_name = models.CharField(_("name"), max_length=60, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.PROTECT
    )
    supervisor = models.ForeignKey(
        "self", verbose_name=_("supervisor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    mobile = PhoneField(_("mobile"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True,
        choices=[("", _("Browser default")), ("zh-hans", "简体中文"), ("en", "English")],
    )
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("Set when someone else chose the password (an administrator, the demo): "
                    "the user chooses their own at their next login."))
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.username

    @property
    def role(self):
        return self.position.role if self.position is not None else None

    @property
    def clearance(self) -> int:
        role = self.role
        return role.clearance if role and self.is_active else Clearance.PUBLIC

    def action_set(self) -> frozenset:
        if not hasattr(self, "_action_set"):
            role = self.role
            self._action_set = frozenset(role.actions if role else ())
        return self._action_set


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token (DAT-3). Only a SHA-256 digest of the secret is stored: the secret
    is shown once, when the token is made. Revoked, expired, or its user disabled: refused."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False,
                              help_text=_("The first characters of the token, to recognise it."))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
