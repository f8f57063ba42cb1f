"""Filters of the "to fix" list: severity, check and agency (within what the user sees)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from agencies import access
from agencies.models import Agency
from agencies.selectors import subtree_ids

from .models import Finding, Severity
from .registry import choices


class FindingFilter(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(label=_("severity"), choices=Severity.choices)
    code = django_filters.ChoiceFilter(label=_("check"), choices=choices)
    agency = django_filters.ModelChoiceFilter(
        label=_("agency (and units below)"), method="in_subtree", queryset=Agency.objects.none()
    )

    class Meta:
        model = Finding
        fields = ["severity", "code", "agency"]

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["agency"].queryset = Agency.objects.filter(
            pk__in=access.fix_list_agencies(user)
        ).order_by("code")

    def in_subtree(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(agency_id__in=subtree_ids(value.pk))
