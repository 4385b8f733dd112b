"""Forms of the user's own account pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin

from .services import TOKEN_MAX_DAYS, TOKEN_NAME_MAX


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=TOKEN_NAME_MAX,
                           help_text=_("What the token is for, e.g. “ERP sync”."))
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, max_value=TOKEN_MAX_DAYS,
                              initial=90)
