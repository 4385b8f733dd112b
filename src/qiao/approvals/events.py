"""The approval engine's domain events (core.registry.events, registered in apps.ready),
offered to the integrations' webhooks."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import DomainEvent, emit

APPROVAL_DECIDED = "approval.decided"

EVENTS = (DomainEvent(APPROVAL_DECIDED, _("Approval request decided"), webhook=True),)


def decided_emit(request) -> None:
    """Announce a request's outcome — approved, rejected or returned for changes — inside the
    deciding transaction."""
    emit(APPROVAL_DECIDED, approval_id=request.pk, type=request.type_code,
         decision=request.state, subject_id=request.object_id)
