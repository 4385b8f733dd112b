"""Bonuses (奖金核算, seed 001 客户开发激励制度 第6条, 第16–20条): the runs, their lines and
claw-backs, the top three in the inbox — the services and the reads of this concern (as
`credit_requests` holds the over-limit orders').

- **The rule** (`BonusRule`, admin) in force in a run's month: the performance bonus
  (业绩绩效奖金) as tiers of target completion, each a percentage of the month's net sales; the
  monthly and the annual rank bonuses (名次绩效奖金) of the first three.
- **A monthly run** (`run_compute`): one line per manager with sales, a target, a claw-back or
  a balance owed. Net sales and the ranking are `selectors.ranking`'s (the fact table, every
  secret level; ties broken by the manager's id), the target the month's `SalesTarget`. The
  completion is compared exactly (net sales × 100 against tier bound × target, no rounding), a
  tier holding from its lower bound up to, not including, its upper one; no target, no
  performance bonus. The rank bonus goes to the top three who sold anything (`top_three`).
- **The claw-back** (第6条): each return posted in the run's month of an order of an earlier
  month, its net amount (what the customer paid for the goods) × the rate paid for the order's
  month — the manager's line of that month's *confirmed* run; none confirmed, nothing was paid
  and nothing is clawed back. The returns are listed on the line's page.
- **Net payable** = performance bonus + rank bonus − claw-back − what was owed: a negative
  result is owed, shown as such, paid nothing, and carried into the next month's line (from the
  previous month's confirmed run).
- **An annual run** (1 January of the year): the year's ranking by net sales and the annual rank
  bonus of the rule in force in December; nothing else.
- **Drafts and confirmation**: the worker drafts last month's run on the 1st (and last year's
  on 1 January), and publishes the month's top three to everyone holding `sales.view` in the
  inbox, once per month (the notification key); a company-wide holder of `sales.manage`
  recomputes a draft and confirms it; confirmed, a run is frozen — every figure stays as it was,
  and the ledger it came from (posted documents, never edited) reproduces it.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qiao.audit.models import OperationLog
from qiao.audit.services import operation_record
from qiao.core.exceptions import StaleVersionError
from qiao.core.money import format_cny, round_half_up
from qiao.core.origin import Origin
from qiao.notify import kinds
from qiao.notify.services import notify
from qiao.org.models import User
from qiao.org.permissions import can
from qiao.org.scope import holds_action_q, sees_everything

from . import selectors
from .actions import SALES_MANAGE, SALES_VIEW
from .models import (
    BonusClawback,
    BonusKind,
    BonusLine,
    BonusRule,
    BonusRun,
    BonusStatus,
    ManagerMonth,
    SalesReturn,
    SalesTarget,
)

ZERO = Decimal("0.00")
TOP_THREE = "sales_top_three"


def register_kinds():
    """Called from the app's ready(): how the top three's inbox message reads."""
    kinds.register(TOP_THREE, title=lambda p: _(
        "Last month's top three in sales (%(month)s): %(names)s") % p)


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- the rule ------------------------------------------------------------------------------------

def tiers_problems(tiers) -> list[str]:
    """What is wrong with a rule's tiers, each (completion_from, completion_to or None, rate):
    an upper bound not above the lower, a rate outside 0–100, two tiers overlapping."""
    problems = []
    ordered = sorted(tiers, key=lambda tier: tier[0])
    for start, end, rate in ordered:
        if end is not None and end <= start:
            problems.append(_("A tier's upper bound (%(end)s %%) must be above its lower bound "
                              "(%(start)s %%).") % {"start": start, "end": end})
        if rate is None or not 0 <= rate <= 100:
            problems.append(_("A tier's bonus is a percentage of net sales from 0 to 100."))
    for (start, end, _rate), (following, _end, _rate2) in zip(ordered, ordered[1:], strict=False):
        if end is None or end > following:
            problems.append(_("The tiers from %(a)s %% and from %(b)s %% overlap: each "
                              "completion rate may fall in one tier only.")
                            % {"a": start, "b": following})
    return problems


def rule_for(month: date) -> BonusRule | None:
    return (BonusRule.objects.filter(effective_from__lte=month).prefetch_related("tiers")
            .order_by("-effective_from").first())


def tier_rate(rule, net_sales: Decimal, target: Decimal) -> Decimal:
    """The performance bonus rate (%) of the tier the completion falls in, compared exactly."""
    if not target or net_sales <= 0:
        return ZERO
    for tier in rule.tiers.all():
        above = net_sales * 100 >= tier.completion_from * target
        below = tier.completion_to is None or net_sales * 100 < tier.completion_to * target
        if above and below:
            return tier.rate
    return ZERO


# --- computing a run -----------------------------------------------------------------------------

def _confirmed_lines(kind, periods, manager_ids):
    return {(row["manager_id"], row["run__period"]): row for row in BonusLine.objects.filter(
        run__kind=kind, run__status=BonusStatus.CONFIRMED, run__period__in=periods,
        manager_id__in=manager_ids).values("manager_id", "run__period", "rate", "net_payable")}


def _month_lines(run, rule) -> list[BonusLine]:
    month, following = run.period, _shift(run.period, 1)
    ranking = selectors.ranking(month)
    top = {row["manager_id"] for row in selectors.top_three(ranking)}
    targets = dict(SalesTarget.objects.filter(month=month).values_list("manager_id", "amount"))
    returns = list(SalesReturn.objects.filter(
        returned_on__gte=month, returned_on__lt=following, line__order__ordered_on__lt=month)
        .values("id", "manager_id", "amount", "line__order__ordered_on").order_by("id"))
    order_months = {row["line__order__ordered_on"].replace(day=1) for row in returns}
    paid = _confirmed_lines(BonusKind.MONTH, order_months,
                            {row["manager_id"] for row in returns})
    previous = _confirmed_lines_all(_shift(month, -1))
    owed = {manager_id: row["net_payable"] for (manager_id, _period), row in previous.items()
            if row["net_payable"] < 0}
    clawbacks = defaultdict(list)
    for row in returns:
        order_month = row["line__order__ordered_on"].replace(day=1)
        rate = paid.get((row["manager_id"], order_month), {}).get("rate", ZERO)
        clawbacks[row["manager_id"]].append(BonusClawback(
            sales_return_id=row["id"], order_month=order_month, returned_amount=row["amount"],
            rate=rate, amount=round_half_up(row["amount"] * rate / 100)))
    ranked = {row["manager_id"]: row for row in ranking}
    ids = {*ranked, *targets, *clawbacks, *owed}
    units = dict(User.objects.filter(pk__in=ids).values_list("pk", "unit_id"))
    amounts = rule.monthly_amounts()
    lines = []
    for manager_id in sorted(ids):
        row = ranked.get(manager_id)
        net_sales = row["net_sales"] if row else ZERO
        target = targets.get(manager_id, ZERO)
        rate = tier_rate(rule, net_sales, target)
        rank = row["rank"] if row else None
        line = BonusLine(
            run=run, manager_id=manager_id, unit_id=units.get(manager_id), net_sales=net_sales,
            target=target, completion=selectors.percent(net_sales, target), rate=rate,
            performance_bonus=round_half_up(net_sales * rate / 100), rank=rank,
            rank_bonus=amounts[rank - 1] if manager_id in top else ZERO,
            clawback=sum((c.amount for c in clawbacks[manager_id]), ZERO),
            carried=-owed.get(manager_id, ZERO))
        line.net_payable = line.performance_bonus + line.rank_bonus - line.clawback - line.carried
        line.pending_clawbacks = clawbacks[manager_id]
        lines.append(line)
    return lines


def _confirmed_lines_all(period):
    return {(row["manager_id"], row["run__period"]): row for row in BonusLine.objects.filter(
        run__kind=BonusKind.MONTH, run__status=BonusStatus.CONFIRMED, run__period=period)
        .values("manager_id", "run__period", "rate", "net_payable")}


def annual_ranking(year: int) -> list[dict]:
    """The year's ranking by net sales, ranked and tie-broken as `selectors.ranking`."""
    rows = (ManagerMonth.objects.filter(month__year=year)
            .values("manager_id", "manager__display_name", "manager__username")
            .annotate(**selectors._sums()))
    ranked = sorted((selectors.derive(row) | {"manager_id": row["manager_id"]} for row in rows),
                    key=lambda row: (-row["net_sales"], row["manager_id"]))
    return [{"rank": i, "manager_id": row["manager_id"], "net_sales": row["net_sales"]}
            for i, row in enumerate(ranked, 1)]


