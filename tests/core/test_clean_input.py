"""Every way text gets into Qiao cleans it the same way (core.forms.CleanInputMixin,
core.admin.CleanInputAdminMixin, core.api.Input): these tests find the forms, admins and model
fields themselves, so a new one is covered without anyone remembering to add it."""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.utils import translation

import qiao
from qiao.core.forms import CleanInputMixin, clean_input

ZWSP, RLO = "\u200b", "\u202e"


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def qiao_forms():
    """Every form class defined in Qiao's code (all modules imported first)."""
    for module in pkgutil.walk_packages(qiao.__path__, "qiao."):
        if ".migrations" not in module.name and not module.name.startswith("qiao.settings"):
            importlib.import_module(module.name)
    return sorted({cls for cls in _all_subclasses(forms.BaseForm)
                   if cls.__module__.startswith("qiao.")}, key=lambda c: c.__qualname__)


def test_every_form_of_qiao_cleans_its_input():
    found = qiao_forms()
    assert len(found) > 20
    assert [f"{c.__module__}.{c.__qualname__}" for c in found
            if not issubclass(c, CleanInputMixin)] == []


@pytest.mark.django_db
def test_every_admin_that_edits_records_cleans_its_input(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    editing = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("qiao.") or not (
                model_admin.has_add_permission(request)
                or model_admin.has_change_permission(request)):
            continue
        editing.append(model)
        forms_ = [model_admin.get_form(request)]
        forms_ += [inline.get_formset(request).form
                   for inline in model_admin.get_inline_instances(request)]
        for form in forms_:
            assert issubclass(form, CleanInputMixin), (model, form)
    assert len(editing) > 5


def text_model_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("qiao."):
            continue
        for field in model._meta.get_fields():
            if (isinstance(field, models.CharField | models.TextField) and field.editable
                    and not field.choices):
                yield model, field


@pytest.mark.parametrize(("model", "field"), list(text_model_fields()),
                         ids=lambda v: getattr(v, "__name__", getattr(v, "name", "")))
def test_every_text_field_of_every_model_is_cleaned_on_input(model, field):
    form_field = field.formfield()
    clean_input(form_field)
    typed = f"{ZWSP}张{RLO}三\u00a0"
    assert form_field.to_python(typed) == "张三"
    if not field.blank:
        with pytest.raises(forms.ValidationError) as refused:
            form_field.clean(f"{ZWSP}{ZWSP}{RLO}")
        assert refused.value.code == "required"


def test_a_text_area_keeps_its_lines_a_text_input_does_not():
    class NoteForm(CleanInputMixin, forms.Form):
        title = forms.CharField()
        note = forms.CharField(widget=forms.Textarea, required=False)
        password = forms.CharField(widget=forms.PasswordInput, strip=False)

    form = NoteForm({"title": "第一\r\n第二", "note": f"第一行\r\n{ZWSP}第二行\t尾",
                     "password": f" pass{ZWSP}word "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"title": "第一 第二", "note": "第一行\n第二行\t尾",
                                 "password": f" pass{ZWSP}word "}  # passwords as typed


def test_a_required_field_of_invisible_characters_says_so():
    class NameForm(CleanInputMixin, forms.Form):
        name = forms.CharField()

    with translation.override("en"):
        form = NameForm({"name": ZWSP + RLO + "\u3164"})
        assert not form.is_valid()
        assert "invisible" in form.errors["name"][0]


def test_a_date_field_without_its_own_range_gets_the_plausible_one():
    class DayForm(CleanInputMixin, forms.Form):
        day = forms.DateField()

    for typed in ("0001-01-01", "9999-12-31"):
        form = DayForm({"day": typed})
        assert not form.is_valid() and "1900-01-01" in form.errors["day"][0], typed
    assert DayForm({"day": "2026-05-01"}).is_valid()
