"""Every read of the dashboards: the figures of the national dashboard (central users) and of
an agency's dashboard (the agency and the units below it), for one fiscal year.

The figures are aggregates over the projects the user may see (``visible_projects``, narrowed
by the project list's own filters), so the numbers are what the list behind each figure counts;
four queries in all, whatever the number of projects (``QUERIES`` names them for
bench/dashboard_bench.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from core.fiscal import quarter_bounds, quarter_label
from core.states import Status
from linkage.models import LinkScore
from progress.models import FILED, ProgressReport
from progress.selectors import Owed, overdue_summary, reports_of, schedule
from projects.filters import ProjectFilter
from projects.models import Project
from projects.selectors import visible_projects
from strategy.models import Edition, Kind, Node

ZERO = Decimal(0)
BANDS = 10  # score bands of 10 points: 0-9, 10-19, ..., 90-100


@dataclass(frozen=True)
class Scope:
    """What a dashboard shows: one fiscal year, everything the user may see or one agency's
    subtree."""

    fiscal_year: int
    agency: Agency | None = None

    def params(self, **extra) -> dict:
        found = {"fiscal_year": self.fiscal_year, **extra}
        if self.agency is not None:
            found["agency"] = self.agency.pk
        return found

    def url(self, name: str, **extra) -> str:
        return reverse(name) + "?" + urlencode(self.params(**extra))


def projects(user, scope: Scope) -> QuerySet[Project]:
    """The projects behind every figure: the project list's rows for these filters. Kept on
    the user for the request (like the access grants), so the filter's own look-ups (the
    agency and its subtree) run once per dashboard, not once per figure."""
    cache = user.__dict__.setdefault("_dashboard_projects", {})
    if scope not in cache:
        qs = ProjectFilter(scope.params(), queryset=visible_projects(user), user=user).qs
        cache[scope] = qs.order_by()
    return cache[scope].all()


# --- the figures -----------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    count: int = 0
    amount: Decimal = ZERO
    url: str = ""
    extra: dict = field(default_factory=dict)


def summary(user, scope: Scope) -> list[dict]:
    """One scan of the projects gives three figures: rows grouped by status, the primary
    link's node and its score band (the unlinked and unscored come too), each with its count
    and budget. Kept on the user like ``projects``."""
    cache = user.__dict__.setdefault("_dashboard_summary", {})
    if scope not in cache:
        cache[scope] = list(
            with_primary(projects(user, scope))
            .values("status", "node", band=F("score") / BANDS)
            .annotate(n=Count("id"), budget=Sum("total_budget"))
        )
    return cache[scope]


def with_primary(qs: QuerySet[Project], kept: bool | None = None) -> QuerySet[Project]:
    """``qs`` annotated with ``node`` (its primary link's node) and ``score`` (the score of
    its primary link), None when there is none. On PostgreSQL from the one narrow row the
    database keeps per project (``PrimaryLink``), joined on the project's fiscal year too:
    PostgreSQL carries the list's year filter over to the kept rows, so the join hashes one
    year's rows, not the country's; elsewhere (or ``kept=False``) from left joins on the link
    and score tables, which give the same values."""
    if kept is None:
        kept = connection.vendor == "postgresql"
    if kept:
        same_year = Q(dash_primary__fiscal_year=F("fiscal_year"))
        return qs.alias(kept=FilteredRelation("dash_primary", condition=same_year)).annotate(
            node=F("kept__node_id"), score=F("kept__score")
        )
    return qs.alias(
        primary_link=FilteredRelation("links", condition=Q(links__is_primary=True)),
        primary_score=FilteredRelation("link_scores", condition=Q(link_scores__is_primary=True)),
    ).annotate(node=F("primary_link__node_id"), score=F("primary_score__score"))


def planned(user, scope: Scope) -> dict:
    """The plan per quarter of the approved projects: each one's total budget spread evenly
    over its days (as the project page does for a project whose activities carry no budget),
    and how many approved projects there are."""
    days = _Days(F("end_date"), F("start_date"))
    money = DecimalField(max_digits=20, decimal_places=2)
    spread = {
        f"q{q}": Sum(
            F("total_budget") * _OverlapDays(*quarter_bounds(scope.fiscal_year, q)) / days,
            output_field=money,
            filter=Q(start_date__isnull=False, end_date__gte=F("start_date")),
        )
        for q in (1, 2, 3, 4)
    }
    return projects(user, scope).filter(status=Status.APPROVED).aggregate(n=Count("id"), **spread)


def by_status(user, scope: Scope) -> list[Figure]:
    totals: dict[str, Figure] = {}
    for r in summary(user, scope):
        fig = totals.setdefault(r["status"], Figure(r["status"]))
        fig.count += r["n"]
        fig.amount += r["budget"] or ZERO
    return [
        Figure(
            str(label),
            totals[value].count,
            totals[value].amount,
            scope.url("projects:list", status=value),
        )
        for value, label in Status.choices
        if value in totals
    ]


def _master_plan_of() -> dict[int, Node]:
    """Every master-plan node id → its master plan (one query over the hierarchy, which has a
    few thousand nodes; walked up in Python)."""
    nodes = {
        n.pk: n
        for n in Node.objects.filter(edition__family=Edition.Family.MASTER_PLAN).only(
            "id", "parent_id", "kind", "code", "title_th", "title_en", "edition_id"
        )
    }
    found: dict[int, Node] = {}
    for pk, node in nodes.items():
        walk = node
        while walk is not None and walk.kind != Kind.MASTER_PLAN:
            walk = nodes.get(walk.parent_id)
        if walk is not None:
            found[pk] = walk
    return found


def by_master_plan(user, scope: Scope) -> tuple[list[Figure], Figure]:
    """Budget and projects per master plan of the primary link, biggest budget first, and the
    projects without a primary link in a master plan."""
    plan_of = _master_plan_of()
    plans: dict[int, Figure] = {}
    unlinked = Figure(_("no primary link in a master plan"))
    for r in summary(user, scope):
        plan = plan_of.get(r["node"])
        if plan is None:
            fig = unlinked
        elif plan.pk in plans:
            fig = plans[plan.pk]
        else:
            label = f"{plan.code} {plan.label}".strip()
            url = scope.url("projects:list", primary_plan=plan.pk)
            fig = plans[plan.pk] = Figure(label, url=url, extra={"code": plan.code})
        fig.count += r["n"]
        fig.amount += r["budget"] or ZERO
    figures = sorted(plans.values(), key=lambda f: (-f.amount, f.extra["code"]))
    return figures, unlinked


def score_bands(user, scope: Scope) -> tuple[list[Figure], Figure]:
    """How many projects' primary links score in each band of 10 points, and how many
    projects have no scored primary link (not linked, or not scored yet)."""
    found: dict = {}
    for r in summary(user, scope):  # a score of 100 counts in the top band; None: no score
        band = None if r["band"] is None else min(r["band"], BANDS - 1)
        found[band] = found.get(band, 0) + r["n"]
    bands = []
    for b in range(BANDS):
        low, high = b * 10, (100 if b == BANDS - 1 else b * 10 + 9)
        bands.append(
            Figure(
                f"{low}–{high}",
                found.get(b, 0),
                url=scope.url("dashboards:projects", score_from=low, score_to=high),
                extra={"weak": low < LinkScore.WEAK_BELOW},
            )
        )
    unscored = Figure(_("not scored"), found.get(None, 0),
                      url=scope.url("dashboards:projects", unscored="true"))  # fmt: skip
    return bands, unscored


class _OverlapDays(Func):
    """Days a project's dates share with a period, 0 when they do not meet."""

    output_field = IntegerField()

    def __init__(self, first: date, last: date) -> None:
        super().__init__(F("start_date"), F("end_date"), Value(first), Value(last))

    def as_sql(self, compiler, connection, **extra):
        (s, sp), (e, ep), (f, fp), (la, lp) = (
            compiler.compile(x) for x in self.get_source_expressions()
        )
        return f"GREATEST(0, LEAST({e}, {la}) - GREATEST({s}, {f}) + 1)", [*ep, *lp, *sp, *fp]

    def as_sqlite(self, compiler, connection, **extra):
        # The embedded quick start: dates are ISO text, days come from julianday().
        (s, sp), (e, ep), (f, fp), (la, lp) = (
            compiler.compile(x) for x in self.get_source_expressions()
        )
        sql = f"MAX(0, CAST(julianday(MIN({e}, {la})) - julianday(MAX({s}, {f})) AS INTEGER) + 1)"
        return sql, [*ep, *lp, *sp, *fp]