def _year_lines(run, rule) -> list[BonusLine]:
    year = run.period.year
    ranking = annual_ranking(year)
    top = {row["manager_id"] for row in selectors.top_three(ranking)}
    targets = dict(SalesTarget.objects.filter(month__year=year).values("manager_id")
                   .annotate(total=Sum("amount")).values_list("manager_id", "total"))
    ids = {*(row["manager_id"] for row in ranking), *targets}
    ranked = {row["manager_id"]: row for row in ranking}
    units = dict(User.objects.filter(pk__in=ids).values_list("pk", "unit_id"))
    amounts = rule.annual_amounts()
    lines = []
    for manager_id in sorted(ids):
        row = ranked.get(manager_id)
        net_sales = row["net_sales"] if row else ZERO
        target = round_half_up(targets.get(manager_id) or ZERO)
        rank = row["rank"] if row else None
        bonus = amounts[rank - 1] if manager_id in top else ZERO
        line = BonusLine(run=run, manager_id=manager_id, unit_id=units.get(manager_id),
                         net_sales=net_sales, target=target,
                         completion=selectors.percent(net_sales, target), rank=rank,
                         rank_bonus=bonus, net_payable=bonus)
        line.pending_clawbacks = []
        lines.append(line)
    return lines


def _compute(run):
    """The run's lines written afresh from the ledger (a draft's only)."""
    rule = rule_for(_shift(run.period, 11) if run.kind == BonusKind.YEAR else run.period)
    if rule is None:
        raise ValidationError(_("No bonus rule is in force for %(period)s: add one in the "
                                "administration (bonus rules) first.") % {"period": str(run)})
    lines = _month_lines(run, rule) if run.kind == BonusKind.MONTH else _year_lines(run, rule)
    run.lines.all().delete()
    BonusLine.objects.bulk_create(lines)
    BonusClawback.objects.bulk_create([
        BonusClawback(line=line, sales_return_id=c.sales_return_id, order_month=c.order_month,
                      returned_amount=c.returned_amount, rate=c.rate, amount=c.amount)
        for line in lines for c in line.pending_clawbacks])
    BonusRun.objects.filter(pk=run.pk).update(rule=rule, computed_at=timezone.now())
    run.rule, run.computed_at = rule, timezone.now()
    return run


