"""Reads of a customer's files."""


from django.shortcuts import get_object_or_404

from ..models import Attachment


def attachment_get(user, pk) -> Attachment:
    return get_object_or_404(Attachment.objects.visible_to(user).select_related("customer"),
                             pk=pk)


def customer_attachments(user, customer):
    """The customer's files at or below the user's clearance."""
    return Attachment.objects.visible_to(user).filter(customer=customer).select_related(
        "uploaded_by")
