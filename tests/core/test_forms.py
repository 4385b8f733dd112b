"""The shared form mixin (qiao.core.forms.BootstrapFormMixin), which every form of the project
has: dates a browser can read in every language, empty choices that say what they mean, line
breaks as they were shown. The edit pages saved unchanged are in tests/test_no_data_loss.py."""

import importlib
import importlib.util
import re
from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qiao.core.forms import BootstrapFormMixin
from qiao.customers.forms import ContactForm, CustomerFilterForm, CustomerForm
from qiao.visits.forms import HospitalityForm
from tests.edit_pages import routes
from tests.factories import make_contact, make_customer

LANGUAGES = ("zh-hans", "en")


def project_forms():
    """Every form class of the project's apps, the admin's aside (Django styles those)."""
    for config in apps.get_app_configs():
        if config.name.startswith("qiao."):
            for module in ("forms", "views", "api"):
                if importlib.util.find_spec(f"{config.name}.{module}"):
                    importlib.import_module(f"{config.name}.{module}")
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("qiao.") and not cls.__module__.endswith(".admin"):
            found.add(cls)
    return found


def test_every_form_of_the_project_has_the_shared_mixin():
    found = project_forms()
    assert len(found) > 15
    without = sorted(f"{cls.__module__}.{cls.__name__}" for cls in found
                     if not issubclass(cls, BootstrapFormMixin))
    assert not without, f"Forms without qiao.core.forms.BootstrapFormMixin: {without}"


class DatesForm(BootstrapFormMixin, forms.Form):
    plain = forms.DateField()
    declared = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    localised_text = forms.DateField(widget=forms.DateInput(format="%d/%m/%Y"))
    hidden = forms.DateField(widget=forms.HiddenInput)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_is_shown_as_the_browser_reads_it_in_every_language(language):
    day = "2031-04-21"
    with translation.override(language):
        html = DatesForm(initial=dict.fromkeys(DatesForm.base_fields, date(2031, 4, 21))).as_p()
    pickers = re.findall(r'<input type="date" name="(\w+)" value="([^"]*)"', html)
    assert pickers == [("plain", day), ("declared", day), ("localised_text", day)]
    assert re.search(r'type="hidden" name="hidden" value="[^"]+"', html)


def test_the_customer_and_contact_forms_show_their_dates_and_months_in_chinese(personas):
    """Findings 1 and 2 of issue 9: the edit page showed the months unticked and the dates as
    2031/04/21, which a browser shows empty; saving then emptied them."""
    am01 = personas["am01"]
    customer = make_customer(am01, licence_expiry="2031-04-21", start_date="2015-03-09",
                             peak_months=[1, 12], off_months=[7])
    contact = make_contact(customer, am01, birthday="1980-04-21")
    with translation.override("zh-hans"):
        page = CustomerForm(instance=customer, user=am01).as_p()
        card = ContactForm(instance=contact).as_p()
    assert 'name="licence_expiry" value="2031-04-21"' in page
    assert 'name="start_date" value="2015-03-09"' in page
    ticked = re.findall(r'name="(peak_months|off_months)" value="(\d+)"[^>]*checked', page)
    assert ticked == [("peak_months", "1"), ("peak_months", "12"), ("off_months", "7")]
    assert 'name="birthday" value="1980-04-21"' in card


def test_months_are_kept_sorted_so_the_same_months_are_no_change(personas):
    am01 = personas["am01"]
    customer = make_customer(am01, peak_months=[12, 1])
    form = CustomerForm({"peak_months": ["12", "1", "1"]}, instance=customer, user=am01)
    form.is_valid()
    assert form.cleaned_data["peak_months"] == [1, 12]


def _options(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_empty_choices_say_what_they_mean(personas):
    am01 = personas["am01"]
    customer = make_customer(am01)
    with translation.override("zh-hans"):
        page = CustomerForm(instance=customer, user=am01).as_p()
        card = ContactForm().as_p()
        hospitality = HospitalityForm(user=am01).as_p()
        filters = CustomerFilterForm(user=am01).as_p()
    assert _options(page, "industry")[0] == "— 未选择 —"
    assert _options(page, "region")[0] == "— 未选择 —"
    assert _options(card, "education")[0] == "— 未选择 —"
    assert _options(hospitality, "customer")[0] == "— 请选择 —"  # required
    assert _options(filters, "grade")[0] == "全部等级"  # a label of its own stays
    with translation.override("en"):
        assert _options(ContactForm().as_p(), "education")[0] == "— Not set —"


def test_no_page_shows_djangos_dashes(personas):
    """The create and list pages (the edit pages: tests/test_no_data_loss.py) as the people
    who use them."""
    checked = 0
    for username in ("am01", "sup1", "brandmgr"):
        client = Client()
        client.force_login(personas[username])
        for name, pattern in routes():
            if pattern.pattern.converters:
                continue
            response = client.get(reverse(name))
            if response.status_code == 200 and response.get("Content-Type", "").startswith(
                    "text/html"):
                checked += 1
                assert "---------" not in response.content.decode(), (username, name)
    assert checked > 20


class NotesForm(BootstrapFormMixin, forms.Form):
    notes = forms.CharField(widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added_later"] = forms.IntegerField(required=False)


def test_text_keeps_the_line_breaks_it_was_shown_with():
    form = NotesForm({"notes": "第一行\r\n第二行\r第三行"})
    assert form.is_valid()
    assert form.cleaned_data["notes"] == "第一行\n第二行\n第三行"


def test_a_field_added_after_the_mixin_is_styled_too():
    assert 'class="form-control"' in str(NotesForm()["added_later"])
