"""List filters: fiscal year (plans in force in it), status, plan type, agency subtree, Thai
text search and ordering."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from agencies import access
from agencies.models import Agency
from agencies.selectors import AgencyChoices, subtree_ids
from core import thai
from core.states import Status
from core.widgets import quick_selects

from .models import Plan


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search")
    fiscal_year = django_filters.NumberFilter(label=_("in force in fiscal year"),
                                              method="in_force")  # fmt: skip
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    plan_type = django_filters.ChoiceFilter(label=_("plan type"), choices=Plan.Type.choices)
    agency = django_filters.ModelChoiceFilter(
        label=_("agency (and units below)"), method="in_subtree", queryset=Agency.objects.none()
    )
    ordering = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=(
            ("year_from", "year_from"),
            ("title", "title"),
            ("updated_at", "updated_at"),
            ("agency__code", "agency"),
        ),
        field_labels={
            "year_from": _("from fiscal year"),
            "title": _("title"),
            "updated_at": _("last change"),
            "agency__code": _("agency"),
        },
    )

    class Meta:
        model = Plan
        fields = ["q", "fiscal_year", "status", "plan_type"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["agency"].queryset = access.visible_agencies(user).order_by("code")
        quick_selects(self.form, {"agency": AgencyChoices})

    def search(self, queryset, name, value):
        for word in thai.words(value):
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def in_force(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(year_from__lte=value, year_to__gte=value)

    def in_subtree(self, queryset, name, agency):
        if not agency:
            return queryset
        return queryset.filter(agency__in=subtree_ids(agency.pk))
