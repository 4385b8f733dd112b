"""Service tickets made through the real services."""

from qiao.tickets import services
from qiao.tickets.models import AssignmentRule, Queue


def make_ticket(actor, customer, *, now=None, **fields):
    data = {"customer": customer, "kind": "complaint", "channel": "phone",
            "severity": "general", "category": "quality", "subject": "卷烟受潮",
            "description": "客户反映上周到货的两条卷烟受潮发霉。", **fields}
    return services.ticket_create(actor=actor, data=data, now=now)


def complaint_desk(personas):
    """The handbooks' routing: major complaints to the department manager, general ones to the
    complaint group (投诉组: agent01, supervised by sup1)."""
    group = Queue.objects.create(name="投诉组", supervisor=personas["sup1"])
    group.members.add(personas["agent01"])
    AssignmentRule.objects.create(order=10, name="重大投诉", kind="complaint", severity="major",
                                  assignee=personas["deptmgr"])
    AssignmentRule.objects.create(order=20, name="一般投诉", kind="complaint", queue=group)
    return group
