from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin, valid_data

from .models import OperationLog
from .selectors import LogFilters


class LogFilterForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150,
                               widget=forms.TextInput(attrs={"placeholder": _("Username")}))
    customer = forms.CharField(label=_("Customer"), required=False, max_length=100,
                               widget=forms.TextInput(attrs={"placeholder": _("Part of the name")}))
    action = forms.ChoiceField(label=_("Operation"), required=False,
                               choices=[("", _("All operations"))] + OperationLog.Kind.choices)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)

    def filters(self) -> LogFilters:
        data = valid_data(self)
        return LogFilters(username=data.get("username", "").strip(),
                          customer=data.get("customer", "").strip(),
                          action=data.get("action", ""),
                          date_from=data.get("date_from"), date_to=data.get("date_to"))