class _Days(Func):
    """Days from the second date to the first, both counted."""

    output_field = IntegerField()
    template = "(%(expressions)s + 1)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra):
        template = "(CAST(julianday(%(expressions)s) AS INTEGER) + 1)"
        return self.as_sql(compiler, connection, arg_joiner=") - julianday(", template=template)


@dataclass
class Quarter:
    label: str
    planned: Decimal
    disbursed: Decimal
    reporting: int  # approved projects that filed a report for the quarter
    url: str


def filed_by_quarter(user, scope: Scope) -> dict[int, dict]:
    """Quarter → what the approved projects' filed reports of the fiscal year disbursed in it
    and how many projects filed one."""
    approved = projects(user, scope).filter(status=Status.APPROVED)
    filed = (
        ProgressReport.objects.filter(
            kind=ProgressReport.Kind.QUARTERLY, status__in=FILED, fiscal_year=scope.fiscal_year,
            lineage__in=approved.values("lineage"),
        ).order_by().values("quarter")
        .annotate(total=Sum("budget_rows__disbursed"), n=Count("lineage", distinct=True))
    )  # fmt: skip
    return {r["quarter"]: r for r in filed}


def disbursement(user, scope: Scope) -> tuple[list[Quarter], int]:
    """Per quarter of the fiscal year: the plan against what the filed reports disbursed; and
    the number of approved projects."""
    plan = planned(user, scope)
    paid = filed_by_quarter(user, scope)
    quarters = []
    for q in (1, 2, 3, 4):
        row = paid.get(q, {})
        quarters.append(
            Quarter(
                quarter_label(scope.fiscal_year, q),
                (plan[f"q{q}"] or ZERO).quantize(Decimal("0.01")),
                row.get("total") or ZERO,
                row.get("n", 0),
                scope.url(
                    "dashboards:projects",
                    status=Status.APPROVED,
                    reported_in=f"{scope.fiscal_year}-{q}",
                ),
            )
        )
    return quarters, plan["n"]


