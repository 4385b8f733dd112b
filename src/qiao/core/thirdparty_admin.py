"""django-axes' admin pages in the administrator's language. axes' messages are translated in
Qiao's catalogue; what axes never passes through gettext is named here: the status column of the
attempts (named after its method) and the records' titles (English f-strings in __str__)."""

from typing import TYPE_CHECKING

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object


class TitledByUserAndTime(_ModelAdmin):
    """The record's title on its page: who and when, with no words to translate."""

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None:
            when = timezone.localtime(obj.attempt_time)
            context["subtitle"] = f"{obj.username or '—'} · {when:%Y-%m-%d %H:%M:%S}"
        return super().render_change_form(request, context, add, change, form_url, obj)


class AccessAttemptAdmin(TitledByUserAndTime, axes_admin.AccessAttemptAdmin):
    @admin.display(description=_("status"))
    def status(self, obj):
        return super().status(obj)

    @admin.display(description=_("Expires At"))
    def expiration(self, obj):
        return super().expiration(obj)


class AccessLogAdmin(TitledByUserAndTime, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(TitledByUserAndTime, axes_admin.AccessFailureLogAdmin):
    pass


for model, model_admin in ((AccessAttempt, AccessAttemptAdmin), (AccessLog, AccessLogAdmin),
                           (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(model):  # axes registers only those its settings enable
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
