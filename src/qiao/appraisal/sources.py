"""Where a KPI's actual value comes from (the registry of this app): each `Source` reads one
figure of a person or a unit over a period from another app's selectors, as the evaluator
sees it, when an appraisal is drafted; the value is then frozen in the appraisal.

Registered: the sales ledger's net sales, target completion and collections (sales), the
visits done on time of the submitted schedules (visits), the customers' satisfaction with
closed tickets and the business hours to resolve a complaint (tickets). Customer retention is
not one: nothing records which customers a manager kept over a period (an owner's customers
are only known as they are now)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from qiao.core import calendar
from qiao.core.money import round_half_up
from qiao.sales import selectors as sales_selectors
from qiao.tickets import selectors as ticket_selectors
from qiao.visits import selectors as visit_selectors

from .periods import months_of


@dataclass
class Context:
    """One appraisal's reading: who reads (the evaluator), whose figures (a person or a unit),
    which period; `cache` keeps what several sources share (the sales months)."""

    user: object
    person: object
    unit: object
    period_kind: str
    start: date
    end: date
    cache: dict = field(default_factory=dict)

    @property
    def whose(self) -> dict:
        return {"manager": self.person} if self.person is not None else {"unit": self.unit}

    @property
    def owner(self) -> dict:
        return {"owner": self.person} if self.person is not None else {"unit": self.unit}


@dataclass(frozen=True)
class Source:
    code: str
    label: object
    measure: object  # how the value is written: 元, %, 分, 小时
    read: Callable[[Context], Decimal | None]
    lower_better: bool = False  # a duration: the target is the most allowed


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.code] = source


def choices() -> list[tuple[str, str]]:
    return [(code, str(source.label)) for code, source in SOURCES.items()]


def _sales(ctx: Context) -> dict:
    """The period's net sales, target and collections (sales.selectors.figures per month)."""
    if "sales" not in ctx.cache:
        months = [sales_selectors.figures(ctx.user, month, **ctx.whose)
                  for month in months_of(ctx.period_kind, ctx.start)]
        ctx.cache["sales"] = {name: sum((m[name] for m in months), Decimal("0.00"))
                              for name in ("net_sales", "target", "collections")}
    return ctx.cache["sales"]


def net_sales(ctx):
    return _sales(ctx)["net_sales"]


def completion(ctx):
    figures = _sales(ctx)
    if not figures["target"]:
        return None
    return round_half_up(Decimal(100) * figures["net_sales"] / figures["target"])


def collections(ctx):
    return _sales(ctx)["collections"]


def visits_on_time(ctx):
    counts = visit_selectors.visits_on_time(ctx.user, ctx.start, ctx.end, **ctx.whose)
    if not counts["planned"]:
        return None
    return round_half_up(Decimal(100) * counts["on_time"] / counts["planned"])


def satisfaction(ctx):
    rating = ticket_selectors.satisfaction_of(ctx.user, ctx.start, ctx.end, **ctx.owner)
    if not rating["rated"]:
        return None
    return round_half_up(Decimal(str(rating["average"])))


def complaint_hours(ctx):
    durations = ticket_selectors.complaint_durations(ctx.user, ctx.start, ctx.end, **ctx.owner)
    if not durations:
        return None
    total = sum((calendar.business_hours_between(a, b).total_seconds()
                 for a, b in durations), 0.0)
    return round_half_up(Decimal(str(total)) / 3600 / len(durations))


YUAN, PERCENT = _("yuan"), "%"
for _source in (
    Source("net_sales", _("Net sales"), YUAN, net_sales),
    Source("completion", _("Target completion rate"), PERCENT, completion),
    Source("collections", _("Collections"), YUAN, collections),
    Source("visits_on_time", _("Visits done on time"), PERCENT, visits_on_time),
    Source("satisfaction", _("Customer satisfaction"), _("points (1–5)"), satisfaction),
    Source("complaint_hours", _("Complaint handling time"), _("business hours"),
           complaint_hours, lower_better=True),
):
    register(_source)
