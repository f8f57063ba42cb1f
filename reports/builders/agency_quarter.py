"""Report 3, the agency quarterly report (PDF): the projects of an agency and the units below
it that run in a quarter of a fiscal year, and how each stands: its progress report for the
quarter, activities, disbursement in the quarter and to date against its allocation, KPI
actuals against targets, problems, and the reports it owes (missing or overdue).

Only filed reports (submitted or accepted) give figures, as in the portfolio: a draft is
still being written. Every read goes through the access policy with the owner's grants."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import Agency
from core.fiscal import quarter_bounds
from core.thai import format_date
from progress.models import ActivityProgress, KPIActual, ProgressReport
from progress.rules import allocation_by_source
from progress.selectors import STATE_LABELS, Period, schedule
from projects.models import BudgetLine, Project
from projects.selectors import visible_projects

CHUNK = 200
# Above this many projects the report comes in its compact form: one row per project, subtotals
# per unit, the reports owed, and no per-project details (2/3 of a page each, 0.4 s of layout a
# page on the 2-core machine: a 632-project ministry took 414 pages, 187 s and 1 GB).
DETAILS_UP_TO = 100
# The compact form is laid out in documents of at most this many table rows (projects or
# reports owed), one after the other, so memory stays flat however big the ministry.
ROWS_PER_PART = 300
FISCAL_YEARS = (2561, 2600)  # as the master-plan form accepts
# Period states that mean "the agency still owes this report".
OWED = ("overdue", "open", "in_progress")
Progress = Callable[[int, int], None]
Quarterly = ProgressReport.Kind.QUARTERLY


# --- the filters ------------------------------------------------------------------------------


def agency_for(user, filters: dict) -> Agency:
    """The report's agency if ``user`` may see it; Agency.DoesNotExist otherwise."""
    try:
        pk = int(filters.get("agency"))
    except (TypeError, ValueError) as exc:
        raise Agency.DoesNotExist from exc
    return access.visible_agencies(user).get(pk=pk)


def clean_filters(user, filters: dict, today: date | None = None) -> dict:
    """The filters as the job keeps them, or ValidationError keyed by field with messages a
    user reads: an agency they may not see, a year or quarter that does not exist or has
    not begun."""
    errors: dict[str, str] = {}
    agency = None
    try:
        agency = agency_for(user, filters)
    except Agency.DoesNotExist:
        errors["agency"] = _("You may not see the reports of this agency, or it does not exist.")
    fiscal_year = _int(filters.get("fiscal_year"))
    if fiscal_year is None or not FISCAL_YEARS[0] <= fiscal_year <= FISCAL_YEARS[1]:
        errors["fiscal_year"] = _(
            "Enter a fiscal year in the Buddhist era, from %(first)s to %(last)s."
        ) % {"first": FISCAL_YEARS[0], "last": FISCAL_YEARS[1]}
    quarter = _int(filters.get("quarter"))
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("The quarter must be 1 to 4.")
    elif "fiscal_year" not in errors:
        first, _last = quarter_bounds(fiscal_year, quarter)
        if first > (today or timezone.localdate()):
            errors["quarter"] = _(
                "Quarter %(q)s of fiscal year %(fy)s has not begun yet (it begins on %(first)s)."
            ) % {"q": quarter, "fy": fiscal_year, "first": format_date(first)}
    if errors:
        raise ValidationError(errors)
    return {"agency": agency.pk, "fiscal_year": fiscal_year, "quarter": quarter}


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# --- the figures ------------------------------------------------------------------------------


@dataclass
class SourceRow:
    """One budget source of a project: its allocation, what was disbursed in the quarter and
    what was disbursed to date (None: no filed report says)."""

    label: str
    allocation: Decimal
    disbursed: Decimal | None
    cumulative: Decimal | None


def _percent(part: Decimal | None, whole: Decimal) -> Decimal | None:
    if part is None or not whole:
        return None
    return (100 * part / whole).quantize(Decimal("0.1"))


