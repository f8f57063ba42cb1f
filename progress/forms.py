"""Progress report forms: the report's texts and one row formset each for activities, budget
sources and KPIs (rows are created with the report, so the formsets neither add nor delete)."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import MoneyField

from .models import ActivityProgress, BudgetProgress, KPIActual, ProgressReport

TEXTAREA = {"rows": 3}


class ReportForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Required when changing a report that was submitted before."),
    )

    class Meta:
        model = ProgressReport
        fields = [
            "problems",
            "next_steps",
            "overrun_reason",
            "outcomes_achieved",
            "lessons_learned",
        ]
        widgets = {name: forms.Textarea(attrs=TEXTAREA) for name in fields}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.is_closing:
            del self.fields["outcomes_achieved"], self.fields["lessons_learned"]
        self.fields["expected_version"].initial = self.instance.version


class ActivityRowForm(forms.ModelForm):
    class Meta:
        model = ActivityProgress
        fields = ["state", "percent", "note"]
        widgets = {"percent": forms.NumberInput(attrs={"min": 0, "max": 100, "class": "short"})}


class BudgetRowForm(forms.ModelForm):
    disbursed = MoneyField(label=_("disbursed in the quarter (baht)"))
    cumulative = MoneyField(label=_("cumulative disbursement (baht)"))

    class Meta:
        model = BudgetProgress
        fields = ["disbursed", "cumulative"]


class KPIRowForm(forms.ModelForm):
    class Meta:
        model = KPIActual
        fields = ["actual_value", "note"]
        widgets = {
            "actual_value": forms.TextInput(attrs={"inputmode": "decimal", "class": "short"})
        }


def _rows(model, form):
    return inlineformset_factory(
        ProgressReport, model, form=form, extra=0, can_delete=False, max_num=1000
    )


FORMSETS = (
    ("activities", _rows(ActivityProgress, ActivityRowForm)),
    ("budget", _rows(BudgetProgress, BudgetRowForm)),
    ("kpis", _rows(KPIActual, KPIRowForm)),
)


class StartForm(forms.Form):
    kind = forms.ChoiceField(choices=ProgressReport.Kind.choices)
    fiscal_year = forms.IntegerField(required=False)
    quarter = forms.IntegerField(required=False, min_value=1, max_value=4)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("file"), help_text=_("PDF, image or office document; up to 10 MB.")
    )
