"""App configs for third-party apps whose own give no translatable name: INSTALLED_APPS names
these instead, so the admin speaks the administrator's language there too."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes (login attempts and lockouts, C23). Its messages are translated in Qiao's
    catalogue (it ships no Simplified Chinese)."""

    verbose_name = _("Login protection")

    def ready(self):
        super().ready()
        # After the admin's autodiscovery (django.contrib.admin is the first app), which has
        # registered axes' own admin classes.
        from . import thirdparty_admin  # noqa: F401


class TotpConfig(OtpTotpAppConfig):
    """django-otp's authenticator codes (the second factor, C24)."""

    verbose_name = _("Authenticator codes")


class StaticConfig(OtpStaticAppConfig):
    """django-otp's single-use recovery codes (the second factor, C24)."""

    verbose_name = _("Recovery codes")
