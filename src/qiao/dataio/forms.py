"""The import pages' forms: they parse; dataio.services checks and saves."""

from django import forms
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from qiao.core.forms import BootstrapFormMixin

from .models import ImportRun


class UploadForm(BootstrapFormMixin, forms.Form):
    importer = forms.ChoiceField(label=_("the file holds"))
    file = forms.FileField(label=_("Excel or CSV file"),
                           help_text=_("xlsx, or csv in UTF-8 or GBK; the first row is the "
                                       "header."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def __init__(self, *args, importers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["importer"].choices = [(i.code, i.label) for i in importers]


class SettingsForm(BootstrapFormMixin, forms.Form):
    """The sheet, a field for each column, duplicates and mode. The columns' selects are
    named col_<index>."""

    sheet = forms.ChoiceField(label=_("sheet"), required=False)
    duplicates = forms.ChoiceField(label=_("rows like an existing record"),
                                   widget=forms.RadioSelect)
    all_or_none = forms.TypedChoiceField(
        label=_("when some rows are bad"), widget=forms.RadioSelect,
        coerce=lambda v: v == "1",
        choices=[("1", _("import nothing (all or none)")),
                 ("0", _("import the good rows, report the bad ones"))])

    def __init__(self, *args, run: ImportRun, importer, **kwargs):
        kwargs.setdefault("initial", {"sheet": run.sheet, "duplicates": run.duplicates,
                                      "all_or_none": "1" if run.all_or_none else "0",
                                      **{f"col_{k}": v for k, v in run.mapping.items()}})
        super().__init__(*args, **kwargs)
        self.run = run
        self.fields["sheet"].choices = [(s, s) for s in run.sheets]
        self.fields["duplicates"].choices = [
            (code, label) for code, label in ImportRun.Duplicates.choices
            if code in importer.duplicates]
        choices = [("", _("(not imported)"))] + [
            (f.code, f"{f.label}{' *' if f.required else ''}") for f in importer.fields]
        for index, header in enumerate(run.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("column %d") % (index + 1), choices=choices, required=False)

    def columns(self):
        """(column letter, its select) for each column of the sheet."""
        return [(get_column_letter(i + 1), self[f"col_{i}"]) for i in range(len(self.run.headers))]

    def mapping(self) -> dict:
        return {str(i): self.cleaned_data.get(f"col_{i}") or ""
                for i in range(len(self.run.headers))}
