"""The form renderer (qiao.core.forms.FormRenderer, settings.FORM_RENDERER) writes a <select> in
Python instead of Django's templates: the HTML must be Django's, byte for byte, whatever the
choices, values, attributes and labels; what it cannot write the same way it leaves to them."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from qiao.core.forms import FormRenderer, select_html
from qiao.customers.forms import CustomerFilterForm

OURS, DJANGOS = FormRenderer(), DjangoTemplates()

CHOICES = [
    ("", "---------"),
    (1, "One"),
    ("a&b", '<b>"bold"</b> & co'),  # escaped, value and label
    ("safe", mark_safe("<i>already safe</i>")),  # not escaped again
    ("lazy", gettext_lazy("Customers")),  # translated when written
    ("中文", "客户 · 张三"),
]
GROUPED = [
    ("", "—"),
    ("Region <East>", [(1, "Shanghai"), (2, "Hangzhou")]),
    (gettext_lazy("Customers"), [("x", "X")]),
    (3, "Three"),
]
ATTRS = [
    None,
    {"class": "form-select"},
    {"class": "form-select is-invalid", "disabled": True, "required": False, "data-n": 3,
     "aria-label": 'Say "which" & <why>', "id": "id_pick"},
]


def both(widget, name, value, attrs):
    return (widget.render(name, value, attrs, renderer=OURS),
            widget.render(name, value, attrs, renderer=DJANGOS))


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, "", 1, "1", "a&b", "safe", "lazy", "中文", "missing", 2])
@pytest.mark.parametrize("choices", [CHOICES, GROUPED])
def test_a_select_is_djangos_byte_for_byte(language, attrs, value, choices):
    with translation.override(language):
        ours, djangos = both(forms.Select(choices=choices), "pick", value, attrs)
    assert ours == djangos
    assert "<option" in ours


@pytest.mark.parametrize("value", [None, [], [1], ["1", "a&b"], ["lazy", "中文", "missing"]])
def test_a_multiple_select_is_djangos(value):
    ours, djangos = both(forms.SelectMultiple(choices=CHOICES), "many", value,
                         {"class": "form-select"})
    assert ours == djangos
    assert " multiple" in ours


@pytest.mark.parametrize("value", [None, True, False, "unknown", "2"])
def test_a_yes_no_select_is_djangos(value):
    ours, djangos = both(forms.NullBooleanSelect(), "yes", value, None)
    assert ours == djangos


def test_no_choices_is_djangos():
    ours, djangos = both(forms.Select(choices=[]), "none", None, None)
    assert ours == djangos == '<select name="none">\n</select>'


class NumberLabels(forms.Select):
    pass


class OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize("widget", [
    NumberLabels(choices=[(1, 1000), (2, 2.5)]),  # numbers the templates would localise
    forms.Select(choices=[(1, "a")], attrs={"data-f": lambda: "called"}),  # a value they call
    OwnOption(choices=[(1, "a")]),  # another option template
])
def test_what_it_cannot_write_the_same_way_is_left_to_the_templates(widget):
    context = widget.get_context("odd", 1, None)
    assert select_html(context["widget"]) is None
    ours, djangos = both(widget, "odd", 1, None)
    assert ours == djangos


def test_an_attribute_named_items_fails_as_in_djangos_templates():
    """The templates read attrs.items as attrs["items"]: the same failure, not other HTML."""
    widget = forms.Select(choices=[(1, "a")], attrs={"items": "x"})
    assert select_html(widget.get_context("odd", 1, None)["widget"]) is None
    for renderer in (OURS, DJANGOS):
        with pytest.raises(ValueError, match="unpack"):
            widget.render("odd", 1, None, renderer=renderer)


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"status": "active", "sort": "name"},
                                   {"grade": "999999", "owner": "x", "category": "bad"}])
def test_the_customer_filters_are_djangos(personas, query):
    """The customer list's filters, as the director sees them (every manager, region, grade and
    tag), with and without values chosen, valid or not."""
    query = dict(query)
    if query.get("sort"):
        query["grade"] = str(personas.grades[0].pk)
        query["tag"] = str(personas.tags[0].pk)
    form = CustomerFilterForm(query or None, user=personas["director"])
    form.is_valid()
    for name in form.fields:
        field = form[name]
        if isinstance(field.field.widget, forms.Select):
            form.renderer = OURS
            ours = field.as_widget()
            form.renderer = DJANGOS
            assert ours == field.as_widget(), name
            assert ours.count("<option") > 1
