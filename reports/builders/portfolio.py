"""Report 1, the project portfolio: every project in the filter that the owner may see, one
row each, with its budget by source, disbursement to date, links, KPIs and linkage score (the
primary link's alignment score and rank among the edition's targets, and the mean score of all
its declared links, as the linkage analysis last stored them).

Projects are read in chunks of ``CHUNK`` ids with their related rows prefetched, so the
queries per chunk are constant and memory stays flat however large the portfolio is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from agencies import access
from core.thai import format_date
from linkage.models import LinkScore
from progress.models import FILED, BudgetProgress, ProgressReport
from projects.filters import ProjectFilter
from projects.models import KPI, BudgetLine, Project, StrategyLink
from projects.selectors import visible_projects

CHUNK = 1000
PROJECT_FIELDS = (
    "agency__code", "agency__name_th", "fiscal_year", "kind", "title", "reference", "status",
    "start_date", "end_date", "total_budget", "lineage",
)  # fmt: skip
LINK_FIELDS = (
    "project_id", "is_primary", "node__code", "node__title_th", "node__title_en",
    "factor__code", "factor__title_th", "factor__title_en",
)  # fmt: skip
SOURCES = BudgetLine.Source
FILTER_KEYS = ("fiscal_year", "agency", "status", "master_plan")


def portfolio_queryset(user, filters: dict) -> QuerySet[Project]:
    """The projects of the report: what ``user`` may see (the newest revision each), narrowed
    by the same filters as the project list (an agency outside the user's view is refused by
    the filter itself)."""
    data = {k: v for k, v in filters.items() if k in FILTER_KEYS and v not in (None, "")}
    filterset = ProjectFilter(data, queryset=visible_projects(user), user=user)
    return filterset.qs


def headers() -> list[str]:
    return [
        _("agency code"), _("agency"), _("fiscal year"), _("type"), _("title"),
        _("agency's own reference"), _("status"), _("start date"), _("end date"),
        _("total budget (baht)"),
        *[_("budget: %(source)s (baht)") % {"source": s.label} for s in SOURCES],
        _("disbursed to date (baht)"), _("disbursement reported up to"),
        _("primary link code"), _("primary link"), _("value-chain factor"),
        _("secondary links"), _("KPIs"),
        _("primary link alignment score"), _("primary link rank"),
        _("mean alignment score of the links"),
    ]  # fmt: skip


def _disbursement(user, lineages) -> dict:
    """lineage → (cumulative disbursement of its latest filed progress report, that report's
    period label). Reports the user may not see (drafts of another agency) do not count."""
    reports = access.scope(
        user, ProgressReport.objects.filter(lineage__in=lineages, status__in=FILED)
    ).prefetch_related(
        Prefetch("budget_rows", queryset=BudgetProgress.objects.only("report_id", "cumulative"),
                 to_attr="cumulative_rows")
    )  # fmt: skip
    latest: dict = {}
    for report in reports:
        # Closing reports come after every quarter; then fiscal year and quarter.
        key = (report.is_closing, report.fiscal_year, report.quarter)
        if report.lineage not in latest or key > latest[report.lineage][0]:
            latest[report.lineage] = (key, report)
    return {
        lineage: (
            sum((row.cumulative for row in report.cumulative_rows), Decimal(0)),
            report.period_label if report.is_closing else report.short_label,
        )
        for lineage, (_key, report) in latest.items()
    }


def _attach_rows(projects: dict[int, Project]) -> None:
    """Budget lines, KPIs and link scores of a chunk as plain tuples (no model instances: at
    100,000 projects building them cost more than the queries)."""
    for p in projects.values():
        p.report_budget_lines, p.report_kpis, p.report_scores = [], [], []
    ids = list(projects)
    lines = BudgetLine.objects.filter(project_id__in=ids).order_by("project_id", "id")
    for pk, source, amount in lines.values_list("project_id", "source", "amount"):
        projects[pk].report_budget_lines.append((source, amount))
    kpis = KPI.objects.filter(project_id__in=ids).order_by("project_id", "id")
    for pk, *kpi in kpis.values_list("project_id", "name", "target_value", "unit"):
        projects[pk].report_kpis.append(kpi)
    scores = LinkScore.objects.filter(project_id__in=ids)
    for pk, *score in scores.values_list("project_id", "is_primary", "score", "rank"):
        projects[pk].report_scores.append(score)


def _labels(choices) -> dict[str, str]:
    """Choice value → its label, translated once per report rather than once per row."""
    return {value: str(label) for value, label in choices}


def _row(project: Project, disbursed: tuple | None, labels: dict) -> list:
    by_source = dict.fromkeys(SOURCES.values, Decimal(0))
    for source, amount in project.report_budget_lines:
        by_source[source] += amount or Decimal(0)
    links = project.report_links
    primary = next((link for link in links if link.is_primary), None)
    secondary = [link for link in links if not link.is_primary]
    kpis = [
        " ".join(filter(None, [name + ":", target, unit]))
        for name, target, unit in project.report_kpis
    ]
    scores = project.report_scores  # [is_primary, score, rank]
    scored = next((s for s in scores if s[0]), None)
    # A plain number (not money) in the workbook, to one decimal.
    mean = round(sum(s[1] for s in scores) / len(scores), 1) if scores else None
    return [
        project.agency.code, project.agency.name_th, project.fiscal_year,
        labels["kind"][project.kind], project.title, project.reference,
        labels["status"][project.status], format_date(project.start_date),
        format_date(project.end_date), project.total_budget,
        *[by_source[s] for s in SOURCES.values],
        disbursed[0] if disbursed else None, disbursed[1] if disbursed else "",
        primary.node.code if primary else "", primary.node.label if primary else "",
        str(primary.factor) if primary and primary.factor else "",
        "; ".join(f"{link.node.code} {link.node.label}".strip() for link in secondary),
        "; ".join(kpis),
        scored[1] if scored else None, scored[2] if scored else None, mean,
    ]  # fmt: skip


def rows(user, filters: dict, on_progress: Callable[[int, int], None]) -> Iterator[list]:
    """The report's rows in order (agency, fiscal year, title), ``on_progress(done, total)``
    called after each chunk."""
    ids = list(
        portfolio_queryset(user, filters)
        .order_by("agency__code", "-fiscal_year", "title", "id")
        .values_list("id", flat=True)
    )
    # The filter may join links (master plan): keep the first of each id, in order.
    ids = list(dict.fromkeys(ids))
    total = len(ids)
    on_progress(0, total)
    labels = {
        "kind": _labels(Project.Kind.choices),
        "status": _labels(Project.status.field.choices),
    }
    for start in range(0, total, CHUNK):
        chunk_ids = ids[start : start + CHUNK]
        # Only the columns the report shows, and prefetched lists (``to_attr``): a prefetch into
        # the related managers would build a queryset per project and lookup (5,000 a chunk),
        # which cost more than the queries themselves.
        projects = {
            p.pk: p
            for p in Project.objects.filter(pk__in=chunk_ids)
            .select_related("agency")
            .only(*PROJECT_FIELDS)
            .prefetch_related(
                Prefetch(
                    "links",
                    queryset=StrategyLink.objects.select_related("node", "factor")
                    .only(*LINK_FIELDS).order_by("-is_primary", "node__code", "id"),
                    to_attr="report_links",
                ),
            )
        }  # fmt: skip
        _attach_rows(projects)
        disbursed = _disbursement(user, {p.lineage for p in projects.values()})
        for pk in chunk_ids:
            project = projects[pk]
            yield _row(project, disbursed.get(project.lineage), labels)
        on_progress(min(start + CHUNK, total), total)
