"""The group-robot webhooks of the teams, the integrations' subscriptions to domain events, and
the one outbox of what leaves the server (e-mail copies and robot messages of the inbox's
notifications, written in the notification's transaction; event webhooks, written after the
event's commit): sent by a background task, retried until sent, never sent twice once sent."""

import secrets
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..inbox.models import Notification


class Webhook(models.Model):
    """A team's group robot (群机器人): every notification of a member of the unit or of a unit
    below it is posted there too."""

    class Platform(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk custom robot")
        FEISHU = "feishu", _("Feishu custom bot")

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey("org.OrgUnit", verbose_name=_("unit"), on_delete=models.CASCADE,
                             related_name="webhooks",
                             help_text=_("Notifications of the members of this unit and of the "
                                         "units below it are posted here."))
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    url = models.CharField(_("webhook address"), max_length=500,
                           validators=[URLValidator(schemes=["https", "http"])])
    secret = models.CharField(_("signing secret"), max_length=200, blank=True,
                              help_text=_("DingTalk and Feishu only: the robot's signing secret "
                                          "(加签), if its security setting uses one."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot webhook")
        verbose_name_plural = _("group robot webhooks")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_platform_display()})"


HTTP_URL = URLValidator(schemes=["https", "http"],
                        message=_("Enter an address starting with https:// or http://."))


def new_secret() -> str:
    return secrets.token_hex(32)


def webhook_event_choices() -> list[tuple[str, str]]:
    """The domain events offered to integrations (core.registry.events, `webhook=True`)."""
    from qiao.core.registry import events

    return [(event.code, f"{event.code} — {event.label}") for event in events if event.webhook]


def validate_events(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."), code="required")
    known = {code for code, _label in webhook_event_choices()}
    unknown = [str(code) for code in value if code not in known]
    if unknown:
        raise ValidationError(_("Unknown events: %(codes)s.") % {"codes": ", ".join(unknown)},
                              code="invalid")


class Subscription(models.Model):
    """An integration's webhook (an ERP's address): each domain event it chose is POSTed there
    as signed JSON (delivery.channels.send_event), through the outbox below."""

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("address"), max_length=500, validators=[HTTP_URL],
                           help_text=_("https:// or http:// only; the events are POSTed here."))
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    secret = models.CharField(_("signing secret"), max_length=200, default=new_secret,
                              editable=False,
                              help_text=_("Generated when the subscription is created: the "
                                          "receiver checks X-Qiao-Signature with it."))
    previous_secret = models.CharField(_("previous signing secret"), max_length=200,
                                       blank=True, editable=False)
    secret_renewed_at = models.DateTimeField(_("secret renewed"), null=True, blank=True,
                                             editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    # After a renewal the old secret signs too, for this long: the receiver switches over
    # without refusing a delivery signed a moment before or after.
    SECRET_OVERLAP = timedelta(hours=24)

    class Meta:
        verbose_name = _("event webhook")
        verbose_name_plural = _("event webhooks")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def previous_secret_until(self):
        """When the previous secret stops signing (None: there is none in use)."""
        if not (self.previous_secret and self.secret_renewed_at):
            return None
        until = self.secret_renewed_at + self.SECRET_OVERLAP
        return until if until > timezone.now() else None


class Delivery(models.Model):
    """One copy of a notification to send outside (the outbox). `sending` is a claim with a
    lease: the worker that set it owns the row until `claimed_until`; a worker killed while
    sending leaves it to the sweeper once the lease has passed."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")
        EVENT = "event", _("Event webhook")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery", "Pending")
        SENDING = "sending", pgettext_lazy("delivery", "Sending")
        SENT = "sent", pgettext_lazy("delivery", "Sent")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")

    notification = models.ForeignKey(Notification, verbose_name=_("notification"), null=True,
                                     blank=True, on_delete=models.CASCADE,
                                     related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    webhook = models.ForeignKey(Webhook, verbose_name=_("webhook"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="deliveries")
    # An event webhook's: the subscription, the event, its body but for the id (the event's
    # time and data), the id the receiver sees, and the delivery it replays.
    subscription = models.ForeignKey(Subscription, verbose_name=_("event webhook"), null=True,
                                     blank=True, on_delete=models.CASCADE,
                                     related_name="deliveries")
    event = models.CharField(_("event"), max_length=100, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    uuid = models.UUIDField(_("delivery id"), null=True, blank=True, unique=True,
                            default=uuid.uuid4, editable=False)
    replay_of = models.ForeignKey("self", verbose_name=_("replay of"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="replays")
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True,
                                                     editable=False)  # the answer's status
    target = models.CharField(_("recipient address"), max_length=500)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweeper: WHERE status IN ('pending', 'sending') AND next_attempt_at <= now
            # (or claimed_until < now) — only unfinished rows are in the index.
            models.Index(fields=["next_attempt_at"], name="notify_delivery_due_idx",
                         condition=Q(status__in=["pending", "sending"])),
        ]

    def __str__(self):
        # A webhook address may carry its access token: say where, not the token.
        target = self.target if self.channel == self.Channel.EMAIL else self.target.split("?")[0]
        return f"{self.get_channel_display()} → {target}"
