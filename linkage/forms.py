"""Filter forms of the linkage pages (bad input gets a message, never a 500)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.models import Edition

from .rubric import MAX_SCORE, Criterion
from .selectors import DUPLICATE_THRESHOLD


def master_plan_editions():
    return Edition.objects.filter(family=Edition.Family.MASTER_PLAN).exclude(fiscal_year_from=None)


class GapForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("edition"), queryset=master_plan_editions(), to_field_name="code",
        required=False, empty_label=None,
    )  # fmt: skip
    fiscal_year = forms.IntegerField(label=_("fiscal year"), min_value=2500, max_value=2700,
                                     required=False)  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = master_plan_editions()

    def clean(self):
        data = super().clean()
        edition, year = data.get("edition"), data.get("fiscal_year")
        if edition and year and not edition.covers(year):
            self.add_error("fiscal_year", _("This edition does not cover that fiscal year."))
        return data


class DuplicateForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("fiscal year"), min_value=2500, max_value=2700,
                                     required=False)  # fmt: skip
    threshold = forms.FloatField(
        label=_("similarity threshold"), min_value=0.3, max_value=1.0, required=False,
        initial=DUPLICATE_THRESHOLD,
        help_text=_("From 0.3 (loosely alike) to 1.0 (the same words)."),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )  # fmt: skip


class RubricReviewForm(forms.Form):
    """A reviewer's score of one rubric criterion (the service checks the reason rule)."""

    criterion = forms.ChoiceField(label=_("criterion"), choices=Criterion.choices)
    score = forms.TypedChoiceField(label=_("score"), coerce=int,
                                   choices=[(i, str(i)) for i in range(MAX_SCORE + 1)])  # fmt: skip
    reason = forms.CharField(label=_("reason"), max_length=2000, required=False)
