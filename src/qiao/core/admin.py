"""What several apps' admins share."""

from qiao.core.forms import CleanInputMixin


class ReadOnlyAdminMixin:
    """Records the admin shows but never adds, changes or deletes: their changes go through
    the app's services (approval requests, deliveries, campaigns, API tokens)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CleanInputAdminMixin:
    """The admin's forms clean their input as every form of Qiao does
    (core.forms.CleanInputMixin): put it first in the bases of every admin and inline that
    edits records."""

    def get_form(self, request, obj=None, **kwargs):
        return _cleaning(super().get_form(request, obj, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):  # inlines
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _cleaning(formset.form)
        return formset


def _cleaning(form_class):
    if issubclass(form_class, CleanInputMixin):
        return form_class
    return type(form_class.__name__, (CleanInputMixin, form_class), {})
