"""List filters (django-filter): fiscal year, status, master plan (any link or the primary one),
sub-plan, agency subtree, budget range, Thai text search and ordering."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies import access
from agencies.models import Agency
from agencies.selectors import AgencyChoices, subtree_ids
from core import thai
from core.forms import MoneyField
from core.states import Status
from core.widgets import ValuesChoiceIterator, quick_selects
from strategy.models import Kind, Node

from .models import Project


class MoneyFilter(django_filters.NumberFilter):
    """A baht amount as people type it: "1,000,000" and Thai digits are fine."""

    field_class = MoneyField


class NodeChoices(ValuesChoiceIterator):
    columns = ("code", "title_th", "title_en")

    def label(self, row: tuple) -> str:  # as Node.__str__
        code, title_th, title_en = row
        return f"{code} {title_th or title_en or _('(no text in the source)')}".strip()


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("search"), method="search")
    fiscal_year = django_filters.NumberFilter(label=_("fiscal year"))
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    master_plan = django_filters.ModelChoiceFilter(
        label=_("master plan"), method="under_node",
        queryset=Node.objects.filter(kind=Kind.MASTER_PLAN).order_by("edition__code", "code"),
    )  # fmt: skip
    sub_plan = django_filters.ModelChoiceFilter(
        label=_("sub-plan"), method="under_node",
        queryset=Node.objects.filter(kind=Kind.SUB_PLAN).order_by("edition__code", "code"),
    )  # fmt: skip
    primary_plan = django_filters.ModelChoiceFilter(
        label=_("master plan of the primary link"),
        method="primary_under",
        queryset=Node.objects.filter(kind=Kind.MASTER_PLAN).order_by("edition__code", "code"),
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("agency (and units below)"), method="in_subtree", queryset=Agency.objects.none()
    )
    budget_min = MoneyFilter(label=_("budget from"), field_name="total_budget", lookup_expr="gte")
    budget_max = MoneyFilter(label=_("budget to"), field_name="total_budget", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=(
            ("fiscal_year", "fiscal_year"),
            ("title", "title"),
            ("total_budget", "total_budget"),
            ("updated_at", "updated_at"),
            ("agency__code", "agency"),
        ),
        field_labels={
            "fiscal_year": _("fiscal year"),
            "title": _("title"),
            "total_budget": _("budget"),
            "updated_at": _("last change"),
            "agency__code": _("agency"),
        },
    )

    class Meta:
        model = Project
        fields = ["q", "fiscal_year", "status"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["agency"].queryset = access.visible_agencies(user).order_by("code")
        # Thousands of agencies for central users, hundreds of plans: no instance an option.
        nodes = dict.fromkeys(("master_plan", "sub_plan", "primary_plan"), NodeChoices)
        quick_selects(self.form, {"agency": AgencyChoices, **nodes})

    def search(self, queryset, name, value):
        for word in thai.words(value):
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def under_node(self, queryset, name, node):
        if not node:
            return queryset
        below = _ids(Node.objects.descendants(node, include_self=True))
        return queryset.filter(Q(links__node__in=below)).distinct()

    def primary_under(self, queryset, name, node):
        """Projects whose primary link is the node or below it (a project has one primary
        link, so no duplicates): what the dashboards' budget per master plan counts."""
        if not node:
            return queryset
        below = _ids(Node.objects.descendants(node, include_self=True))
        return queryset.filter(links__is_primary=True, links__node__in=below)

    def in_subtree(self, queryset, name, agency):
        if not agency:
            return queryset
        return queryset.filter(agency__in=subtree_ids(agency.pk))


def _ids(tree_queryset) -> list[int]:
    """A subtree's ids as a list: the tree's recursive query cannot sit inside another
    subquery (the dashboards nest the filtered projects), and a list of a few hundred ids is
    also the cheaper plan."""
    return list(tree_queryset.values_list("pk", flat=True))
