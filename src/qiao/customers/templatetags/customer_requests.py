"""What an approval page shows of a lifecycle or transfer request: only the customers the viewer
may see (scope and secret level, Customer.objects.visible_to); the others are counted, never
named. An approver always sees the request itself (approvals.models.ApprovalRequest)."""

from django import template

from ..models import Customer, LifecycleRequest, TransferRequest

register = template.Library()


@register.simple_tag
def request_customers(subject, user):
    """{"visible": [customers the user sees, by name], "hidden": how many not, "count": all}."""
    if isinstance(subject, LifecycleRequest):
        ids = [subject.customer_id]
    elif isinstance(subject, TransferRequest):
        ids = list(subject.items.values_list("customer_id", flat=True))
    else:
        ids = []
    visible = list(Customer.objects.visible_to(user).filter(pk__in=ids)
                   .select_related("grade").order_by("name_pinyin", "pk")) if ids else []
    return {"visible": visible, "hidden": len(ids) - len(visible), "count": len(ids)}
