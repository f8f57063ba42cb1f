"""The dashboards' filter: a fiscal year and, within what the dashboard covers, an agency."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.widgets import QuickSelect


class DashboardForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=_("fiscal year"), coerce=int, required=False)
    agency = forms.ModelChoiceField(
        label=_("agency (and units below)"), queryset=Agency.objects.none(), required=False,
        widget=QuickSelect, empty_label=_("all agencies"),
        error_messages={"invalid_choice": _("Choose one of the agencies this dashboard covers.")},
    )  # fmt: skip

    def __init__(self, *args, years: list[int], agencies: QuerySet[Agency], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(y, str(y)) for y in years]
        self.fields["fiscal_year"].error_messages["invalid_choice"] = _(
            "No project has that fiscal year."
        )
        self.fields["agency"].queryset = agencies.order_by("code")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "compact")
