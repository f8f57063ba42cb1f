"""List filters of the API (django-filter). Projects reuse the browser list's ``ProjectFilter``
(the same fiscal year, status, plan, agency subtree, budget range, Thai search and ordering)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core import thai
from core.states import Status
from plans.filters import PlanFilter
from progress.models import ProgressReport
from projects.filters import ProjectFilter
from projects.models import Project
from strategy.models import Edition, Kind, Node


class ProjectApiFilter(ProjectFilter):
    reference = django_filters.CharFilter(label=_("agency's own reference"))
    kind = django_filters.ChoiceFilter(label=_("type"), choices=Project.Kind.choices)

    class Meta(ProjectFilter.Meta):
        fields = ["q", "fiscal_year", "status", "reference", "kind"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix, user=request.user)

    def under_node(self, queryset, name, value: int):  # typed for the schema: a node id
        return super().under_node(queryset, name, value)

    def primary_under(self, queryset, name, value: int):  # typed for the schema: a node id
        return super().primary_under(queryset, name, value)


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Agency.Kind.choices)
    parent = django_filters.NumberFilter(label=_("parent agency"), field_name="parent_id")
    ordering = django_filters.OrderingFilter(fields=("code", "name_th", "kind"))

    class Meta:
        model = Agency
        fields = ["q", "kind", "parent"]

    def search(self, queryset, name, value):
        for word in thai.words(value):
            queryset = queryset.filter(
                Q(name_th__icontains=word) | Q(name_en__icontains=word)
                | Q(abbreviation__icontains=word) | Q(code__iexact=word)
            )  # fmt: skip
        return queryset


class EditionFilter(django_filters.FilterSet):
    family = django_filters.ChoiceFilter(choices=Edition.Family.choices)
    fiscal_year = django_filters.NumberFilter(
        label=_("fiscal year"), method="covering", help_text=_("Editions in force in this year.")
    )
    ordering = django_filters.OrderingFilter(fields=("code", "family", "fiscal_year_from"))

    class Meta:
        model = Edition
        fields = ["family", "fiscal_year"]

    def covering(self, queryset, name, value):
        return queryset.filter(fiscal_year_from__lte=value).filter(
            Q(fiscal_year_to=None) | Q(fiscal_year_to__gte=value)
        )


class NodeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("search"), method="search", help_text=_("Words of the title (Thai is segmented).")
    )
    edition = django_filters.ModelChoiceFilter(
        to_field_name="code", queryset=Edition.objects.all(), label=_("edition")
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("kind"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("parent node"))
    code = django_filters.CharFilter(label=_("code"))
    ordering = django_filters.OrderingFilter(fields=("code", "number", "title_th", "id"))

    class Meta:
        model = Node
        fields = ["q", "edition", "kind", "parent", "code"]

    def search(self, queryset, name, value):
        return queryset.search(value)


class PlanApiFilter(PlanFilter):
    """The plan list's filters (fiscal year in force, status, type, agency subtree, search)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        super().__init__(data, queryset, request=request, prefix=prefix, user=request.user)


class ProgressReportFilter(django_filters.FilterSet):
    fiscal_year = django_filters.NumberFilter(label=_("fiscal year"))
    quarter = django_filters.NumberFilter(label=_("quarter"))
    kind = django_filters.ChoiceFilter(label=_("type"), choices=ProgressReport.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    project = django_filters.NumberFilter(label=_("project"), field_name="project_id")
    ordering = django_filters.OrderingFilter(fields=("fiscal_year", "quarter", "due_date",
                                                     "updated_at"))  # fmt: skip

    class Meta:
        model = ProgressReport
        fields = ["fiscal_year", "quarter", "kind", "status", "project"]
