"""Campaigns in the admin, read for support: changes go through the pages (services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qiao.core.admin import ReadOnlyAdminMixin

from .models import Campaign, CampaignItem, Handout, HandoutLine, Recommendation


class ItemInline(admin.TabularInline):
    model = CampaignItem
    extra = 0
    can_delete = False
    readonly_fields = ["name", "unit", "sort_order"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "owner", "starts_on", "ends_on", "quota", "state"]
    list_filter = ["state"]
    search_fields = ["name"]
    inlines = [ItemInline]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["campaign", "customer", "recommender", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["campaign", "customer", "recommender"]
    raw_id_fields = ["customer"]


class LineInline(admin.TabularInline):
    model = HandoutLine
    extra = 0
    can_delete = False
    readonly_fields = ["item", "quantity"]


@admin.register(Handout)
class HandoutAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["recommendation", "handed_out_on", "handed_out_by", "signer_name"]
    list_select_related = ["recommendation__campaign", "recommendation__customer",
                           "handed_out_by"]
    exclude = ["file"]
    inlines = [LineInline]