def overdue(user, scope: Scope, today: date | None = None, limit: int = 10) -> dict:
    """Projects with progress reports past their deadline: how many, how many reports, and
    the worst few with their periods (shown with the progress app's overdue table). One
    scan counts them all; the few shown are then read with their schedules."""
    today = today or timezone.localdate()
    late, reports, pks = overdue_summary(projects(user, scope), today, limit)
    worst = Project.objects.filter(pk__in=pks).select_related("agency")
    worst = sorted(worst, key=lambda p: pks.index(p.pk))
    found = reports_of({p.lineage for p in worst}) if worst else {}
    owed = []
    for project in worst:
        periods = [p for p in schedule(project, found.get(project.lineage, []), today)
                   if p.is_overdue]  # fmt: skip
        owed.append(Owed(project, periods))
    return {
        "figure": Figure(
            _("projects with overdue reports"),
            late,
            url=scope.url("dashboards:projects", overdue="true"),
            extra={"reports": reports},
        ),
        "worst": owed,
    }


def fiscal_years(user) -> list[int]:
    """Fiscal years that have projects, newest first (the fiscal-year filter's choices)."""
    return list(
        Project.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
    )


def default_fiscal_year(years: list[int], current: int) -> int:
    """The current fiscal year if it has projects, otherwise the latest one before it."""
    earlier = [y for y in years if y <= current]
    return current if current in years or not earlier else earlier[0]


# The dashboard's database work, by query (the benchmark times each).
QUERIES: dict[str, Callable] = {
    "status × master plan × score (one scan)": summary,
    "plan per quarter": planned,
    "disbursement filed per quarter": filed_by_quarter,
    "overdue reports": overdue,
}


def dashboard(user, scope: Scope) -> dict:
    """Every figure of one dashboard."""
    statuses = by_status(user, scope)
    plans, _unlinked = by_master_plan(user, scope)
    quarters, approved = disbursement(user, scope)
    bands, unscored = score_bands(user, scope)
    return {
        "statuses": statuses,
        "total": Figure(
            _("projects"),
            sum(f.count for f in statuses),
            sum((f.amount for f in statuses), ZERO),
            scope.url("projects:list"),
        ),
        "plans": plans,
        "quarters": quarters,
        "approved": Figure(
            _("approved projects"), approved, url=scope.url("projects:list", status=Status.APPROVED)
        ),
        "bands": bands,
        "unscored": unscored,
        "overdue": overdue(user, scope),
    }