@dataclass
class ProjectProgress:
    project: Project
    period: Period | None  # the quarter in the project's reporting schedule
    report: ProgressReport | None  # the quarter's filed report
    cumulative_from: ProgressReport | None  # the latest filed report up to the quarter
    budget: list[SourceRow]
    owed: list[Period]

    @property
    def state_label(self) -> str:
        return self.period.state_label if self.period else str(STATE_LABELS["future"])

    @property
    def activities(self) -> list[ActivityProgress]:
        return list(self.report.activity_rows.all()) if self.report else []

    @property
    def kpis(self) -> list[KPIActual]:
        return list(self.report.kpi_rows.all()) if self.report else []

    @property
    def activity_percent(self) -> Decimal | None:
        """The mean percent done of the activities the quarter's report lists."""
        rows = self.activities
        if not rows:
            return None
        return (Decimal(sum(r.percent for r in rows)) / len(rows)).quantize(Decimal("0.1"))

    @property
    def activities_done(self) -> int:
        return sum(r.state == ActivityProgress.State.DONE for r in self.activities)

    @property
    def kpis_met(self) -> int:
        """The KPIs whose actual value reaches a numeric target (a text target is not counted
        as met: nothing says it is)."""
        return sum(_met(k.actual_value, k.kpi.target_value) for k in self.kpis)

    @property
    def is_overdue(self) -> bool:
        return any(p.state == "overdue" for p in self.owed)

    @property
    def allocation(self) -> Decimal:
        return sum((s.allocation for s in self.budget), Decimal(0))

    @property
    def disbursed(self) -> Decimal | None:
        return None if self.report is None else _sum(s.disbursed for s in self.budget)

    @property
    def cumulative(self) -> Decimal | None:
        return None if self.cumulative_from is None else _sum(s.cumulative for s in self.budget)

    @property
    def cumulative_percent(self) -> Decimal | None:
        return _percent(self.cumulative, self.allocation)

    @property
    def cumulative_as_of(self) -> str:
        """The quarter an older cumulative figure comes from ("" when it is this quarter's)."""
        if self.cumulative_from is None or self.cumulative_from == self.report:
            return ""
        return self.cumulative_from.short_label


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(str(text).replace(",", "").strip())
    except ArithmeticError:
        return None


def _met(actual: str, target: str) -> bool:
    a, t = _number(actual), _number(target)
    return a is not None and t is not None and a >= t


def _sum(values) -> Decimal:
    return sum((v or Decimal(0) for v in values), Decimal(0))


@dataclass
class UnitTotals:
    agency: Agency
    projects: int = 0
    allocation: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    cumulative: Decimal = Decimal(0)
    filed: int = 0
    owed: int = 0

    def add(self, p: ProjectProgress) -> None:
        self.projects += 1
        self.allocation += p.allocation
        self.disbursed += p.disbursed or Decimal(0)
        self.cumulative += p.cumulative or Decimal(0)
        self.filed += p.report is not None
        self.owed += len(p.owed)

    @property
    def cumulative_percent(self) -> Decimal | None:
        return _percent(self.cumulative, self.allocation)


@dataclass
class QuarterReport:
    agency: Agency
    fiscal_year: int
    quarter: int
    first: date
    last: date
    today: date
    projects: list[ProjectProgress] = field(default_factory=list)

    @property
    def compact(self) -> bool:
        """The compact form: too many projects for their details."""
        return len(self.projects) > DETAILS_UP_TO

    @property
    def units(self) -> list[UnitTotals]:
        by_unit: dict[int, UnitTotals] = {}
        for p in self.projects:
            agency = p.project.agency
            by_unit.setdefault(agency.pk, UnitTotals(agency)).add(p)
        return sorted(by_unit.values(), key=lambda u: u.agency.code)

    @property
    def total(self) -> UnitTotals:
        out = UnitTotals(self.agency)
        for p in self.projects:
            out.add(p)
        return out

    @property
    def states(self) -> list[tuple[str, int]]:
        """How the quarter's reports stand: (label, number of projects), in schedule order."""
        counts = Counter(p.period.state if p.period else "future" for p in self.projects)
        return [(str(STATE_LABELS[s]), counts[s]) for s in STATE_LABELS if counts[s]]

    @property
    def owed(self) -> list[tuple[ProjectProgress, Period]]:
        return [(p, period) for p in self.projects for period in p.owed]


