"""Upload and delete of a customer's files."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qiao.org.decorators import requires

from .. import selectors, services
from ..actions import ATTACHMENT_UPLOAD
from ..forms import AttachmentForm
from .archive import _post_on_customer


@require_POST
@requires(ATTACHMENT_UPLOAD)
def attachment_upload(request, pk):
    form = AttachmentForm(request.POST, request.FILES, user=request.user)

    def run(customer):
        if not form.is_valid():
            raise ValidationError(_("Choose a file to upload."))
        services.attachment_add(actor=request.user, customer=customer,
                                upload=form.cleaned_data["file"],
                                description=form.cleaned_data["description"],
                                secret_level=form.cleaned_data["secret_level"])

    return _post_on_customer(request, pk, run, _("Attachment uploaded."), tab="attachments")


@require_POST
@requires(ATTACHMENT_UPLOAD)
def attachment_delete(request, pk):
    attachment = selectors.attachment_get(request.user, pk)
    services.attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, _("Attachment deleted."))
    return redirect("customers:detail_tab", pk=attachment.customer_id, tab="attachments")
