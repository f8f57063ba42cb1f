"""Reads of findings: the project page's panel and the agency's "to fix" list, both scoped
by the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies import access

from .models import Finding


def open_findings_of(user, project) -> list[Finding]:
    """Open findings of a project the user may see (the project page asked the policy)."""
    if not access.can(user, access.Action.VIEW, project):
        return []
    return list(Finding.objects.filter(project=project, resolved_at__isnull=True))


def to_fix(user) -> QuerySet[Finding]:
    """Open findings of the agencies the user works for, errors first."""
    agency_ids = access.fix_list_agencies(user)
    return (
        Finding.objects.filter(resolved_at__isnull=True, agency_id__in=agency_ids)
        .select_related("project", "agency")
        .order_by("severity", "agency__code", "code", "project_id")
    )
