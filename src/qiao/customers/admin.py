"""Configuration of the archive (grades, tags, the public pool's rules per region). Customer
records themselves are worked on in Qiao's own pages, where data scope applies; the admin shows
no customer data."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qiao.core.admin import CleanInputAdminMixin

from .models import ChecklistItem, Grade, PoolRule, Tag


@admin.register(Grade)
class GradeAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    list_display = ("rank", "code", "name", "description")
    ordering = ("rank",)


@admin.register(Tag)
class TagAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(PoolRule)
class PoolRuleAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    """The public pool's rules of a region (a region without one runs on the defaults)."""

    list_display = ("region", "daily_claim_limit", "max_owned", "reclaim_idle_days",
                    "reclaim_offboarded")
    list_select_related = ("region",)
    ordering = ("region__path",)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(CleanInputAdminMixin, SimpleHistoryAdmin):
    """The standard of each lifecycle step (入网/退网 checklists): a change into the status needs
    every active required item ticked. Whether the step also needs approval is set by the
    approval chain of its request type (customer_onboarding, customer_offboarding)."""

    list_display = ("label", "to_status", "order", "required", "is_active")
    list_editable = ("order", "required", "is_active")
    list_filter = ("to_status", "is_active")
    ordering = ("to_status", "order", "id")
