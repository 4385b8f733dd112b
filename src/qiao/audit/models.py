"""The operation log (操作日志, SPEC AUD-2): who did what to which record, when and from where."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qiao.org.scope import ScopedQuerySet


class AppendOnlyError(Exception):
    """An attempt to change or remove an operation log row."""


class OperationLogQuerySet(ScopedQuerySet):
    """Rows are only ever added: bulk changes are refused before they reach the database
    (where a trigger refuses them too, migration 0001)."""

    def update(self, **kwargs):
        raise AppendOnlyError("the operation log is append-only")

    def delete(self):
        raise AppendOnlyError("the operation log is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("the operation log is append-only")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("the operation log is append-only")


class OperationLog(models.Model):
    """One logged operation. Append-only: written by audit.services, never changed or removed.

    `actor` and `customer` are references without a database constraint and without cascade
    (DO_NOTHING): a log row must neither block nor follow the removal of what it mentions,
    so `actor_username` and `object_repr` keep what they were called at the time.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logged out")
        CUSTOMER_VIEW = "customer_view", _("Opened a customer")
        VIEW_ALERT = "view_alert", _("Unusual number of customers opened")
        PERMISSION_CHANGE = "permission_change", _("Changed a user's permissions")
        ROLE_CHANGE = "role_change", _("Changed a role")
        POSITION_CHANGE = "position_change", _("Changed a position")
        REVEAL = "reveal", _("Revealed a masked field")
        REVEAL_REFUSED = "reveal_refused", _("Reveal refused: too many in an hour")
        EXPORT = "export", _("Exported data")
        PRINT = "print", _("Printed data")
        HANDOVER = "handover", _("Handed customers over")
        API_TOKEN_CREATED = "api_token_created", _("Created an API token")
        API_TOKEN_REVOKED = "api_token_revoked", _("Revoked an API token")
        DUPLICATE_CHECK = "duplicate_check", _("Checked for duplicate customers")
        DUPLICATE_CHECK_REFUSED = ("duplicate_check_refused",
                                   _("Duplicate check refused: too many in an hour"))
        PASSWORD_CHANGED = "password_changed", _("Changed their password")
        PASSWORD_CHANGED_FORCED = ("password_changed_forced",
                                   _("Chose their own password as required"))
        PASSWORD_SET_BY_ADMIN = "password_set_by_admin", _("Set a user's password")
        PASSWORD_RESET_ISSUED = "password_reset_issued", _("Issued a password reset link")
        PASSWORD_RESET_USED = "password_reset_used", _("Set a new password with a reset link")
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Set up their second factor")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Renewed their recovery codes")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Reset a user's second factor")
        PERSONAL_DATA_ERASED = "personal_data_erased", _("Erased a person's data")
        BACKUP_REQUESTED = "backup_requested", _("Asked for a backup now")
        WEBHOOK_SECRET_RENEWED = "webhook_secret_renewed", _("Renewed an event webhook's secret")
        BONUS_CONFIRMED = "bonus_confirmed", _("Confirmed a bonus run")

    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("operation"), max_length=30, choices=Kind.choices)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = OperationLogQuerySet.as_manager()
    # Never rewritten, not even by an erasure of a person's data (customers.privacy): a row
    # names a person by number only (Customer.log_label).
    append_only = True

    class Meta:
        verbose_name = _("operation log entry")
        verbose_name_plural = _("operation log")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The log page unfiltered (the director): ORDER BY occurred_at DESC LIMIT 50.
            models.Index(fields=["-occurred_at", "-id"], name="audit_time"),
            # "What did this user do in this period": actor = … (or IN the viewer's scope)
            # AND occurred_at BETWEEN … ORDER BY occurred_at DESC.
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            # "Who looked at this customer when": customer = … ORDER BY occurred_at DESC.
            models.Index(fields=["customer", "-occurred_at"], name="audit_customer_time"),
            # "All failed logins / all permission changes in this period": action = … ORDER BY
            # occurred_at DESC.
            models.Index(fields=["action", "-occurred_at"], name="audit_action_time"),
            # The volume alert after each customer view: COUNT(DISTINCT customer_id) WHERE
            # actor_id = … AND action = 'customer_view' AND occurred_at >= now - 1 h —
            # answered from the index alone (covering), over that user's last hour only.
            models.Index(fields=["actor", "action", "occurred_at", "customer"],
                         name="audit_actor_action_time"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the operation log is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the operation log is append-only")

    @property
    def field_label(self):
        """The label of the field a reveal was about ("mobile" → 手机)."""
        from django.apps import apps
        from django.core.exceptions import FieldDoesNotExist

        try:
            model = apps.get_model(self.details["model"])
            return model._meta.get_field(self.details["field"]).verbose_name
        except (KeyError, LookupError, ValueError, FieldDoesNotExist):
            return self.details.get("field", "")
