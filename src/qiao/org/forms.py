"""Forms of the user's own account pages."""

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin

from .services import TOKEN_MAX_DAYS, TOKEN_NAME_MAX


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("name"), max_length=TOKEN_NAME_MAX,
                           help_text=_("What the token is for, e.g. “ERP sync”."))
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, max_value=TOKEN_MAX_DAYS,
                              initial=90)


if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker
    _Form = forms.Form
else:
    _Form = object


class _PolicyHelpMixin(_Form):
    """The password policy as a list of plain sentences in the reader's language (`policy`),
    for the page to show under the new password (Django's own help is one HTML string)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = ""
        self.policy = password_validation.password_validators_help_texts()


class PasswordChangeForm(_PolicyHelpMixin, BootstrapFormMixin, auth_forms.PasswordChangeForm):
    """Django's form (the current password, the new one twice, the policy's validators); the
    view stores the password through org.services, not through the form's save()."""


class PasswordResetForm(_PolicyHelpMixin, BootstrapFormMixin, auth_forms.SetPasswordForm):
    """The new password twice, for a reset link (no current password: it was forgotten)."""


class SecondFactorCodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("verification code"), max_length=32, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric",
                                                         "autofocus": True}))