def run_draft(kind: str, period: date) -> tuple[BonusRun, bool]:
    """The run of the period, drafted and computed if there is none yet (the worker's); an
    existing one is left as it is. Returns (run, made)."""
    period = period.replace(month=1, day=1) if kind == BonusKind.YEAR else period.replace(day=1)
    run = BonusRun.objects.filter(kind=kind, period=period).first()
    if run is not None:
        return run, False
    try:
        with transaction.atomic():
            run = BonusRun.objects.create(kind=kind, period=period, computed_at=timezone.now())
            _compute(run)
    except IntegrityError:  # drafted meanwhile by another worker
        return BonusRun.objects.get(kind=kind, period=period), False
    return run, True


def _may_run(actor):
    if not (can(actor, SALES_MANAGE) and sees_everything(actor)):
        raise PermissionDenied


def _claim(run, expected_version: int) -> BonusRun:
    """The draft run locked for a change, if nobody changed it since `expected_version`."""
    claimed = BonusRun.objects.filter(pk=run.pk, version=expected_version,
                                      status=BonusStatus.DRAFT).update(version=F("version") + 1)
    if claimed != 1:
        current = BonusRun.objects.get(pk=run.pk)
        if current.status != BonusStatus.DRAFT:
            raise ValidationError(_("This bonus run is confirmed: it is frozen and never "
                                    "changes."))
        raise StaleVersionError.of(run)
    return BonusRun.objects.get(pk=run.pk)


def run_create(*, actor, kind: str, period: date) -> BonusRun:
    """A supervisor drafts a run the worker has not made (a month before the system ran)."""
    _may_run(actor)
    if kind == BonusKind.MONTH and period.replace(day=1) >= timezone.localdate().replace(day=1):
        raise ValidationError(_("A month's bonuses are computed once the month is over."))
    if kind == BonusKind.YEAR and period.year >= timezone.localdate().year:
        raise ValidationError(_("A year's bonuses are computed once the year is over."))
    return run_draft(kind, period)[0]


def run_recompute(*, actor, run, expected_version: int) -> BonusRun:
    _may_run(actor)
    with transaction.atomic():
        return _compute(_claim(run, expected_version))


