"""Group robots (edited by administrators) and the outbox (read only: status, last error)."""

from django import forms
from django.contrib import admin

from qiao.core.admin import CleanInputAdminMixin, ReadOnlyAdminMixin
from qiao.core.forms import CleanInputMixin

from .delivery.models import Delivery, Webhook


class WebhookForm(CleanInputMixin, forms.ModelForm):
    class Meta:
        model = Webhook
        fields = ["name", "unit", "platform", "url", "secret", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(Webhook)
class WebhookAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "unit", "platform", "active"]
    list_filter = ["platform", "active"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "target_short", "status", "attempts",
                    "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    list_select_related = ["notification"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    exclude = ["message"]

    @admin.display(description=Delivery._meta.get_field("target").verbose_name)
    def target_short(self, obj):
        # A webhook address carries its access token: show where, not the token.
        return obj.target.split("?")[0] if obj.channel == Delivery.Channel.WEBHOOK else obj.target
