"""Administrators manage the organisation here: units, roles (scope + actions), positions, users."""

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from qiao.core import registry
from qiao.core.admin import CleanInputAdminMixin, ReadOnlyAdminMixin
from qiao.core.forms import CleanInputMixin
from qiao.core.origin import Origin

from . import second_factor
from .models import ApiToken, OrgUnit, Position, Role, User
from .permissions import action_choices
from .services import (
    ACCESS_CHANGED,
    api_token_revoke,
    clearance_changed,
    org_unit_save_from_admin,
    password_reset_hours,
    user_move,
    user_password_reset_link,
    user_password_set_by_admin,
)


def _plain(value):
    """A JSON-safe, human-readable form of a form value (records as their names)."""
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted(str(_plain(v)) for v in value)
    return value


def form_changes(*, form, old, fields) -> dict:
    """{field: [old, new]} for the watched `fields` the admin form changed. `old` is the
    record as stored before the save (None when it is new); many-to-many values come from
    the form's initial data."""
    changes = {}
    for name in fields:
        if name not in form.changed_data or name not in form.cleaned_data:
            continue
        if old is None:
            before = None
        elif name in form.initial and isinstance(form.initial[name], list | tuple):
            before = form.initial[name]
        else:
            before = getattr(old, name, form.initial.get(name))
        changes[name] = [_plain(before), _plain(form.cleaned_data[name])]
    return changes


if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class AccessChangeAdminMixin(_ModelAdmin):
    """First base after CleanInputAdminMixin of RoleAdmin, PositionAdmin and QiaoUserAdmin: a
    new record, or a change of one of `access_fields` (a change of who may do or see what), is
    announced as services.ACCESS_CHANGED with old → new values, in the save's transaction (the
    operation log records it, SPEC AUD-2)."""

    access_fields: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        old = type(obj)._base_manager.filter(pk=obj.pk).first() if change else None
        changes = form_changes(form=form, old=old, fields=self.access_fields)
        super().save_model(request, obj, form, change)
        if changes or not change:
            registry.emit(ACCESS_CHANGED, actor=request.user, origin=Origin.of(request), obj=obj,
                          changes=changes, created=not change)


@admin.register(OrgUnit)
class OrgUnitAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    list_display = ("indented_name", "kind", "parent", "manager")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("parent", "manager")

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return "— " * (obj.depth - 1) + obj.name

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        org_unit_save_from_admin(obj, is_new=not change)


class RoleForm(CleanInputMixin, forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label=_("permitted actions"), choices=action_choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Role
        fields = ("code", "name", "data_scope", "clearance", "actions")

    def clean_actions(self):
        # The same actions ticked again keep their stored order: no change, no history row.
        actions = self.cleaned_data["actions"]
        stored = self.instance.actions or []
        return stored if set(actions) == set(stored) else actions


@admin.register(Role)
class RoleAdmin(CleanInputAdminMixin, AccessChangeAdminMixin, SimpleHistoryAdmin):
    form = RoleForm
    access_fields = ("code", "name", "data_scope", "clearance", "actions")
    list_display = ("name", "code", "data_scope", "clearance")
    list_filter = ("data_scope", "clearance")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "clearance" in form.changed_data:
            clearance_changed(users=User.objects.filter(position__role=obj))


@admin.register(Position)
class PositionAdmin(CleanInputAdminMixin, AccessChangeAdminMixin, SimpleHistoryAdmin):
    access_fields = ("name", "role")
    list_display = ("name", "role")
    list_filter = ("role",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "role" in form.changed_data:
            clearance_changed(users=User.objects.filter(position=obj))


@admin.register(User)
class QiaoUserAdmin(CleanInputAdminMixin, AccessChangeAdminMixin, UserAdmin, SimpleHistoryAdmin):
    access_fields = ("position", "unit", "supervisor", "is_active", "must_change_password",
                     "is_staff", "is_superuser", "groups", "user_permissions")
    list_display = ("username", "display_name", "unit", "position", "supervisor", "is_active")
    list_filter = ("is_active", "must_change_password", "position__role", "unit")
    search_fields = ("username", "display_name", "mobile")
    autocomplete_fields = ("unit", "supervisor")
    list_select_related = ("unit", "position", "supervisor")
    actions = ["password_reset_links", "second_factor_reset"]
    # Kept by Django, not typed in: the admin's time input (hours and minutes in Chinese)
    # would cut their seconds off at every save.
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "unit" in form.changed_data:
            user_move(user=obj, unit=obj.unit)  # their customers follow them
        if change and "position" in form.changed_data:
            clearance_changed(users=User.objects.filter(pk=obj.pk))
        if not change and obj.has_usable_password():
            # The administrator typed the new user's first password.
            user_password_set_by_admin(actor=request.user, user=obj, origin=Origin.of(request))

    def user_change_password(self, request, id, form_url=""):
        """The admin's "set password" page; a password stored there is the administrator's
        choice (org.services.user_password_set_by_admin)."""
        user = self.get_object(request, unquote(id))
        before = user.password if user is not None else None
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and user is not None:
            user.refresh_from_db(fields=["password"])
            if user.password != before and user.has_usable_password():
                user_password_set_by_admin(actor=request.user, user=user, origin=Origin.of(request))
        return response

    @admin.action(description=_("Issue a one-time password reset link"))
    def password_reset_links(self, request, queryset):
        """A page with one link per selected user, to hand over (by phone, in person): no
        e-mail is needed. Shown once and never stored (nor cached: core.middleware)."""
        links, refused = [], []
        for user in queryset.order_by("username"):
            try:
                link = user_password_reset_link(actor=request.user, user=user,
                                                origin=Origin.of(request))
                links.append((user, request.build_absolute_uri(link)))
            except ValidationError as exc:
                refused.append(" ".join(exc.messages))
        context = {**self.admin_site.each_context(request), "opts": self.opts,
                   "title": _("One-time password reset links"), "links": links,
                   "refused": refused, "hours": password_reset_hours()}
        return TemplateResponse(request, "admin/org/user/password_reset_links.html", context)

    @admin.action(description=_("Reset the second factor (lost phone)"))
    def second_factor_reset(self, request, queryset):
        """Clears the selected users' authenticator and recovery codes: their next privileged
        request asks them to set up again. Logged, one entry a user."""
        for user in queryset:
            second_factor.reset(actor=request.user, user=user, origin=Origin.of(request))
        self.message_user(request, _("The second factor of %(n)d users was reset.")
                          % {"n": queryset.count()})

    fieldsets = (*(UserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("display_name", "unit", "position", "supervisor",
                                         "mobile", "language")}),
        (_("Password"), {"fields": ("must_change_password",)}),
    )


TOKEN_COLUMNS = ("name", "prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Everyone's personal API tokens, to see which are in use and revoke one at once (a lost
    laptop, a leaver's script). Tokens are made only by their owners, on their own page."""

    list_display = TOKEN_COLUMNS
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username", "user__display_name"]
    list_select_related = ["user"]
    readonly_fields = TOKEN_COLUMNS
    fields = TOKEN_COLUMNS
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            api_token_revoke(actor=request.user, token=token, origin=Origin.of(request))
        messages.success(request, _("The tokens are revoked."))


# django-otp's own pages of devices (their keys in clear, English only) are not offered: an
# administrator resets a user's second factor with the users' action above, which is logged.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
