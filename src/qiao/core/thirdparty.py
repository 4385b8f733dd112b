"""App configs for third-party apps whose own give no translatable name: INSTALLED_APPS names
these instead, so the admin speaks the administrator's language there too."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes (login attempts and lockouts, C23). Its messages are translated in Qiao's
    catalogue (it ships no Simplified Chinese)."""

    verbose_name = _("Login protection")

    def ready(self):
        super().ready()
        # After the admin's autodiscovery (django.contrib.admin is the first app), which has
        # registered axes' own admin classes.
        from . import thirdparty_admin  # noqa: F401
