"""What a valid progress report is. ``period_problems`` decides whether a report may be
started for a quarter; ``submission_problems`` lists every problem of a filled report at once,
keyed by form field (``budget-0-cumulative`` for the first budget row) so the form shows each
message next to its field. Drafts may be saved with any of these problems."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.fiscal import quarter_bounds
from core.states import Status
from core.thai import format_date
from projects.rules import parse_number

from .models import ActivityProgress, ProgressReport

State = ActivityProgress.State


def allocation_by_source(project) -> dict[str, Decimal]:
    """The money a project was approved with, per budget source (all its fiscal years)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in project.budget_lines.all():
        totals[line.source] += line.amount or Decimal(0)
    return dict(totals)


def period_problems(project, kind: str, fy: int, quarter: int, today: date) -> list[str]:
    """Why a report of ``kind`` for quarter ``quarter`` of ``fy`` cannot be started (empty:
    it can). The project must be approved and the quarter must overlap the project's dates."""
    problems = []
    if project.status != Status.APPROVED:
        problems.append(_("Progress is reported only on approved projects."))
        return problems
    if not (project.start_date and project.end_date):
        problems.append(_("The project has no start and end dates."))
        return problems
    try:
        first, last = quarter_bounds(fy, quarter)
    except ValueError:
        return [_("The quarter must be 1 to 4.")]
    if kind == ProgressReport.Kind.CLOSING:
        if today < project.start_date:
            problems.append(_("A closing report can be filed once the project has started."))
        return problems
    if last < project.start_date:
        problems.append(
            _("Quarter %(q)s of fiscal year %(fy)s ends before the project starts on %(start)s.")
            % {"q": quarter, "fy": fy, "start": format_date(project.start_date)}
        )
    elif first > project.end_date:
        problems.append(
            _("Quarter %(q)s of fiscal year %(fy)s begins after the project ends on %(end)s.")
            % {"q": quarter, "fy": fy, "end": format_date(project.end_date)}
        )
    elif first > today:
        problems.append(
            _("Quarter %(q)s of fiscal year %(fy)s has not begun yet (it begins on %(first)s).")
            % {"q": quarter, "fy": fy, "first": format_date(first)}
        )
    return problems


def parse_actual(text: str, unit: str) -> tuple[Decimal | None, str | None]:
    """A KPI actual as a number in the KPI's unit: "35", "35 กลุ่ม" (the KPI's own unit) are
    fine; "35 คน" for a KPI counted in groups is refused. Returns (value, problem)."""
    text = (text or "").strip()
    unit = (unit or "").strip()
    if not text:
        return None, _("Give the actual value (0 if none yet).")
    value = parse_number(text)
    if value is not None:
        return value, None
    if unit and text.endswith(unit):
        value = parse_number(text[: -len(unit)])
        if value is not None:
            return value, None
    return None, _("Give a number in the KPI's unit (%(unit)s), e.g. 35.") % {"unit": unit or "-"}


def neighbours(report: ProgressReport) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Cumulative disbursement per source in the nearest earlier and the nearest later report
    of the same project (any status, so a later report is never undercut by an earlier one)."""
    others = (
        ProgressReport.objects.filter(lineage=report.lineage, kind=ProgressReport.Kind.QUARTERLY)
        .exclude(pk=report.pk)
        .prefetch_related("budget_rows")
        .order_by("fiscal_year", "quarter")
    )
    me = (report.fiscal_year, report.quarter)
    before: dict[str, Decimal] = {}
    after: dict[str, Decimal] = {}
    for other in others:
        key = (other.fiscal_year, other.quarter)
        rows = {row.source: row.cumulative for row in other.budget_rows.all()}
        if report.is_closing or key < me:
            before.update(rows)  # later ones overwrite: the nearest earlier wins
        elif key > me:
            for source, value in rows.items():
                after.setdefault(source, value)  # the first later one wins
    return before, after


def submission_problems(report: ProgressReport) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = defaultdict(list)
    _check_activities(report, problems)
    _check_budget(report, problems)
    _check_kpis(report, problems)
    if report.is_closing:
        for field in ("outcomes_achieved", "lessons_learned"):
            if not getattr(report, field).strip():
                problems[field].append(_("This field is required in a closing report."))
    return dict(problems)


def _check_activities(report, problems) -> None:
    for i, row in enumerate(report.activity_rows.all()):
        key = f"activities-{i}"
        if row.percent > 100:
            problems[f"{key}-percent"].append(_("The percent done is between 0 and 100."))
        if row.state == State.DONE and row.percent != 100:
            problems[f"{key}-percent"].append(_("A finished activity is 100 percent done."))
        if row.state == State.NOT_STARTED and row.percent != 0:
            problems[f"{key}-percent"].append(_("An activity not started is 0 percent done."))
        if report.is_closing and row.state in (State.NOT_STARTED, State.IN_PROGRESS):
            problems[f"{key}-state"].append(_("At closing, every activity is done or cancelled."))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _check_budget(report, problems) -> None:
    allocation = allocation_by_source(report.project)
    before, after = neighbours(report)
    overrun = []
    for i, row in enumerate(report.budget_rows.all()):
        key = f"budget-{i}"
        label = row.get_source_display()
        previous = before.get(row.source, Decimal(0))
        if row.cumulative < previous:
            problems[f"{key}-cumulative"].append(
                _(
                    "Cumulative disbursement cannot decrease: the previous report already shows "
                    "%(prev)s baht."
                )
                % {"prev": _money(previous)}
            )
        elif not report.is_closing and row.cumulative != previous + row.disbursed:
            problems[f"{key}-cumulative"].append(
                _(
                    "The cumulative disbursement should be %(prev)s baht up to the previous "
                    "quarter plus %(now)s baht in this quarter = %(sum)s baht."
                )
                % {
                    "prev": _money(previous),
                    "now": _money(row.disbursed),
                    "sum": _money(previous + row.disbursed),
                }
            )
        later = after.get(row.source)
        if later is not None and row.cumulative > later:
            problems[f"{key}-cumulative"].append(
                _(
                    "A later report shows only %(later)s baht disbursed in total; cumulative "
                    "disbursement cannot decrease."
                )
                % {"later": _money(later)}
            )
        allowed = allocation.get(row.source, Decimal(0))
        if row.cumulative > allowed:
            overrun.append(
                _("%(source)s: %(sum)s baht disbursed of %(allowed)s baht allocated.")
                % {"source": label, "sum": _money(row.cumulative), "allowed": _money(allowed)}
            )
    if overrun and not report.overrun_reason.strip():
        problems["overrun_reason"].append(
            _("Disbursement exceeds the allocation; explain why.") + " " + " ".join(overrun)
        )


def _check_kpis(report, problems) -> None:
    for i, row in enumerate(report.kpi_rows.all()):
        _value, problem = parse_actual(row.actual_value, row.kpi.unit)
        if problem:
            problems[f"kpis-{i}-actual_value"].append(problem)
