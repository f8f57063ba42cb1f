"""What a complete, consistent project is. ``submission_problems`` lists every problem at
once, keyed by the form field (``kpis-0-unit`` for the first KPI row) so the form shows each
message next to its field. Drafts may be saved with any of these problems."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.fiscal import fiscal_year, fiscal_year_bounds
from core.thai import THAI_DIGITS, format_date
from strategy.models import Edition, Kind, Node

LINKABLE_KINDS = (Kind.MASTER_PLAN, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_number(text: str) -> Decimal | None:
    """A KPI value as a number: Thai digits, thousands separators and spaces allowed."""
    cleaned = (text or "").translate(THAI_DIGITS).replace(",", "").replace(" ", "")
    if not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def covered_years(project) -> tuple[int, int]:
    """The fiscal years a project spans: its own, up to the last year it has budget in."""
    years = [line.fiscal_year for line in project.budget_lines.all() if line.fiscal_year]
    return project.fiscal_year, max([project.fiscal_year, *years])


def submission_problems(project) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = defaultdict(list)

    def need(field: str, value, message: str | None = None) -> None:
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            problems[field].append(message or _("This field is required to submit."))

    for field in ("title", "responsible_name", "start_date", "end_date", "rationale",
                  "objectives", "target_group", "expected_outcomes", "total_budget"):  # fmt: skip
        need(field, getattr(project, field))
    if not (project.contact_email or project.contact_phone):
        problems["contact_phone"].append(_("Give a contact phone or e-mail."))
    if not project.nationwide and not project.provinces.exists():
        problems["provinces"].append(_("Choose the provinces, or mark the project nationwide."))

    _check_dates(project, problems)
    _check_activities(project, problems)
    _check_budget(project, problems)
    _check_kpis(project, problems)
    _check_links(project, problems)
    return dict(problems)


def _check_dates(project, problems) -> None:
    start, end = project.start_date, project.end_date
    if start and end and start > end:
        problems["end_date"].append(_("The end date is before the start date."))
    first_year, last_year = covered_years(project)
    fy_start, _unused = fiscal_year_bounds(first_year)
    _unused, fy_end = fiscal_year_bounds(last_year)
    if start and fiscal_year(start) != project.fiscal_year:
        problems["start_date"].append(
            _("The project starts in fiscal year %(fy)s; the start date must be between "
              "%(first)s and %(last)s.")
            % {"fy": project.fiscal_year, "first": format_date(fy_start),
               "last": format_date(fiscal_year_bounds(first_year)[1])}
        )  # fmt: skip
    if end and end > fy_end:
        problems["end_date"].append(
            _("The end date is after fiscal year %(fy)s, the last year with budget lines.")
            % {"fy": last_year}
        )


def _check_activities(project, problems) -> None:
    activities = list(project.activities.all())
    if not activities:
        problems["activities"].append(_("Add at least one activity."))
    for i, activity in enumerate(activities):
        key = f"activities-{i}"
        if activity.start_date and activity.end_date and activity.start_date > activity.end_date:
            problems[f"{key}-end_date"].append(_("The activity ends before it starts."))
        for field in ("start_date", "end_date"):
            value = getattr(activity, field)
            if value is None:
                problems[f"{key}-{field}"].append(_("Give the activity's dates."))
            elif (project.start_date and value < project.start_date) or (
                project.end_date and value > project.end_date
            ):
                problems[f"{key}-{field}"].append(_("This date is outside the project's dates."))
        if activity.budget is None:
            problems[f"{key}-budget"].append(_("Give the activity's budget (0 if none)."))


def _check_budget(project, problems) -> None:
    lines = list(project.budget_lines.all())
    if not lines:
        problems["budget_lines"].append(_("Add the budget by source and fiscal year."))
    for i, line in enumerate(lines):
        if line.fiscal_year < project.fiscal_year:
            problems[f"budget_lines-{i}-fiscal_year"].append(
                _("Budget cannot come from before the project's fiscal year.")
            )
    total = project.total_budget
    if total is None:
        return
    by_source = sum((line.amount for line in lines), Decimal(0))
    if lines and by_source != total:
        problems["budget_lines"].append(
            _("The budget lines add up to %(sum)s baht, not the total of %(total)s baht.")
            % {"sum": f"{by_source:,.2f}", "total": f"{total:,.2f}"}
        )
    activity_sum = sum((a.budget or Decimal(0) for a in project.activities.all()), Decimal(0))
    if activity_sum != total and not project.budget_difference_reason.strip():
        problems["budget_difference_reason"].append(
            _("The activities add up to %(sum)s baht, not the total of %(total)s baht: "
              "correct them or say why.")
            % {"sum": f"{activity_sum:,.2f}", "total": f"{total:,.2f}"}
        )  # fmt: skip


def _check_kpis(project, problems) -> None:
    kpis = list(project.kpis.all())
    if not kpis:
        problems["kpis"].append(_("Add at least one KPI."))
    for i, kpi in enumerate(kpis):
        if parse_number(kpi.target_value) is None:
            problems[f"kpis-{i}-target_value"].append(_("The target must be a number."))
        if kpi.baseline and parse_number(kpi.baseline) is None:
            problems[f"kpis-{i}-baseline"].append(_("The baseline must be a number."))
        if not kpi.unit.strip():
            problems[f"kpis-{i}-unit"].append(_("Give the unit of the target."))


def _check_links(project, problems) -> None:
    links = list(project.links.all())
    primary = next((link for link in links if link.is_primary), None)
    edition = project.edition
    if primary is None:
        problems["y1"].append(_("Choose the Y1 target the project serves (the primary link)."))
    else:
        problems_of_primary = primary_link_problems(primary.node, primary.factor, edition)
        for field, messages in problems_of_primary.items():
            problems[field].extend(messages)
    for link in links:
        node_edition = link.node.edition
        if (not link.is_primary and node_edition.family == Edition.Family.MASTER_PLAN
                and edition is not None and node_edition.pk != edition.pk):  # fmt: skip
            problems["secondary_links"].append(
                _("%(node)s belongs to another edition than fiscal year %(fy)s.")
                % {"node": link.node, "fy": project.fiscal_year}
            )


def primary_link_problems(node: Node, factor: Node | None, edition) -> dict[str, list[str]]:
    """The chain check: the node is in the fiscal year's edition and at the deepest loaded
    level, and the factor (if any) belongs to that Y1 target."""
    problems: dict[str, list[str]] = defaultdict(list)
    if edition is None:
        problems["y1"].append(_("No master-plan edition covers this fiscal year."))
    elif node.edition_id != edition.pk:
        problems["y1"].append(
            _("The target belongs to %(edition)s, but the project's fiscal year links to "
              "%(expected)s.") % {"edition": node.edition, "expected": edition}
        )  # fmt: skip
    if node.kind not in LINKABLE_KINDS:
        problems["y1"].append(_("The primary link must be a master plan, sub-plan or Y1 target."))
    elif (
        node.kind != Kind.SUB_PLAN_TARGET
        and node.children.filter(kind__in=(Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET)).exists()
    ):
        problems["y1"].append(_("Choose the Y1 target below the chosen plan."))
    if factor is not None:
        component = factor.parent
        if factor.kind != Kind.FACTOR or component is None or component.parent_id != node.pk:
            problems["factor"].append(
                _("The factor %(factor)s does not belong to the chosen Y1 target.")
                % {"factor": factor}
            )
    elif (
        node.kind == Kind.SUB_PLAN_TARGET
        and Node.objects.filter(kind=Kind.FACTOR, parent__parent=node).exists()
    ):
        problems["factor"].append(_("Choose the value-chain factor the project acts on."))
    return dict(problems)
