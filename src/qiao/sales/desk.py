"""The sales block of the start page (工作台), registered in SalesConfig.ready: the user's month
so far against the target and their place in the ranking, the month's top three published to
everyone (seed 001 第16条), their monthly analysis report still to hand in, and what their
customers have overdue with the promises to pay broken lately (CRD-3), and a warning when their
gross margin rate this year is below their plan's minimum (seed 003 篇六) — a few queries (the
month's ranking, the target, the report, the overdue, the plan). The ageing itself is on the
collection table, which the block links to."""

from django.utils import timezone

from . import selectors


def my_month(user):
    today = timezone.localdate()
    ranking = selectors.ranking(today)
    mine = next((row for row in ranking if row["manager_id"] == user.pk), None)
    target = selectors.targets_of(user, today).get(user.pk)
    report = selectors.waiting_report(user)
    arrears = selectors.my_overdue(user, today)
    check = selectors.margin_check(user, user, today)
    if not (ranking or target or report or arrears["overdue"] or arrears["broken"] or check):
        return None
    net_sales = mine["net_sales"] if mine else None
    return {"net_sales": net_sales, "target": target, "rank": mine and mine["rank"],
            "ranked": len(ranking), "top": selectors.top_three(ranking),
            "report": report, "arrears": arrears, "check": check,
            "completion": selectors.percent(net_sales or 0, target) if target else None}
