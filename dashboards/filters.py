"""The project list behind the dashboards' figures: the project list's own filters plus those
that need the higher apps (linkage scores, progress deadlines), which ``projects`` may not
import. A figure's link lands here (or on the project list) with exactly its filters."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.states import Status
from linkage.models import LinkScore
from progress.models import FILED, ProgressReport
from progress.selectors import overdue_pks
from projects.filters import ProjectFilter

QUARTER = re.compile(r"^(\d{4})-([1-4])$")


def _primary_score(**lookups) -> Exists:
    return Exists(LinkScore.objects.filter(project=OuterRef("pk"), is_primary=True, **lookups))


class DashboardProjectFilter(ProjectFilter):
    score_from = django_filters.NumberFilter(label=_("alignment score from"), method="score_gte")
    score_to = django_filters.NumberFilter(label=_("alignment score to"), method="score_lte")
    unscored = django_filters.BooleanFilter(
        label=_("primary link not scored yet"), method="not_scored",
        widget=forms.CheckboxInput,
    )  # fmt: skip
    overdue = django_filters.BooleanFilter(
        label=_("with overdue progress reports"), method="with_overdue", widget=forms.CheckboxInput
    )
    reported_in = django_filters.CharFilter(
        label=_("filed a progress report for (year-quarter)"), method="filed_for"
    )

    def score_gte(self, queryset, name, value):
        return queryset if value is None else queryset.filter(_primary_score(score__gte=value))

    def score_lte(self, queryset, name, value):
        return queryset if value is None else queryset.filter(_primary_score(score__lte=value))

    def not_scored(self, queryset, name, value):
        return queryset.filter(~_primary_score()) if value else queryset

    def with_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=overdue_pks(queryset))

    def filed_for(self, queryset, name, value):
        match = QUARTER.match((value or "").strip())
        if not match:
            return queryset
        fy, quarter = int(match[1]), int(match[2])
        reports = ProgressReport.objects.filter(
            lineage=OuterRef("lineage"), kind=ProgressReport.Kind.QUARTERLY, status__in=FILED,
            fiscal_year=fy, quarter=quarter,
        )  # fmt: skip
        return queryset.filter(Exists(reports), status=Status.APPROVED)
