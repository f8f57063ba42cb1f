"""Reads of progress reports: the reporting schedule of a project (which quarters are due,
filed, accepted or overdue), the project page's section with its charts, list flags, the
agency dashboard and the approver's queue. Every read is scoped by the access policy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import access
from agencies.models import Membership
from core.fiscal import fiscal_quarter, quarter_bounds, quarter_label, quarters_between
from core.states import Status
from projects.models import Project

from . import charts
from .models import FILED, ActivityProgress, BudgetProgress, KPIActual, ProgressReport

Kind = ProgressReport.Kind


def due_days() -> int:
    return settings.PROGRESS_REPORT_DUE_DAYS


def due_date_of(kind: str, fy: int, quarter: int, project) -> date:
    """Quarterly reports are due N days after their quarter ends, the closing report N days
    after the project ends (N = PROGRESS_REPORT_DUE_DAYS)."""
    end = project.end_date if kind == Kind.CLOSING else quarter_bounds(fy, quarter)[1]
    return end + timedelta(days=due_days())


STATE_LABELS = {
    "accepted": _("Accepted"),
    "submitted": _("Submitted, awaiting review"),
    "in_progress": _("Being written"),
    "overdue": _("Overdue"),
    "open": _("Due"),
    "future": _("Not yet"),
    "not_needed": _("Not needed (project completed)"),
}


@dataclass
class Period:
    """One report a project owes: a quarter (or the closing report) and how it stands."""

    kind: str
    fiscal_year: int
    quarter: int
    start: date
    end: date
    due: date
    report: ProgressReport | None
    state: str  # accepted, submitted, in_progress, overdue, open, future, not_needed

    @property
    def label(self) -> str:
        return quarter_label(self.fiscal_year, self.quarter)

    @property
    def is_closing(self) -> bool:
        return self.kind == Kind.CLOSING

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def is_overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def can_start(self) -> bool:
        return self.report is None and self.state in ("open", "overdue")


def schedule(project: Project, reports: list[ProgressReport], today: date) -> list[Period]:
    """Every report the project owes, in order: each quarter it touches, then the closing
    report. Quarters not filed after an accepted closing report are no longer needed."""
    if project.status != Status.APPROVED or not (project.start_date and project.end_date):
        return []
    by_period = {(r.kind, r.fiscal_year, r.quarter): r for r in reports if r.kind == Kind.QUARTERLY}
    closing = next((r for r in reports if r.kind == Kind.CLOSING), None)
    completed = closing is not None and closing.status == Status.APPROVED
    periods = []
    for fy, q in quarters_between(project.start_date, project.end_date):
        start, end = quarter_bounds(fy, q)
        report = by_period.get((Kind.QUARTERLY, fy, q))
        due = due_date_of(Kind.QUARTERLY, fy, q, project)
        periods.append(
            Period(
                Kind.QUARTERLY,
                fy,
                q,
                start,
                end,
                due,
                report,
                _state(report, start, due, today, completed),
            )
        )
    fy, q = (
        (closing.fiscal_year, closing.quarter)
        if closing
        else quarters_between(project.end_date, project.end_date)[0]
    )
    due = due_date_of(Kind.CLOSING, fy, q, project)
    # The closing report is offered from the start of the project's last quarter.
    offered = periods[-1].start if periods else project.start_date
    periods.append(
        Period(
            Kind.CLOSING,
            fy,
            q,
            offered,
            project.end_date,
            due,
            closing,
            _state(closing, offered, due, today, False),
        )
    )
    return periods


def _state(report, start: date, due: date, today: date, completed: bool) -> str:
    if report is not None and report.status == Status.APPROVED:
        return "accepted"
    if report is not None and report.status == Status.SUBMITTED:
        return "submitted"
    if completed:
        return "not_needed"
    if today > due:
        return "overdue"
    if report is not None:
        return "in_progress"
    return "open" if today >= start else "future"


def latest_approved(qs: QuerySet[Project]) -> QuerySet[Project]:
    """The approved revision reports are filed against: per lineage, the highest approved one
    (an approved project stays the reference while its next revision is in review). The
    current revision is the newest, so only an older one (rare) needs the subquery, and SQL
    asks it only for those rows (the dashboards count a whole country)."""
    newer = Project.objects.filter(
        lineage=OuterRef("lineage"), status=Status.APPROVED, revision__gt=OuterRef("revision")
    )
    latest = Q(is_current=True) | (Q(is_current=False) & ~Exists(newer))
    return qs.filter(latest, status=Status.APPROVED)


def is_reportable(project: Project) -> bool:
    return latest_approved(Project.objects.filter(pk=project.pk)).exists()


def reports_of(lineages) -> dict:
    """lineage → its reports (one query)."""
    found = defaultdict(list)
    for report in ProgressReport.objects.filter(lineage__in=list(lineages)):
        found[report.lineage].append(report)
    return found


# --- the project page ------------------------------------------------------------------------


def history(user, project: Project) -> QuerySet[ProgressReport]:
    """The project's reports the user may see, newest period first."""
    qs = access.scope(user, ProgressReport.objects.filter(lineage=project.lineage))
    return qs.select_related("created_by", "submitted_by").order_by(
        "-fiscal_year", "-quarter", "-kind"
    )


