"""Every date, amount, count and quota a person enters has a plausible range: year 0001 or
9999, a negative count or a fourteen-digit staff count is refused with a clear message. The
test finds the fields itself, so a new one is covered without anyone remembering to add it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation

from qiao.core.validators import PlausibleDate

# Set by code, never typed: a counter, a size measured from the file, a pointer to a record.
SYSTEM_SET = {"version", "size", "object_id", "link_id", "current_order", "round", "attempts",
              "approvals.ApprovalTask.order", "dataio.ImportRun.total_rows",
              "dataio.ImportRun.created", "dataio.ImportRun.updated", "dataio.ImportRun.skipped",
              "dataio.ImportRun.failed", "dataio.ImportedRow.row_number",
              "tickets.Ticket.reopen_count"}
# Signed by design (a reversal, a correction): the size is capped either way, and the services
# refuse what a person may not type (a receipt of zero or less).
SIGNED = {"sales.Receipt.amount", "sales.ManagerCost.amount"}


def entered_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("qiao.") or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if (isinstance(field, models.DateField | models.DecimalField | models.IntegerField)
                    and not isinstance(field, models.AutoField | models.DateTimeField)
                    and field.editable  # not editable: set by code (a sum, a snapshot)
                    and field.name not in SYSTEM_SET
                    and f"{model._meta.label}.{field.name}" not in SYSTEM_SET):
                yield pytest.param(model, field, id=f"{model._meta.label}.{field.name}")


def refusal(field, value):
    with pytest.raises(ValidationError) as refused:
        field.clean(value, None)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(("model", "field"), list(entered_fields()))
def test_implausible_values_are_refused_with_a_clear_message(model, field):
    with translation.override("zh-hans"):
        if isinstance(field, models.DateField):
            for value in (date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31)):
                assert "日期" in refusal(field, value), value
        elif f"{model._meta.label}.{field.name}" in SIGNED:
            for value in (-(10**9), 10**9):
                assert refusal(field, value), value
        else:
            for value in (-1, 10**9, 99_999_999_999_999):
                assert refusal(field, value), value


@pytest.mark.parametrize(("model", "field"), list(entered_fields()))
def test_ordinary_values_are_accepted(model, field):
    if isinstance(field, models.DateField):
        value = timezone.localdate() - timedelta(days=400)
    elif field.choices:
        value = field.choices[0][0]
    else:
        value = 1
    field.clean(value, None)


def test_birthdays_are_not_in_the_future():
    from qiao.customers.models import Contact

    birthday = Contact._meta.get_field("birthday")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with translation.override("zh-hans"):
        assert "不晚于今天" in refusal(birthday, tomorrow)
        assert "不晚于今天" in refusal(birthday, date(2099, 1, 1))
    birthday.clean(timezone.localdate(), None)


def test_dates_run_from_1900_to_a_hundred_years_ahead():
    validate = PlausibleDate()
    today = timezone.localdate()
    validate(date(1900, 1, 1))
    validate(today.replace(year=today.year + 99))
    with pytest.raises(ValidationError):
        validate(today.replace(year=today.year + 101))


def test_the_largest_amount_is_a_setting(settings):
    from qiao.visits.models import HospitalityRequest

    amount = HospitalityRequest._meta.get_field("amount")
    with translation.override("zh-hans"):
        assert "¥100,000,000.00" in refusal(amount, Decimal("9999999999.99"))
    settings.QIAO_MAX_AMOUNT = Decimal("20000000000")
    assert amount.clean(Decimal("9999999999.99"), None) == Decimal("9999999999.99")
