"""The sales block of the start page (工作台), registered in SalesConfig.ready: the month so
far against the target, the viewer's place in the ranking, the overdue receivables of their own
customers, their monthly analysis report still to hand in, and the month's top three published
to everyone (seed 001 第16条)."""

from django.utils import timezone

from . import selectors


def my_month(user):
    today = timezone.localdate()
    month = selectors.figures(user, today)
    rank, ranked = selectors.rank_of(user, today)
    top = selectors.top_three(today)
    if not (month["order_count"] or month["target"] or month["receivable"] or top):
        return None
    overdue = selectors.arrears(user, manager=user)["total"]["overdue"]
    return {"month": month, "rank": rank, "ranked": ranked, "top": top, "overdue": overdue,
            "report": selectors.waiting_report(user)}