def project_section(user, project: Project, today: date | None = None) -> dict:
    """What the project page shows about progress: the schedule with what the user may start,
    the report history and the two charts (planned vs disbursed, KPI target vs actual)."""
    today = today or timezone.localdate()
    reports = list(history(user, project))
    reportable = project.status == Status.APPROVED and is_reportable(project)
    periods = schedule(project, reports, today) if reportable else []
    may_create = reportable and access.can_create_in(user, project.agency)
    filed = [r for r in reports if r.status in FILED]
    filed_ids = [r.pk for r in filed]
    budget_rows = BudgetProgress.objects.filter(report_id__in=filed_ids).select_related("report")
    kpi_rows = KPIActual.objects.filter(report_id__in=filed_ids).select_related("report", "kpi")
    closing = next((p for p in periods if p.is_closing), None)
    return {
        "reportable": reportable,
        "periods": periods,
        "may_create": may_create,
        "reports": reports,
        "completed": bool(closing and closing.state == "accepted"),
        "overdue": [p for p in periods if p.is_overdue],
        "budget_chart": charts.budget_chart(project, periods, list(budget_rows)),
        "kpi_chart": charts.kpi_chart(project, list(kpi_rows)),
    }


# --- the report page -------------------------------------------------------------------------


def reports_full(user) -> QuerySet[ProgressReport]:
    """Reports the user may see (as the progress pages scope them) with their rows: a
    constant number of queries for any page size."""
    qs = access.scope(user, ProgressReport.objects.all()).select_related(
        "project", "project__agency", "agency", "created_by", "submitted_by"
    )
    return qs.prefetch_related(
        Prefetch("activity_rows", queryset=ActivityProgress.objects.select_related("activity")),
        "budget_rows",
        Prefetch("kpi_rows", queryset=KPIActual.objects.select_related("kpi")),
        "attachments",
        "project__budget_lines",
    )


def review_queue_full(user) -> QuerySet[ProgressReport]:
    """``review_queue`` with the rows ``reports_full`` holds (the API's queue)."""
    qs = reports_full(user).filter(access.review_queue_filter(user))
    return qs.order_by("submitted_at", "id")


def report_for_page(user, pk: int) -> ProgressReport:
    """A report the user may see, with its rows; DoesNotExist otherwise (404, not 403)."""
    return reports_full(user).get(pk=pk)


def visible_reports(user) -> QuerySet[ProgressReport]:
    return access.scope(user, ProgressReport.objects.all()).select_related("project", "agency")


def review_queue(user) -> QuerySet[ProgressReport]:
    """Reports waiting for this user's acceptance, oldest submission first."""
    qs = ProgressReport.objects.filter(access.review_queue_filter(user))
    return qs.select_related("project", "agency").order_by("submitted_at", "id")


# --- lists and the dashboard -----------------------------------------------------------------


@dataclass
class Flags:
    overdue: int = 0
    completed: bool = False


