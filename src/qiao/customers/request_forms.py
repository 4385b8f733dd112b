"""The forms in which a requester changes a lifecycle or transfer request returned for changes
(on the approval's page, through the approval engine; applied by requests.lifecycle_request_edit
and requests.transfer_request_edit)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qiao.core.forms import BootstrapFormMixin

from . import selectors
from .requests import checklist_for


class LifecycleRequestForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    checklist = forms.MultipleChoiceField(label=_("checklist"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, data=None, *, subject, user):
        ticked = [str(item["id"]) for item in subject.checklist if item.get("checked")]
        super().__init__(data, initial={"note": subject.note, "checklist": ticked})
        self.fields["checklist"].choices = [
            (str(item.pk), item.label if item.required else _("%s (optional)") % item.label)
            for item in checklist_for(subject.to_status)]


class CustomerCheckboxes(forms.ModelMultipleChoiceField):
    def label_from_instance(self, customer):
        return customer.name


class TransferRequestForm(BootstrapFormMixin, forms.Form):
    to_user = forms.ModelChoiceField(label=_("new account manager"), queryset=None)
    reason = forms.CharField(label=_("reason for the handover"), max_length=200)
    customers = CustomerCheckboxes(label=_("customers"), queryset=None,
                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, data=None, *, subject, user):
        super().__init__(data, initial={
            "to_user": subject.to_user_id, "reason": subject.reason,
            "customers": list(subject.items.values_list("customer_id", flat=True))})
        self.fields["to_user"].queryset = selectors.handover_targets(user, subject.from_user)
        self.fields["customers"].queryset = selectors.handover_customers(user, subject.from_user)
