"""The portfolio report's choices: format and the same filters as the project list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.filters import ProjectFilter

from .models import FORMATS, Report

PORTFOLIO_FILTERS = ("fiscal_year", "agency", "status", "master_plan")


class PortfolioForm(forms.Form):
    format = forms.ChoiceField(
        label=_("format"), choices=[(f.value, f.label) for f in FORMATS[Report.PORTFOLIO]]
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The project list's own filter fields, so a report and the list select the same rows
        # (and the agency choices are the agencies the user may see).
        filter_form = ProjectFilter(user=user).form
        for name in PORTFOLIO_FILTERS:
            field = filter_form.fields[name]
            field.required = False
            self.fields[name] = field

    def filters(self) -> dict:
        """The cleaned filters as JSON: model choices by primary key, empty ones left out."""
        out = {}
        for name in PORTFOLIO_FILTERS:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            out[name] = value.pk if hasattr(value, "pk") else value
        if "fiscal_year" in out:
            out["fiscal_year"] = int(out["fiscal_year"])
        return out


class MasterPlanForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("fiscal year"), min_value=2561, max_value=2600)

    def clean_fiscal_year(self) -> int:
        from .builders.master_plan import edition_of

        fiscal_year = self.cleaned_data["fiscal_year"]
        if edition_of({"fiscal_year": fiscal_year}) is None:
            raise forms.ValidationError(_("No master-plan edition covers this fiscal year."))
        return fiscal_year