def flags_for(projects, today: date | None = None) -> dict[int, Flags]:
    """Project pk → its overdue count and whether it is completed, for a page of a list:
    one query whatever the page size (the projects carry their own dates and status)."""
    today = today or timezone.localdate()
    projects = [p for p in projects if p.status == Status.APPROVED]
    found = reports_of({p.lineage for p in projects})
    flags = {}
    for project in projects:
        periods = schedule(project, found.get(project.lineage, []), today)
        flags[project.pk] = Flags(
            overdue=sum(p.is_overdue for p in periods),
            completed=any(p.is_closing and p.state == "accepted" for p in periods),
        )
    return flags


@dataclass
class Owed:
    """A project with the reports it owes past their deadline."""

    project: Project
    periods: list[Period]

    @property
    def first_due(self) -> date:
        return self.periods[0].due


def overdue_for(user, today: date | None = None, limit: int = 50) -> list[Owed]:
    """Projects with overdue reports in the agencies where the user enters or approves data
    (their dashboard), the longest overdue first."""
    today = today or timezone.localdate()
    g = access.grants(user)
    agency_ids = (
        g.subtrees[Membership.Role.STAFF]
        | g.subtrees[Membership.Role.AGENCY_APPROVER]
        | g.subtrees[Membership.Role.MINISTRY_APPROVER]
    )
    if not agency_ids:
        return []
    projects = list(
        latest_approved(Project.objects.filter(agency__in=agency_ids)).select_related("agency")
    )
    found = reports_of({p.lineage for p in projects})
    owed = []
    for project in projects:
        late = [p for p in schedule(project, found.get(project.lineage, []), today) if p.is_overdue]
        if late:
            owed.append(Owed(project, late))
    owed.sort(key=lambda o: (o.first_due, o.project.pk))
    return owed[:limit]


# --- overdue reports in SQL (the dashboards count them over a whole country) -----------------


