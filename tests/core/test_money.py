"""core.money: amounts are Decimal with two places, rounded half up, typed without exponents
and shown with thousands separators (¥1,234.50, 12.35万) wherever the project shows money."""

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

import qiao
from qiao.core.money import (
    MoneyField,
    MoneyFormField,
    format_cny,
    format_wan,
    round_half_up,
)

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4,
                      allow_nan=False, allow_infinity=False)


def test_half_up_not_bankers_rounding():
    assert [round_half_up(v) for v in ("2.345", "2.355", "-2.345", "0.005")] == [
        Decimal("2.35"), Decimal("2.36"), Decimal("-2.35"), Decimal("0.01")]
    assert round_half_up("12345", 0) == Decimal("12345")


def test_never_a_float():
    with pytest.raises(TypeError):
        round_half_up(0.1)
    with pytest.raises(TypeError):
        MoneyField().to_python(0.1)


def test_formats():
    assert format_cny(Decimal("1234.5")) == "¥1,234.50"
    assert format_cny(Decimal("1E+5")) == "¥100,000.00"
    assert format_cny(-3) == "-¥3.00"
    assert format_cny(None) == format_wan(None) == ""
    assert format_wan(123456) == "12.35万"
    assert format_wan(Decimal("123456789012")) == "12,345,678.90万"


@given(amounts)
def test_rounding_matches_the_definition(value):
    rounded = round_half_up(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_half_up(rounded) == rounded


@given(amounts)
def test_a_formatted_amount_reads_back_as_the_rounded_amount(value):
    text = format_cny(value)
    assert re.fullmatch(r"-?¥\d{1,3}(,\d{3})*\.\d\d", text), text
    assert Decimal(text.replace("¥", "").replace(",", "")) == round_half_up(value)
    wan = format_wan(value)
    assert Decimal(wan[:-1].replace(",", "")) == round_half_up(value / 10_000)


@pytest.mark.parametrize(("typed", "expected"), [
    ("1234.5", "1234.50"), ("1,234.50", "1234.50"), ("¥1234", "1234.00"), ("１２３４.５", "1234.50"),
    ("100000", "100000.00"), ("3元", "3.00"), (" 7 ", "7.00"),
])
def test_what_people_type_for_an_amount(typed, expected):
    assert MoneyFormField().clean(typed) == Decimal(expected)


@pytest.mark.parametrize("typed", ["1e5", "1E+5", "1.5e3", "12.345", "abc", "NaN", "Infinity"])
def test_exponents_and_a_third_decimal_place_are_refused(typed):
    with pytest.raises(ValidationError):
        MoneyFormField().clean(typed)


# Decimal fields that are no amount of money: business hours of the service desk's policies.
NOT_MONEY = {"tickets.SlaPolicy.first_response_hours", "tickets.SlaPolicy.resolution_hours",
             "tickets.SlaPolicy.warn_hours"}
# Staff appraisal's scores and points, and a KPI's target and actual value, which are yuan, a
# percentage, points or business hours as the KPI's source says (the amounts of rewards and
# penalties are money fields).
NOT_MONEY |= {f"appraisal.{field}" for field in (
    "Appraisal.score", "Appraisal.points", "Appraisal.final_score",
    "HistoricalAppraisal.score", "HistoricalAppraisal.points", "HistoricalAppraisal.final_score",
    "AppraisalKpi.target", "AppraisalKpi.actual", "AppraisalKpi.score", "AppraisalKpi.weighted",
    "ScorecardKpi.target", "RewardPenalty.points")}
# Percentages of the sales app: a bonus tier's completion bounds and rate, a line's completion and
# rate (a claw-back's too), a personal plan's minimum gross margin rate.
NOT_MONEY |= {f"sales.{field}" for field in (
    "BonusTier.completion_from", "BonusTier.completion_to", "BonusTier.rate",
    "BonusLine.completion", "BonusLine.rate", "BonusClawback.rate",
    "SalesPlan.min_margin", "HistoricalSalesPlan.min_margin")}


def test_every_amount_field_of_the_project_is_a_money_field():
    decimals = [f"{m._meta.label}.{f.name}" for m in apps.get_models()
                if m.__module__.startswith("qiao.") for f in m._meta.concrete_fields
                if isinstance(f, models.DecimalField) and not isinstance(f, MoneyField)]
    assert sorted(decimals) == sorted(NOT_MONEY)


TEMPLATES = Path(qiao.__file__).parent
# A template variable that holds money: amount, min_amount, budget (and later price, total…).
MONEY_VARIABLE = re.compile(r"\{\{\s*[\w.]*\b(amount|min_amount|budget)\b\s*(\|[^}]*)?\}\}")
# A name bound to filtered money for a translated sentence: {% blocktranslate with amount=x|cny %}
BOUND_FILTERED = re.compile(r"\b(\w+)=[\w.]+\|\s*(?:cny|wan)\b")


def test_every_template_shows_money_through_the_cny_or_wan_filter():
    unfiltered = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        bound = set(BOUND_FILTERED.findall(text))
        for match in MONEY_VARIABLE.finditer(text):
            bare = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", match.group(0))
            if bare and bare.group(1) in bound:
                continue
            if not re.search(r"\|\s*(cny|wan)\b", match.group(0)):
                unfiltered.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
        assert "¥{{" not in path.read_text(), path
    assert unfiltered == []


def test_the_filters_in_a_template():
    rendered = Template("{% load money %}{{ a|cny }} {{ b|wan }} {{ c|cny }}").render(
        Context({"a": Decimal("9876543.21"), "b": Decimal("123456"), "c": "not money"}))
    assert rendered == "¥9,876,543.21 12.35万 "