def projects_of(user, agency: Agency, first: date, last: date):
    """The approved projects of ``agency`` and the units below it that ``user`` may see and
    that run in the period (the revision progress is reported against)."""
    from progress.selectors import latest_approved

    subtree = Agency.objects.descendants(agency, include_self=True)
    running = Project.objects.filter(agency__in=subtree, start_date__lte=last, end_date__gte=first)
    return latest_approved(access.scope(user, running))


def collect(user, filters: dict, on_progress: Progress, today: date | None = None):
    """The report's figures; Agency.DoesNotExist when the owner may no longer see the agency."""
    agency = agency_for(user, filters)
    fy, quarter = int(filters["fiscal_year"]), int(filters["quarter"])
    first, last = quarter_bounds(fy, quarter)
    today = today or timezone.localdate()
    found = QuarterReport(agency, fy, quarter, first, last, today)
    ids = list(
        projects_of(user, agency, first, last)
        .order_by("agency__code", "title", "id")
        .values_list("id", flat=True)
    )
    total = len(ids)
    on_progress(0, total)
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        found.projects.extend(_chunk(user, chunk, fy, quarter, last, today))
        on_progress(min(start + CHUNK, total), total)
    return found


def _chunk(user, ids: list[int], fy: int, quarter: int, last: date, today: date):
    """The projects of ``ids`` in that order, in a constant number of queries."""
    projects = Project.objects.filter(pk__in=ids).select_related("agency")
    projects = {p.pk: p for p in projects.prefetch_related("budget_lines")}
    reports = defaultdict(list)
    lineages = {p.lineage for p in projects.values()}
    # The owner's view of the reports: a draft they may not see counts as not begun.
    for report in access.scope(user, ProgressReport.objects.filter(lineage__in=lineages)):
        reports[report.lineage].append(report)

    picked = {}
    for pk in ids:
        project = projects[pk]
        periods = schedule(project, reports[project.lineage], today)
        period = next(
            (
                p
                for p in periods
                if p.kind == Quarterly and (p.fiscal_year, p.quarter) == (fy, quarter)
            ),
            None,
        )
        filed = [
            r for r in reports[project.lineage]
            if r.kind == Quarterly and r.is_filed and (r.fiscal_year, r.quarter) <= (fy, quarter)
        ]  # fmt: skip
        latest = max(filed, key=lambda r: (r.fiscal_year, r.quarter), default=None)
        this = latest if latest and (latest.fiscal_year, latest.quarter) == (fy, quarter) else None
        owed = [
            p for p in periods
            if p.state in OWED and (
                (p.kind == Quarterly and (p.fiscal_year, p.quarter) <= (fy, quarter))
                or (p.is_closing and p.end <= last)
            )
        ]  # fmt: skip
        picked[pk] = (period, this, latest, owed)

    # The rows of the reports that give figures, fetched once for the chunk.
    wanted = {r.pk for _p, this, latest, _o in picked.values() for r in (this, latest) if r}
    full = {
        r.pk: r
        for r in ProgressReport.objects.filter(pk__in=wanted).prefetch_related(
            Prefetch("activity_rows", queryset=ActivityProgress.objects.select_related("activity")),
            "budget_rows",
            Prefetch("kpi_rows", queryset=KPIActual.objects.select_related("kpi")),
        )
    }
    out = []
    for pk in ids:
        period, this, latest, owed = picked[pk]
        this, latest = full.get(this.pk) if this else None, full.get(latest.pk) if latest else None
        out.append(
            ProjectProgress(projects[pk], period, this, latest, _budget(projects[pk], this, latest),
                            owed)
        )  # fmt: skip
    return out


def _budget(project: Project, this, latest) -> list[SourceRow]:
    allocation = allocation_by_source(project)
    in_quarter = {r.source: r.disbursed for r in this.budget_rows.all()} if this else {}
    to_date = {r.source: r.cumulative for r in latest.budget_rows.all()} if latest else {}
    rows = []
    for source, label in BudgetLine.Source.choices:
        if source not in allocation and source not in in_quarter and source not in to_date:
            continue
        rows.append(
            SourceRow(
                str(label),
                allocation.get(source, Decimal(0)),
                in_quarter.get(source, Decimal(0)) if this else None,
                to_date.get(source, Decimal(0)) if latest else None,
            )
        )
    return rows


