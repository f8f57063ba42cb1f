from django import forms
from django.utils.translation import gettext_lazy as _


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("UTF-8 or TIS-620 CSV, or an Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


class ConfirmImportForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
