from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qiao.core"
    verbose_name = _("Business calendar")

    def ready(self):
        from . import calendar, exports, registry

        # A list's file or print layout leaving the system (core.lists); audit records them.
        registry.events.register(registry.DomainEvent(exports.EXPORTED, _("List exported")))
        registry.events.register(registry.DomainEvent(exports.PRINTED, _("List printed")))
        from .checks import coming_year_has_holidays
        from .models import CalendarDay, WorkingPeriod

        # A changed row empties this process's calendar cache (other processes reload within
        # calendar.CACHE_SECONDS). Signals, so that the admin's bulk delete is seen too.
        for model in (CalendarDay, WorkingPeriod):
            for signal in (post_save, post_delete):
                signal.connect(calendar.forget, sender=model,
                               dispatch_uid=f"calendar-forget-{model.__name__}-{signal is post_save}")
        # A database check: it looks only when asked to (`check --database default`, and
        # `migrate` before it migrates), not in the plain `check` that collectstatic,
        # makemigrations, runserver and `check --deploy` run, which must not need a database.
        checks.register(coming_year_has_holidays, checks.Tags.database)
