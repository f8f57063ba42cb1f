"""Report 2, the master-plan summary of a fiscal year: per master plan, sub-plan and Y1
target of the edition in force, the projects the owner may see whose primary link is there,
their agencies, budget and disbursement to date, how well they align (the distribution of
their primary-link scores), and the Y1 targets no project serves.

``summary`` is the one place these figures are computed; the XLSX (``rows``) and the PDF
(``render``) only lay them out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from linkage.models import LinkScore
from strategy.models import Edition, Kind, Node
from strategy.selectors import edition_for_fiscal_year, edition_tree

from . import portfolio

LEVELS = (Kind.MASTER_PLAN, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET)
CHUNK = 1000
# Alignment-score bands (lower bound inclusive, upper exclusive): the first is what the
# linkage pages call weak, so the columns read the same as the gap page.
SCORE_BANDS = ((0, LinkScore.WEAK_BELOW), (LinkScore.WEAK_BELOW, 60), (60, 101))

Progress = Callable[[int, int], None]


@dataclass
class Totals:
    projects: int = 0
    agencies: set = field(default_factory=set)
    budget: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    bands: list[int] = field(default_factory=lambda: [0] * len(SCORE_BANDS))
    unscored: int = 0  # projects whose primary link has no score yet
    uncovered: int = 0  # Y1 targets below (or this one) without a project

    def add_score(self, score: int | None) -> None:
        if score is None:
            self.unscored += 1
            return
        for i, (low, high) in enumerate(SCORE_BANDS):
            if low <= score < high:
                self.bands[i] += 1
                return


@dataclass
class SummaryRow:
    node: Node
    totals: Totals

    @property
    def depth(self) -> int:
        return LEVELS.index(self.node.kind)


@dataclass
class Summary:
    edition: Edition | None
    fiscal_year: int | None
    rows: list[SummaryRow]

    @property
    def total(self) -> Totals:
        """The whole edition: the master plans added up (a project has one primary link, so
        it counts in one master plan; agencies are counted once)."""
        out = Totals()
        for row in self.rows:
            if row.node.kind != Kind.MASTER_PLAN:
                continue
            t = row.totals
            out.projects += t.projects
            out.agencies |= t.agencies
            out.budget += t.budget
            out.disbursed += t.disbursed
            out.bands = [a + b for a, b in zip(out.bands, t.bands, strict=True)]
            out.unscored += t.unscored
            out.uncovered += t.uncovered
        return out


def band_labels() -> list[str]:
    return [
        _("score %(low)s–%(high)s") % {"low": low, "high": min(high - 1, 100)}
        for low, high in SCORE_BANDS
    ]


def headers() -> list[str]:
    return [
        _("level"), _("code"), _("title"), _("projects"), _("agencies"),
        _("total budget (baht)"), _("disbursed to date (baht)"), _("Y1 targets without a project"),
        *band_labels(), _("not scored yet"),
    ]  # fmt: skip


def edition_of(filters: dict) -> Edition | None:
    try:
        fiscal_year = int(filters.get("fiscal_year"))
    except (TypeError, ValueError):
        return None
    return edition_for_fiscal_year(Edition.Family.MASTER_PLAN, fiscal_year)


def summary(user, filters: dict, on_progress: Progress) -> Summary:
    """Every master plan, sub-plan and Y1 target of the edition in force in the fiscal year,
    in tree order, with the totals of the projects ``user`` may see that serve it."""
    edition = edition_of(filters)
    if edition is None:
        return Summary(None, None, [])
    fiscal_year = int(filters["fiscal_year"])
    nodes = [n for n in edition_tree(edition) if n.kind in LEVELS]
    parent_of = {n.pk: n.parent_id for n in nodes}
    totals: dict[int, Totals] = defaultdict(Totals)

    # Projects of the year, by their primary link (values(): no model instances to hold).
    projects = portfolio.portfolio_queryset(user, {"fiscal_year": fiscal_year})
    score = LinkScore.objects.filter(project=OuterRef("pk"), is_primary=True).values("score")
    links = list(
        projects.filter(links__is_primary=True, links__node__edition=edition)
        .annotate(primary_score=Subquery(score[:1]))
        .values_list("pk", "lineage", "agency_id", "total_budget", "links__node_id",
                     "primary_score")
    )  # fmt: skip
    total = len(links)
    on_progress(0, total)
    for start in range(0, total, CHUNK):
        chunk = links[start : start + CHUNK]
        disbursed = portfolio._disbursement(user, {lineage for _pk, lineage, *_rest in chunk})
        for _pk, lineage, agency_id, budget, node_id, value in chunk:
            # Add the project to its node and every summarised level above it.
            node = node_id if node_id in parent_of else _nearest(node_id, parent_of)
            while node is not None:
                t = totals[node]
                t.projects += 1
                t.agencies.add(agency_id)
                t.budget += budget or Decimal(0)
                t.disbursed += disbursed.get(lineage, (Decimal(0),))[0]
                t.add_score(value)
                node = parent_of.get(node)
        on_progress(min(start + CHUNK, total), total)

    for n in nodes:
        if n.kind == Kind.SUB_PLAN_TARGET and not totals[n.pk].projects:
            node = n.pk
            while node is not None:
                totals[node].uncovered += 1
                node = parent_of.get(node)
    return Summary(edition, fiscal_year, [SummaryRow(n, totals[n.pk]) for n in nodes])


def rows(user, filters: dict, on_progress: Progress) -> list[list]:
    """The XLSX rows: one per node of ``summary``, columns as ``headers``."""
    return [_row(r.node, r.totals) for r in summary(user, filters, on_progress).rows]


def _row(node, t: Totals) -> list:
    return [
        node.get_kind_display(), node.code, node.label, t.projects, len(t.agencies), t.budget,
        t.disbursed, t.uncovered, *t.bands, t.unscored,
    ]  # fmt: skip


def render(user, filters: dict, path: Path, on_progress: Progress) -> int:
    """The PDF: the same ``summary`` as the XLSX, as one table that repeats its header on
    every page. Returns the number of rows."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    from core.thai import format_date

    from ..pdf import render_pdf

    # Gathering the figures is the first half of the bar, laying out the pages the second.
    found = summary(user, filters, lambda done, total: on_progress(done, 2 * max(total, 1)))
    html = render_to_string(
        "reports/pdf/master_plan.html",
        {
            "summary": found,
            "total": found.total,
            "bands": band_labels(),
            "printed": format_date(timezone.now(), long=True),
            "printed_by": user.get_full_name() or user.username,
        },
    )
    # About 16 rows a landscape page.
    pages = 1 + len(found.rows) // 16
    path.write_bytes(
        render_pdf(html, on_step=lambda d, t: on_progress(t + d, 2 * t), pages_hint=pages)
    )
    return len(found.rows)


def _nearest(node_id: int, parent_of: dict) -> int | None:
    """A link below Y1 (a factor) counts for its Y1: walk up the full tree."""
    ancestors = list(Node.objects.ancestors(Node.objects.get(pk=node_id)))
    for ancestor in reversed(ancestors):
        if ancestor.pk in parent_of:
            return ancestor.pk
    return None
