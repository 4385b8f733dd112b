"""The service desk's settings in the admin (queues, SLA policies, assignment rules, standard
replies); tickets themselves are read here for support and changed on the pages (services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qiao.core.admin import CleanInputAdminMixin, ReadOnlyAdminMixin

from .models import AssignmentRule, CannedReply, Queue, SlaPolicy, Ticket


@admin.register(Queue)
class QueueAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    list_display = ["name", "supervisor", "is_active"]
    filter_horizontal = ["members"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "severity", "grade", "first_response_hours",
                    "resolution_hours", "warn_hours"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    list_display = ["order", "name", "kind", "severity", "region", "product_contains", "queue",
                    "assignee", "to_owner"]
    list_display_links = ["name"]


@admin.register(CannedReply)
class CannedReplyAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "is_active"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["subject", "kind", "customer", "status", "assignee", "created_at"]
    list_filter = ["kind", "status", "severity"]
    list_select_related = ["customer", "assignee"]
    raw_id_fields = ["customer", "contact"]
