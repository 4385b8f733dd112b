"""The scoring rules, written once (SAL-10).

A KPI scores linearly to its target, capped: actual ÷ target × 100 (a duration, where less is
better: target ÷ actual × 100), never below 0 nor above the KPI's cap (100 %–200 %); a KPI
without data (no target, no planned visit, no rated ticket) scores 0. Its weighted score is
score × weight ÷ 100, and an appraisal's score the sum of the weighted scores (100 when every
target is met exactly). The manager's sheet scores each criterion 0–5: its score is the
points given ÷ the points possible × 100. The final score adds the rewards' points and
subtracts the penalties'. Everything to the cent, halves up."""

from decimal import Decimal

from qiao.core.money import round_half_up

from .models import CRITERION_MAX

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def kpi_score(actual, target, cap, *, lower_better=False) -> Decimal:
    if actual is None or not target:
        return ZERO
    if lower_better:
        ratio = HUNDRED * target / actual if actual > 0 else Decimal(cap)
    else:
        ratio = HUNDRED * actual / target
    return round_half_up(min(max(ratio, ZERO), Decimal(cap)))


def weighted(score, weight) -> Decimal:
    return round_half_up(score * weight / HUNDRED)


def sheet_score(scores) -> Decimal:
    scores = list(scores)
    if not scores:
        return ZERO
    given = sum(score or 0 for score in scores)
    return round_half_up(HUNDRED * given / (CRITERION_MAX * len(scores)))
