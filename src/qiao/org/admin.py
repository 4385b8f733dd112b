"""Administrators manage the organisation here: units, roles (scope + actions), positions, users."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from qiao.audit.admin import AuditedAdminMixin
from qiao.core.admin import ReadOnlyAdminMixin

from .models import ApiToken, OrgUnit, Position, Role, User
from .permissions import Action
from .services import api_token_revoke, org_unit_save_from_admin, user_move


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
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


class RoleForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(
        label=_("permitted actions"), choices=Action.choices, required=False,
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
class RoleAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    form = RoleForm
    list_display = ("name", "code", "data_scope", "clearance")
    list_filter = ("data_scope", "clearance")


@admin.register(Position)
class PositionAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "role")
    list_filter = ("role",)


@admin.register(User)
class QiaoUserAdmin(AuditedAdminMixin, UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "display_name", "unit", "position", "supervisor", "is_active")
    list_filter = ("is_active", "position__role", "unit")
    search_fields = ("username", "display_name", "mobile")
    autocomplete_fields = ("unit", "supervisor")
    list_select_related = ("unit", "position", "supervisor")
    # Kept by Django, not typed in: the admin's time input (hours and minutes in Chinese)
    # would cut their seconds off at every save.
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "unit" in form.changed_data:
            user_move(user=obj, unit=obj.unit)  # their customers follow them

    fieldsets = UserAdmin.fieldsets + (
        (_("Organisation"), {"fields": ("display_name", "unit", "position", "supervisor",
                                         "mobile", "language")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Everyone's personal API tokens, to see which are in use and revoke one at once (a lost
    laptop, a leaver's script). Tokens are made only by their owners, on their own page."""

    list_display = ["name", "prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username", "user__display_name"]
    list_select_related = ["user"]
    readonly_fields = list_display
    fields = list_display
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            api_token_revoke(actor=request.user, token=token, request=request)
        messages.success(request, _("The tokens are revoked."))
