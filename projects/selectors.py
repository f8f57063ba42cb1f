"""Reads of projects for lists, queues and pages; every one is scoped by the access policy."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from agencies import access

from .models import Project, StrategyLink


def _with_list_data(qs: QuerySet[Project]) -> QuerySet[Project]:
    """What a list row shows, in a constant number of queries whatever the page size."""
    return qs.select_related("agency", "agency__parent").prefetch_related(
        Prefetch(
            "links",
            queryset=StrategyLink.objects.filter(is_primary=True).select_related(
                "node", "node__parent", "factor"
            ),
            to_attr="primary_links",
        )
    )


def visible_projects(user) -> QuerySet[Project]:
    """Per project, the newest revision the user may see: the agency's staff see a revision in
    progress, readers who may not see drafts keep seeing the approved version it will replace."""
    newer = access.scope(
        user,
        Project.objects.filter(lineage=OuterRef("lineage"), revision__gt=OuterRef("revision")),
    )
    # The newest revision of a project is the current one; only an older revision (rare) needs
    # the subquery, and SQL asks it only for those rows.
    newest_visible = Q(is_current=True) | (Q(is_current=False) & ~Exists(newer))
    return _with_list_data(access.scope(user, Project.objects.filter(newest_visible)))


def review_queue(user) -> QuerySet[Project]:
    """Projects waiting for this user's approval, oldest submission first."""
    qs = Project.objects.filter(access.review_queue_filter(user), is_current=True)
    return _with_list_data(qs).order_by("submitted_at", "id")


def project_for_page(user, pk: int) -> Project:
    """A project the user may see, with everything its page shows; DoesNotExist otherwise
    (so another agency's draft is a 404, not a 403 that confirms it exists)."""
    qs = access.scope(user, Project.objects.all()).select_related(
        "agency", "agency__parent", "created_by", "submitted_by", "supersedes"
    )
    return qs.prefetch_related(
        "kpis", "activities", "budget_lines", "provinces", "attachments",
        Prefetch("links", queryset=StrategyLink.objects.select_related(
            "node", "node__edition", "node__parent", "factor").order_by("-is_primary", "id")),
    ).get(pk=pk)  # fmt: skip


def other_revisions(project: Project) -> QuerySet[Project]:
    return (
        Project.objects.filter(lineage=project.lineage).exclude(pk=project.pk).order_by("-revision")
    )


def _with_full_data(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Everything a project's full representation (the API) holds, in a constant number of
    queries whatever the number of projects."""
    return qs.select_related("agency").prefetch_related(
        "kpis", "activities", "budget_lines", "provinces",
        Prefetch("links", queryset=StrategyLink.objects.select_related(
            "node", "node__edition", "factor").order_by("-is_primary", "id")),
    )  # fmt: skip


def visible_projects_full(user) -> QuerySet[Project]:
    """Current revisions the user may see, with their rows and links."""
    return _with_full_data(visible_projects(user))


def review_queue_full(user) -> QuerySet[Project]:
    return _with_full_data(review_queue(user))


def visible_revisions_full(user) -> QuerySet[Project]:
    """Every revision the user may see (a detail page may show an older one)."""
    return _with_full_data(access.scope(user, Project.objects.all()))
