"""The choices of each report: the portfolio's format and the project list's filters, the
master-plan summary's year and format, the agency quarterly report's agency and quarter."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies import access
from core.fiscal import fiscal_quarter
from core.thai import EN_MONTHS_SHORT, THAI_MONTHS_SHORT
from core.widgets import QuickSelect
from projects.filters import ProjectFilter

from .builders import agency_quarter
from .models import FORMATS, Format, Report

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
    format = forms.ChoiceField(
        label=_("format"), required=False,
        choices=[(f.value, f.label) for f in FORMATS[Report.MASTER_PLAN]],
    )  # fmt: skip

    def clean_format(self) -> str:
        return self.cleaned_data.get("format") or Format.XLSX  # the XLSX, as before the PDF

    def clean_fiscal_year(self) -> int:
        from .builders.master_plan import edition_of

        fiscal_year = self.cleaned_data["fiscal_year"]
        if edition_of({"fiscal_year": fiscal_year}) is None:
            raise forms.ValidationError(_("No master-plan edition covers this fiscal year."))
        return fiscal_year


def _quarter_choices() -> list[tuple[int, str]]:
    # "ไตรมาส 1 (ต.ค.–ธ.ค.)": the months say which quarter is which in the fiscal year.
    names = THAI_MONTHS_SHORT if (get_language() or "th").startswith("th") else EN_MONTHS_SHORT
    return [
        (q, _("Quarter %(q)s (%(first)s–%(last)s)")
         % {"q": q, "first": names[first - 1], "last": names[first + 1]})
        for q, first in enumerate((10, 1, 4, 7), start=1)
    ]  # fmt: skip


class AgencyQuarterForm(forms.Form):
    """The agency (among those the user may see), fiscal year and quarter of the agency
    quarterly report. The rules are builders.agency_quarter.clean_filters, which the service
    applies again, so the form and the API say the same."""

    agency = forms.ModelChoiceField(
        label=_("agency (and units below)"), queryset=None, widget=QuickSelect,
        error_messages={"invalid_choice": _(
            "You may not see the reports of this agency, or it does not exist.")},
    )  # fmt: skip
    fiscal_year = forms.IntegerField(label=_("fiscal year"))
    quarter = forms.TypedChoiceField(
        label=_("quarter"), coerce=int, choices=_quarter_choices,
        error_messages={"invalid_choice": _("The quarter must be 1 to 4.")},
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = access.visible_agencies(user).order_by("code")
        # The last quarter that has ended is the one people report on.
        fy, quarter = fiscal_quarter(timezone.localdate())
        fy, quarter = (fy, quarter - 1) if quarter > 1 else (fy - 1, 4)
        self.fields["fiscal_year"].initial = fy
        self.fields["quarter"].initial = quarter

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            try:
                self.filters = agency_quarter.clean_filters(
                    self.user, {"agency": data["agency"].pk, "fiscal_year": data["fiscal_year"],
                                "quarter": data["quarter"]},
                )  # fmt: skip
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return data