# --- the PDF ----------------------------------------------------------------------------------


def render(user, filters: dict, path: Path, on_progress: Progress) -> int:
    """Write the PDF; returns the number of projects in it. Up to DETAILS_UP_TO projects it
    has each project's details; above, the compact form (the header says which and why)."""
    from django.template.loader import render_to_string

    from ..pdf import render_pdf_chunks

    # Gathering the figures is the first half of the bar, laying out the pages the second.
    found = collect(user, filters, lambda done, total: on_progress(done, 2 * max(total, 1)))
    context = {
        "report": found,
        "total": found.total,
        "printed": format_date(timezone.now(), long=True),
        "printed_by": user.get_full_name() or user.username,
        "other_projects": _not_running(user, found),
        "details_up_to": DETAILS_UP_TO,
        "no_page_number": True,  # numbered across the parts by render_pdf_chunks
    }
    template = "reports/pdf/agency_quarter.html"
    parts = (render_to_string(template, {**context, "part": part}) for part in _parts(found))
    numbering = lambda pages: render_to_string(  # noqa: E731
        "reports/pdf/_page_numbers.html", {"pages": range(pages)}
    )
    if found.compact:  # measured: about 18 project rows and 25 owed rows a page
        pages = 2 + len(found.projects) // 18 + len(found.owed) // 25
    else:  # the summary and the lists take a page or two; each project's details 2/3 of one
        pages = 2 + len(found.projects) * 2 // 3
    with open(path, "wb") as out:
        render_pdf_chunks(
            parts, numbering, out, lambda d, t: on_progress(t + d, 2 * t), pages_hint=pages
        )
    return len(found.projects)


@dataclass
class UnitRows:
    """A unit's project rows in one part of the compact form; its subtotal on the last part."""

    totals: UnitTotals
    rows: list[tuple[int, ProjectProgress]]
    subtotal: bool


def _parts(found: QuarterReport):
    """What each document of the report shows: the whole report in one when it has the
    details; in the compact form the summary, then the project rows by unit and the reports
    owed, ROWS_PER_PART rows at most in a document (a unit is cut only when it alone has more)."""
    if not found.compact:
        yield {"head": True, "projects": list(enumerate(found.projects, 1)), "owed": found.owed,
               "owed_first": True, "details": True}  # fmt: skip
        return
    units = {u.agency.pk: u for u in found.units}
    groups: list[UnitRows] = []
    part: dict = {"head": True, "groups": groups, "first_rows": True}
    rows = 0
    numbered = list(enumerate(found.projects, 1))
    start = 0
    while start < len(numbered):
        unit = numbered[start][1].project.agency_id
        end = start
        while end < len(numbered) and numbered[end][1].project.agency_id == unit:
            end += 1
        # The unit's rows, cut into pieces when they do not fit what is left of the part.
        while start < end:
            room = ROWS_PER_PART - rows
            if room <= 0 or (end - start > room and rows):
                yield part
                groups, rows = [], 0
                part = {"groups": groups}
                continue
            take = min(room, end - start)
            piece = numbered[start : start + take]
            groups.append(UnitRows(units[unit], piece, start + take == end))
            rows += take
            start += take
    owed = found.owed
    if not owed:
        part["owed"], part["owed_first"] = [], True
        yield part
        return
    for first in range(0, len(owed), ROWS_PER_PART):
        piece = owed[first : first + ROWS_PER_PART]
        if rows + len(piece) > ROWS_PER_PART and rows:
            yield part
            part, rows = {}, 0
        part["owed"], part["owed_first"] = piece, first == 0
        rows += len(piece)
    yield part


def _not_running(user, found: QuarterReport) -> int:
    """Projects of the fiscal year in the agency's subtree that owe no report for the quarter
    (not approved yet, or not running in it), so the reader knows the list is not all."""
    subtree = Agency.objects.descendants(found.agency, include_self=True)
    of_year = visible_projects(user).filter(agency__in=subtree, fiscal_year=found.fiscal_year)
    listed = {p.project.lineage for p in found.projects}
    return of_year.exclude(lineage__in=listed).count()