def run_confirm(*, actor, run, expected_version: int, origin: Origin | None = None) -> BonusRun:
    """Confirmed, the run is frozen: its lines are what payroll pays, and later documents of its
    period (a back-dated order) change the figures, never the run. The confirmation is in the
    operation log with what it commits the company to pay."""
    _may_run(actor)
    with transaction.atomic():
        run = _claim(run, expected_version)
        BonusRun.objects.filter(pk=run.pk).update(
            status=BonusStatus.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=actor)
        run = BonusRun.objects.get(pk=run.pk)
        lines = list(run.lines.all())
        summed = totals(lines)
        operation_record(actor=actor, action=OperationLog.Kind.BONUS_CONFIRMED, origin=origin,
                         object_repr=f"{run.get_kind_display()} {run}", details={
                             "run": run.pk, "lines": len(lines),
                             "payable": str(summed["payable"]), "owed": str(summed["owed"])})
        return run


def publish_top_three(month: date) -> int:
    """上月销售业绩前三名 in the inbox of everyone holding `sales.view` (seed 第16条: 列表公布
    前三名): names and net sales only; once per month whatever happens twice."""
    top = selectors.top_three(selectors.ranking(month))
    if not top:
        return 0
    names = "；".join(f"{row['rank']}. {row['name']} {format_cny(row['net_sales'])}" for row in top)
    readers = User.objects.filter(holds_action_q(SALES_VIEW, "position__role__"), is_active=True)
    return len(notify(recipients=list(readers), kind=TOP_THREE,
                      params={"month": f"{month:%Y-%m}", "names": names},
                      url=reverse("sales:bonus_runs"), key=f"sales-top-three-{month:%Y-%m}"))


def bonus_morning(today: date) -> dict:
    """The worker on the 1st: last month's run drafted and its top three published; on 1 January
    last year's annual run too. Repeating it changes nothing more."""
    if today.day != 1:
        return {"drafted": 0, "told": 0}
    last_month = _shift(today.replace(day=1), -1)
    drafted = told = 0
    if rule_for(last_month) is not None:
        drafted += run_draft(BonusKind.MONTH, last_month)[1]
        if today.month == 1:
            drafted += run_draft(BonusKind.YEAR, last_month)[1]
    told = publish_top_three(last_month)
    return {"drafted": drafted, "told": told}


# --- reads ---------------------------------------------------------------------------------------

def runs(user):
    """The runs, newest first, with what the user sees of each: what their lines pay (a line
    whose balance is owed pays nothing; its debt is not netted against the others' pay)."""
    visible = BonusLine.objects.visible_to(user)
    paid = Sum("net_payable", filter=Q(net_payable__gt=0), default=ZERO)
    totals = dict(visible.values("run_id").annotate(total=paid)
                  .values_list("run_id", "total"))
    return [(run, totals.get(run.pk)) for run in BonusRun.objects.order_by("-period", "kind")]


def run_get(pk) -> BonusRun:
    run = BonusRun.objects.select_related("confirmed_by", "rule").filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def run_lines(user, run) -> list[BonusLine]:
    return list(BonusLine.objects.visible_to(user).filter(run=run)
                .select_related("manager", "unit").order_by(F("rank").asc(nulls_last=True),
                                                             "manager_id"))


def lines_of(user, *, kind: str = "", period: date | None = None, status: str = ""):
    """The bonus lines `user` sees (a manager their own, a supervisor their scope's), newest run
    first: what a payroll system reads, usually the confirmed runs of a month."""
    lines = BonusLine.objects.visible_to(user).select_related("run", "manager")
    if kind:
        lines = lines.filter(run__kind=kind)
    if period is not None:
        lines = lines.filter(run__period=period)
    if status:
        lines = lines.filter(run__status=status)
    return lines.order_by("-run__period", "run__kind", F("rank").asc(nulls_last=True),
                          "manager_id")


def totals(lines) -> dict:
    names = ("net_sales", "target", "performance_bonus", "rank_bonus", "clawback", "carried",
             "net_payable")
    return {name: sum((getattr(line, name) for line in lines), ZERO) for name in names} | {
        "payable": sum((max(line.net_payable, ZERO) for line in lines), ZERO),
        "owed": sum((min(line.net_payable, ZERO) for line in lines), ZERO)}


def line_get(user, pk) -> BonusLine:
    line = (BonusLine.objects.visible_to(user).select_related("run", "manager", "unit")
            .filter(pk=pk).first())
    if line is None:
        raise Http404
    return line


def line_clawbacks(line):
    return (line.clawbacks.select_related("sales_return__line__order", "sales_return__line__product")
            .order_by("sales_return__returned_on", "id"))