class _QuarterIndex(Func):
    """A date's fiscal quarter as one integer, 4 × fiscal year + quarter (as ``quarter_index``):
    fiscal quarters are calendar quarters, the fiscal year being the Buddhist-era year + 1 from
    October, so (month - 1) / 3 + 2 counts from the year's Q1 in October of the year before."""

    output_field = IntegerField()
    template = (
        "(4 * (EXTRACT(YEAR FROM %(expressions)s)::int + 543)"
        " + (EXTRACT(MONTH FROM %(expressions)s)::int - 1) / 3 + 2)"
    )

    def as_sqlite(self, compiler, connection, **extra):
        # The embedded quick start keeps dates as ISO text: YYYY-MM-DD.
        template = (
            "(4 * (CAST(substr(%(expressions)s, 1, 4) AS INTEGER) + 543)"
            " + (CAST(substr(%(expressions)s, 6, 2) AS INTEGER) - 1) / 3 + 2)"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def quarter_index(fy: int, quarter: int) -> int:
    return 4 * fy + quarter


def last_due_quarter(today: date) -> int:
    """The index of the latest quarter whose report deadline has passed by ``today``."""
    fy, q = fiscal_quarter(today)
    while quarter_bounds(fy, q)[1] + timedelta(days=due_days()) >= today:
        fy, q = (fy, q - 1) if q > 1 else (fy - 1, 4)
    return quarter_index(fy, q)


def with_overdue(qs: QuerySet[Project], today: date | None = None) -> QuerySet[Project]:
    """``qs`` narrowed to the reportable projects (the latest approved revision) annotated with
    ``overdue_reports``: what ``schedule`` counts as overdue, computed in SQL. Quarterly
    reports are owed for every quarter from the start up to the end whose deadline has passed,
    less those filed; the closing report once its deadline has passed and until it is filed;
    nothing once the closing report is accepted."""
    today = today or timezone.localdate()
    last_due = last_due_quarter(today)
    # One look-up per project (an index-only scan: only indexed columns are read): its reports,
    # grouped, give the count; a project without any report gets it from its dates alone.
    filed = Q(status__in=FILED)
    summary = (
        ProgressReport.objects.filter(lineage=OuterRef("lineage"))
        .alias(idx=F("fiscal_year") * 4 + F("quarter"))
        .order_by()
        .values("lineage")
        .annotate(
            filed=Count("lineage", filter=filed & Q(
                kind=Kind.QUARTERLY, idx__gte=OuterRef("q_first"), idx__lte=OuterRef("q_last"))),
            closing_filed=Count("lineage", filter=filed & Q(kind=Kind.CLOSING)),
            closing_done=Count("lineage", filter=Q(kind=Kind.CLOSING, status=Status.APPROVED)),
        )
        .annotate(
            owed=Case(
                When(closing_done__gt=0, then=0),
                default=Greatest(OuterRef("q_due") - F("filed"), 0)
                + Case(When(closing_filed=0, then=OuterRef("closing_due")), default=0),
                output_field=IntegerField(),
            )
        )
        .values("owed")
    )  # fmt: skip
    qs = latest_approved(qs).filter(start_date__isnull=False, end_date__isnull=False)
    qs = qs.annotate(
        q_first=_QuarterIndex("start_date"),
        q_last=Least(_QuarterIndex("end_date"), Value(last_due)),
    ).annotate(
        q_due=Greatest(F("q_last") - F("q_first") + 1, 0),
        closing_due=Case(
            When(end_date__lt=today - timedelta(days=due_days()), then=1),
            default=0,
            output_field=IntegerField(),
        ),
    )
    return qs.annotate(overdue_reports=Coalesce(Subquery(summary), F("q_due") + F("closing_due")))


def overdue_summary(
    qs: QuerySet[Project], today: date | None = None, limit: int = 10
) -> tuple[int, int, list[int]]:
    """Over ``qs``'s reportable projects: how many owe overdue reports, how many reports they
    owe, and the pks of the ``limit`` worst (most reports, then the earliest start). One query:
    ``with_overdue``'s count is computed once per project (the derived table is fenced with
    OFFSET 0 so PostgreSQL does not copy the filter's look-up into it) and only the few worst
    rows leave the database, instead of every reportable project for Python to sort."""
    if connection.vendor != "postgresql":
        late = sorted((r for r in _overdue_by_schedule(qs, today) if r[1] > 0),
                      key=lambda r: (-r[1], r[2], r[0]))  # fmt: skip
        return len(late), sum(r[1] for r in late), [r[0] for r in late[:limit]]
    rows = with_overdue(qs, today).order_by().values_list("pk", "overdue_reports", "start_date")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT o.pk, count(*) OVER (), sum(o.owed) OVER ()
                FROM ({sql} OFFSET 0) AS o (pk, owed, start_date)
                WHERE o.owed > 0 ORDER BY o.owed DESC, o.start_date, o.pk LIMIT %s""",  # noqa: S608 (the ORM's SQL, values as parameters)
            [*params, max(limit, 1)],  # one row at least: it carries the totals
        )
        found = cursor.fetchall()
    if not found:
        return 0, 0, []
    return found[0][1], int(found[0][2]), [r[0] for r in found[:limit]]


def _overdue_by_schedule(qs: QuerySet[Project], today: date | None = None) -> list[tuple]:
    """(pk, overdue reports, start date) of ``qs``'s reportable projects from ``schedule``
    itself: the embedded quick start (SQLite cannot group ``with_overdue``'s look-up, which
    refers to the outer row), with its few projects."""
    today = today or timezone.localdate()
    projects = list(latest_approved(qs).filter(start_date__isnull=False, end_date__isnull=False))
    found = reports_of({p.lineage for p in projects})
    return [
        (p.pk, sum(x.is_overdue for x in schedule(p, found.get(p.lineage, []), today)),
         p.start_date)
        for p in projects
    ]  # fmt: skip


def overdue_pks(qs: QuerySet[Project], today: date | None = None):
    """The pks of ``qs``'s projects with overdue reports, to filter a list by: a subquery on
    PostgreSQL, a list elsewhere (see ``_overdue_by_schedule``)."""
    if connection.vendor != "postgresql":
        return [pk for pk, owed, _start in _overdue_by_schedule(qs, today) if owed > 0]
    return with_overdue(qs, today).filter(overdue_reports__gt=0).values("pk")
