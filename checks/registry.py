"""The checks. Each is one set-based SQL query that returns ``(project_id, params)`` for every
project in scope that has the problem, so a run over the whole country costs a few queries,
not a loop over projects. ``{scope}`` is a condition on the alias ``p`` (projects_project)
that limits a run to an agency subtree or to the projects just saved.

The rules mirror what ``projects.rules`` asks before a submission and what
``progress.selectors.schedule`` calls overdue, written as SQL over all projects at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.thai import format_date

from .models import Severity


class Category:
    COMPLETENESS = gettext_noop("Completeness")
    CONSISTENCY = gettext_noop("Consistency")
    TIMELINESS = gettext_noop("Timeliness")
    LINKAGE = gettext_noop("Linkage")


@dataclass(frozen=True)
class Check:
    code: str
    category: str
    severity: str
    label: str  # the check's name in filters and lists
    message: str  # what the project must fix, with %(param)s from the query
    sql: str


# Plain strings, not f-strings: the only text put into them at run time is ``{scope}``, a
# condition this module's caller builds from its own constants; values go as parameters.
# A date's Buddhist-era fiscal year is written out as "year + (October or later) + 543".

CHECKS: tuple[Check, ...] = (
    Check(
        "kpi_unit_missing",
        Category.COMPLETENESS,
        Severity.WARNING,
        gettext_noop("KPI without a unit"),
        gettext_noop("%(count)s KPI(s) have no unit of measure."),
        """SELECT k.project_id, jsonb_build_object('count', count(*))
        FROM projects_kpi k JOIN projects_project p ON p.id = k.project_id
        WHERE p.is_current AND ({scope}) AND btrim(k.unit) = ''
        GROUP BY k.project_id""",
    ),
    Check(
        "no_primary_link",
        Category.COMPLETENESS,
        Severity.ERROR,
        gettext_noop("No primary link"),
        gettext_noop("The project names no Y1 target it serves (no primary strategy link)."),
        """SELECT p.id, '{}'::jsonb FROM projects_project p
        WHERE p.is_current AND ({scope}) AND NOT EXISTS (
            SELECT 1 FROM projects_strategylink l WHERE l.project_id = p.id AND l.is_primary)""",
    ),
    Check(
        "activity_budget_missing",
        Category.COMPLETENESS,
        Severity.WARNING,
        gettext_noop("Activity without a budget"),
        gettext_noop("%(count)s activity(ies) have no budget (enter 0 if none)."),
        """SELECT a.project_id, jsonb_build_object('count', count(*))
        FROM projects_activity a JOIN projects_project p ON p.id = a.project_id
        WHERE p.is_current AND ({scope}) AND a.budget IS NULL
        GROUP BY a.project_id""",
    ),
    Check(
        "budget_lines_total",
        Category.CONSISTENCY,
        Severity.ERROR,
        gettext_noop("Budget lines do not add up"),
        gettext_noop("The budget lines add up to %(sum)s baht, not the total of %(total)s baht."),
        """SELECT p.id, jsonb_build_object('sum', s.amount::text, 'total', p.total_budget::text)
        FROM projects_project p
        JOIN LATERAL (SELECT sum(b.amount) AS amount FROM projects_budgetline b
                      WHERE b.project_id = p.id) s ON true
        WHERE p.is_current AND ({scope}) AND p.total_budget IS NOT NULL AND s.amount IS NOT NULL
          AND s.amount <> p.total_budget""",
    ),
    Check(
        "activity_budget_total",
        Category.CONSISTENCY,
        Severity.WARNING,
        gettext_noop("Activity budgets do not add up"),
        gettext_noop(
            "The activities add up to %(sum)s baht, not the total of %(total)s baht, and no "
            "reason is given."
        ),
        """SELECT p.id, jsonb_build_object('sum', s.amount::text, 'total', p.total_budget::text)
        FROM projects_project p
        JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(a.budget), 0) AS amount
                      FROM projects_activity a WHERE a.project_id = p.id) s ON true
        WHERE p.is_current AND ({scope}) AND p.total_budget IS NOT NULL AND s.n > 0
          AND s.amount <> p.total_budget AND btrim(p.budget_difference_reason) = ''""",
    ),
    Check(
        "dates_outside_fiscal_year",
        Category.CONSISTENCY,
        Severity.ERROR,
        gettext_noop("Dates outside the fiscal years"),
        gettext_noop(
            "The project runs %(start_date)s – %(end_date)s, outside fiscal year %(fy)s (start) "
            "to %(last_fy)s (the last year with budget lines)."
        ),
        """SELECT p.id, jsonb_build_object(
                'fy', p.fiscal_year, 'last_fy', y.last_fy,
                'start_date', p.start_date, 'end_date', p.end_date)
        FROM projects_project p
        JOIN LATERAL (SELECT greatest(p.fiscal_year, max(b.fiscal_year)) AS last_fy
                      FROM projects_budgetline b WHERE b.project_id = p.id) y ON true
        WHERE p.is_current AND ({scope}) AND (
            (p.start_date IS NOT NULL AND (extract(year from p.start_date)::int + 543
                + CASE WHEN extract(month from p.start_date) >= 10 THEN 1 ELSE 0 END)
                <> p.fiscal_year)
            OR (p.end_date IS NOT NULL AND p.end_date > make_date(y.last_fy - 543, 9, 30)))""",
    ),
    Check(
        "link_retired_edition",
        Category.CONSISTENCY,
        Severity.ERROR,
        gettext_noop("Link to a retired edition"),
        gettext_noop(
            "The project links to %(edition)s, an edition no longer in force in fiscal year %(fy)s."
        ),
        """SELECT p.id, jsonb_build_object('edition', min(e.title_th), 'fy', p.fiscal_year)
        FROM projects_project p
        JOIN projects_strategylink l ON l.project_id = p.id
        JOIN strategy_node n ON n.id = l.node_id
        JOIN strategy_edition e ON e.id = n.edition_id
        WHERE p.is_current AND ({scope}) AND e.family = 'master_plan'
          AND e.fiscal_year_to IS NOT NULL AND e.fiscal_year_to < p.fiscal_year
        GROUP BY p.id""",
    ),
    Check(
        "link_other_edition",
        Category.CONSISTENCY,
        Severity.ERROR,
        gettext_noop("Link to another edition"),
        gettext_noop(
            "The project links to %(edition)s, which is not the edition of fiscal year %(fy)s."
        ),
        """SELECT p.id, jsonb_build_object('edition', min(e.title_th), 'fy', p.fiscal_year)
        FROM projects_project p
        JOIN projects_strategylink l ON l.project_id = p.id
        JOIN strategy_node n ON n.id = l.node_id
        JOIN strategy_edition e ON e.id = n.edition_id
        WHERE p.is_current AND ({scope}) AND e.family = 'master_plan'
          AND NOT (e.fiscal_year_to IS NOT NULL AND e.fiscal_year_to < p.fiscal_year)
          AND NOT (e.fiscal_year_from IS NOT NULL AND e.fiscal_year_from <= p.fiscal_year
                   AND p.fiscal_year <= coalesce(e.fiscal_year_to, 9999))
        GROUP BY p.id""",
    ),
    Check(
        "progress_overdue",
        Category.TIMELINESS,
        Severity.ERROR,
        gettext_noop("Overdue progress reports"),
        gettext_noop(
            "%(count)s progress report(s) are overdue; the first was due on %(first_due)s."
        ),
        # The approved revision reports are filed against (the highest approved per lineage),
        # every quarter its dates touch and the closing report, minus what was filed; a
        # project whose closing report was accepted owes nothing more.
        """WITH rep AS (
            SELECT p.id, p.lineage, p.start_date, p.end_date FROM projects_project p
            WHERE p.status = 'approved' AND ({scope})
              AND p.start_date IS NOT NULL AND p.end_date IS NOT NULL
              AND p.start_date <= p.end_date
              AND p.revision = (SELECT max(q.revision) FROM projects_project q
                                WHERE q.lineage = p.lineage AND q.status = 'approved')
              AND NOT EXISTS (SELECT 1 FROM progress_progressreport r
                              WHERE r.lineage = p.lineage AND r.kind = 'closing'
                                AND r.status = 'approved')
        ), periods AS (
            SELECT rep.id, rep.lineage, 'quarterly' AS kind,
                   (extract(year from qs)::int + 543
                   + CASE WHEN extract(month from qs) >= 10 THEN 1 ELSE 0 END) AS fy,
                   ((extract(month from qs)::int + 2) %% 12) / 3 + 1 AS quarter,
                   (qs + interval '3 months' - interval '1 day')::date + %(due_days)s AS due
            FROM rep, generate_series(date_trunc('quarter', rep.start_date),
                                      rep.end_date::timestamp, interval '3 months') AS qs
            UNION ALL
            SELECT rep.id, rep.lineage, 'closing', NULL, NULL, rep.end_date + %(due_days)s
            FROM rep
        )
        SELECT d.id, jsonb_build_object('count', count(*), 'first_due', min(d.due))
        FROM periods d
        WHERE d.due < %(today)s AND NOT EXISTS (
            SELECT 1 FROM progress_progressreport r
            WHERE r.lineage = d.lineage AND r.kind = d.kind
              AND r.status IN ('submitted', 'approved')
              AND (d.kind = 'closing' OR (r.fiscal_year = d.fy AND r.quarter = d.quarter)))
        GROUP BY d.id""",
    ),
    Check(
        "weak_linkage",
        Category.LINKAGE,
        Severity.WARNING,
        gettext_noop("Weak linkage"),
        gettext_noop(
            "%(count)s declared link(s) score below the linkage threshold or break the chain "
            "(lowest score %(lowest)s of 100)."
        ),
        # Scores of links the project still declares (a stale score waits for its rescore).
        """SELECT p.id, jsonb_build_object('count', count(*), 'lowest', min(s.score))
        FROM projects_project p
        JOIN linkage_linkscore s ON s.project_id = p.id
        WHERE p.is_current AND ({scope}) AND (s.score < %(weak_below)s OR NOT s.chain_ok)
          AND EXISTS (SELECT 1 FROM projects_strategylink l
                      WHERE l.project_id = p.id AND l.node_id = s.node_id)
        GROUP BY p.id""",
    ),
)

BY_CODE = {check.code: check for check in CHECKS}
_MONEY_KEYS = {"sum", "total"}
_DATE_KEYS = {"start_date", "end_date", "first_due"}


def _shown(key: str, value) -> str:
    if value is None:
        return "–"
    if key in _MONEY_KEYS:
        try:
            return f"{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if key in _DATE_KEYS:
        try:
            return format_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    return str(value)


def describe(code: str, params: dict) -> str:
    """The finding's message in the active language, with its numbers and dates as Thai
    readers write them."""
    check = BY_CODE.get(code)
    if check is None:
        return code
    values = {key: _shown(key, value) for key, value in (params or {}).items()}
    try:
        return _(check.message) % values
    except (KeyError, TypeError, ValueError):
        return _(check.label)


def label(code: str) -> str:
    check = BY_CODE.get(code)
    return _(check.label) if check else code


def choices() -> list[tuple[str, str]]:
    return [(check.code, _(check.label)) for check in CHECKS]
