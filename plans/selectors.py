"""Reads of Level-3 plans for lists, queues and pages, and of the projects that serve them;
every one is scoped by the access policy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from agencies import access
from agencies.access import Role
from agencies.models import Agency
from projects.models import BudgetLine, Project

from .models import Plan, PlanLink, PlanTarget, ProjectPlanLink


def _with_list_data(qs: QuerySet[Plan]) -> QuerySet[Plan]:
    """What a list row shows, in a constant number of queries whatever the page size."""
    return qs.select_related("agency").prefetch_related(
        Prefetch(
            "links",
            queryset=PlanLink.objects.filter(is_primary=True).select_related("node"),
            to_attr="primary_links",
        )
    )


def visible_plans(user) -> QuerySet[Plan]:
    return _with_list_data(access.scope_with_agencies_above(user, Plan.objects.all()))


def review_queue(user) -> QuerySet[Plan]:
    """Plans waiting for this user's approval, oldest submission first."""
    qs = Plan.objects.filter(access.review_queue_filter(user))
    return _with_list_data(qs).order_by("submitted_at", "id")


def plans_full(user) -> QuerySet[Plan]:
    """Plans the user may see (as the plan pages scope them), each with its targets (and
    their values per year) and links: a constant number of queries for any page size."""
    qs = access.scope_with_agencies_above(user, Plan.objects.all()).select_related(
        "agency", "created_by", "submitted_by"
    )
    return qs.prefetch_related(
        Prefetch("targets", queryset=PlanTarget.objects.prefetch_related("values")),
        Prefetch("links", queryset=PlanLink.objects.select_related(
            "node", "node__edition", "node__parent").order_by("-is_primary", "id")),
    )  # fmt: skip


def review_queue_full(user) -> QuerySet[Plan]:
    """``review_queue`` with what ``plans_full`` holds (the API's queue)."""
    qs = plans_full(user).filter(access.review_queue_filter(user))
    return qs.order_by("submitted_at", "id")


def plan_for_page(user, pk: int) -> Plan:
    """A plan the user may see, with everything its page shows; DoesNotExist otherwise (so
    another agency's draft is a 404, not a 403 that confirms it exists)."""
    return plans_full(user).get(pk=pk)


def plans_for_project(user, project: Project) -> QuerySet[Plan]:
    """The plans a project may state it serves: plans the user sees, of the project's agency
    or an agency above it, or of the agencies where the user enters data."""
    project_agency = Agency.objects.get(pk=project.agency_id)
    above = Agency.objects.ancestors(project_agency, include_self=True).values("pk")
    staff = access.grants(user).subtrees[Role.STAFF]
    qs = access.scope_with_agencies_above(user, Plan.objects.all()).filter(
        Q(agency__in=above) | Q(agency__in=staff)
    )
    return qs.select_related("agency").order_by("-year_from", "title")


def links_of_project(user, project: Project) -> QuerySet[ProjectPlanLink]:
    """The plans (and targets) a project, in any of its revisions, states it serves; only
    plans the user may see."""
    return (
        ProjectPlanLink.objects.filter(
            lineage=project.lineage,
            plan__in=access.scope_with_agencies_above(user, Plan.objects.all()),
        )
        .select_related("plan", "plan__agency", "target")
        .order_by("plan__title", "target__order", "id")
    )


# --- coverage: the projects a plan holds -----------------------------------------------------


@dataclass
class ProjectRow:
    project: Project
    targets: list[PlanTarget] = field(default_factory=list)
    general: bool = False  # serves the plan without naming a target
    by_year: dict[int, Decimal] = field(default_factory=dict)
    cells: list[Decimal | None] = field(default_factory=list)  # by_year in the table's years

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), Decimal(0))


@dataclass
class Coverage:
    years: list[int]
    rows: list[ProjectRow]
    totals: dict[int, Decimal]
    targets: list[tuple[PlanTarget, list[Project]]]

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), Decimal(0))

    @property
    def uncovered(self) -> list[PlanTarget]:
        return [target for target, projects in self.targets if not projects]

    @property
    def total_cells(self) -> list[Decimal]:
        return [self.totals.get(y, Decimal(0)) for y in self.years]


def coverage(user, plan: Plan) -> Coverage:
    """The current revisions of the projects (that the user may see) serving ``plan``, their
    budget per fiscal year, and which of the plan's targets no such project serves yet.
    Four queries whatever the number of projects."""
    links = list(ProjectPlanLink.objects.filter(plan=plan).select_related("target"))
    projects = {
        p.lineage: p
        for p in access.scope(
            user, Project.objects.filter(is_current=True, lineage__in={x.lineage for x in links})
        ).select_related("agency")
    }
    rows: dict[int, ProjectRow] = {}
    served: dict[int, list[Project]] = defaultdict(list)
    for link in links:
        project = projects.get(link.lineage)
        if project is None:
            continue
        row = rows.setdefault(project.pk, ProjectRow(project))
        if link.target_id is None:
            row.general = True
        else:
            row.targets.append(link.target)
            served[link.target_id].append(project)
    budget = (
        BudgetLine.objects.filter(project__in=rows)
        .values_list("project_id", "fiscal_year")
        .annotate(amount=Sum("amount"))
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for project_id, year, amount in budget:
        rows[project_id].by_year[year] = amount
        totals[year] += amount
    years = sorted(set(plan.years) | set(totals))
    for row in rows.values():
        row.cells = [row.by_year.get(y) for y in years]
    targets = [(t, served.get(t.pk, [])) for t in plan.targets.all()]
    ordered = sorted(rows.values(), key=lambda r: (r.project.fiscal_year, r.project.title))
    return Coverage(years=years, rows=ordered, totals=dict(totals), targets=targets)
