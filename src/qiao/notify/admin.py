"""Group robots and the integrations' event webhooks (edited by administrators) and the outbox
(read only: status, attempts, answer, last error; an event webhook's delivery sent again)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from qiao.core.admin import CleanInputAdminMixin, ReadOnlyAdminMixin
from qiao.core.forms import CleanInputMixin
from qiao.core.origin import Origin

from .delivery.models import Delivery, Subscription, Webhook, webhook_event_choices
from .delivery.services import delivery_replay, subscription_secret_renew


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


class SubscriptionForm(CleanInputMixin, forms.ModelForm):
    events = forms.MultipleChoiceField(label=_("events"), choices=webhook_event_choices,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Subscription
        fields = ["name", "url", "events", "active"]


@admin.register(Subscription)
class SubscriptionAdmin(CleanInputAdminMixin, admin.ModelAdmin):
    """An integration's webhook: its address, the events it takes, its signing secret (made
    when it is created, shown here to the administrators) and its delivery log."""

    form = SubscriptionForm
    list_display = ["name", "url_short", "active", "created_at", "delivery_log"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "previous_secret_in_use", "created_at", "delivery_log"]
    actions = ["renew_secret"]

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "active"]
        return fields + self.readonly_fields if obj else fields

    @admin.display(description=_("previous secret"))
    def previous_secret_in_use(self, obj):
        until = obj.previous_secret_until()
        if until is None:
            return _("none in use")
        return _("%(secret)s — still signs (X-Qiao-Signature-Previous) until %(until)s") % {
            "secret": obj.previous_secret,
            "until": date_format(localtime(until), "DATETIME_FORMAT")}

    def has_renew_permission(self, request):
        return request.user.has_perm("notify.change_subscription")

    @admin.action(description=_("Renew the signing secret of the selected event webhooks"),
                  permissions=["renew"])
    def renew_secret(self, request, queryset):
        for subscription in queryset:
            subscription_secret_renew(subscription, actor=request.user,
                                      origin=Origin.of(request))
            messages.success(request, _(
                "“%(name)s” has a new signing secret, on its page. The old one also signs for "
                "24 hours: give the new one to the receiver within that time.")
                % {"name": subscription.name})

    @admin.display(description=Subscription._meta.get_field("url").verbose_name)
    def url_short(self, obj):
        return obj.url.split("?")[0]  # a query string may carry the receiver's token

    @admin.display(description=_("delivery log"))
    def delivery_log(self, obj):
        url = reverse("admin:notify_delivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">{}</a>', url, obj.pk,
                           _("deliveries"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            messages.info(request, _("The signing secret of “%(name)s” is on its page: give it "
                                     "to the receiver.") % {"name": obj.name})


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "channel", "target_short", "event", "status", "attempts",
                    "response_code", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status", "channel", "subscription", "event"]
    list_select_related = ["notification"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    exclude = ["message"]
    actions = ["replay"]

    def has_replay_permission(self, request):
        return request.user.has_perm("notify.change_subscription")

    @admin.action(description=_("Send the selected event webhooks again"),
                  permissions=["replay"])
    def replay(self, request, queryset):
        sent, refused = 0, []
        for delivery in queryset.select_related("subscription"):
            try:
                delivery_replay(delivery)
                sent += 1
            except ValidationError as exc:
                refused.append(" ".join(exc.messages))
        if sent:
            messages.success(request, _("%(count)d deliveries queued again.") % {"count": sent})
        for message in sorted(set(refused)):
            messages.error(request, message)

    @admin.display(description=Delivery._meta.get_field("target").verbose_name)
    def target_short(self, obj):
        # A webhook address carries its access token: show where, not the token.
        return (obj.target.split("?")[0] if obj.channel != Delivery.Channel.EMAIL
                else obj.target)
