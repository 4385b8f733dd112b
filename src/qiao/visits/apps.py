from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "qiao.visits"
    verbose_name = _("Visits")

    def ready(self):
        # The approval engine learns the "hospitality" request type here, as models register
        # with the admin; a returned request is changed through services.hospitality_request_edit.
        # Its form is reached from the approval pages' "new request" buttons (create_url) and
        # the customer page; it needs approvals' approval.request action, so no action or
        # header entry of its own. A hospitality request is read on its approval request's
        # page (an approval subject): no scope of its own either.
        from qiao.approvals import registry

        from . import forms, services
        from .models import HospitalityRequest

        registry.register("hospitality", HospitalityRequest, _("Hospitality request"),
                          amount_field="amount", customer_field="customer",
                          detail_template="visits/_subject_hospitality.html",
                          title=services.approval_title, title_params=services.approval_title_params,
                          edit_form=forms.returned_hospitality_form,
                          on_edit=services.hospitality_request_edit,
                          create_url="visits:hospitality_new",
                          create_label=_("New hospitality request"))
