"""get_FOO_display() of the project's records (qiao.core.models.ChoiceLabelsModel) keeps the
{value: label} dict of a field instead of building it on every call: the same labels as Django's,
in the language of the moment, for every value."""

import pytest
from django.db import models
from django.utils import translation

from qiao.core.models import ChoiceLabelsModel, choice_labels
from qiao.customers.models import Customer


def djangos(record, name):
    return models.Model._get_FIELD_display(record, record._meta.get_field(name))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("name", "values"), [
    ("status", [*Customer.Status.values, "gone", "", None]),
    ("category", [*Customer.Category.values, "nope", ""]),
    ("secret_level", [0, 1, 2, 3, 9, None]),
])
def test_labels_are_djangos_in_every_language(language, name, values):
    record = Customer()
    assert isinstance(record, ChoiceLabelsModel)
    with translation.override(language):
        for value in values:
            setattr(record, name, value)
            shown = getattr(record, f"get_{name}_display")()
            assert shown == djangos(record, name)
            assert type(shown) is type(djangos(record, name))


def test_the_labels_follow_the_language():
    record = Customer(status=Customer.Status.ACTIVE)
    with translation.override("en"):
        assert record.get_status_display() == "Active"
    with translation.override("zh-hans"):
        assert record.get_status_display() == "活跃"
    with translation.override("en"):
        assert record.get_status_display() == "Active"


def test_replaced_choices_are_read_again():
    field = Customer._meta.get_field("category")
    before = field.choices
    try:
        assert choice_labels(field)["big"] == Customer.Category.BIG.label
        field.choices = [("big", "Huge")]
        assert Customer(category="big").get_category_display() == "Huge"
    finally:
        field.choices = before
    assert Customer(category="big").get_category_display() == Customer.Category.BIG.label
