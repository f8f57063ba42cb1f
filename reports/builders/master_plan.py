"""Report 2 (XLSX), the master-plan summary of a fiscal year: per master plan, sub-plan and Y1
target of the edition in force, the projects the owner may see whose primary link is there,
their agencies, budget and disbursement to date, and the Y1 targets no project serves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from strategy.models import Edition, Kind
from strategy.selectors import edition_for_fiscal_year, edition_tree

from . import portfolio

LEVELS = (Kind.MASTER_PLAN, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET)
CHUNK = 1000


@dataclass
class Totals:
    projects: int = 0
    agencies: set = field(default_factory=set)
    budget: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    uncovered: int = 0  # Y1 targets below (or this one) without a project


def headers() -> list[str]:
    return [
        _("level"), _("code"), _("title"), _("projects"), _("agencies"),
        _("total budget (baht)"), _("disbursed to date (baht)"), _("Y1 targets without a project"),
    ]  # fmt: skip


def edition_of(filters: dict) -> Edition | None:
    try:
        fiscal_year = int(filters.get("fiscal_year"))
    except (TypeError, ValueError):
        return None
    return edition_for_fiscal_year(Edition.Family.MASTER_PLAN, fiscal_year)


def rows(user, filters: dict, on_progress) -> list[list]:
    edition = edition_of(filters)
    if edition is None:
        return []
    nodes = [n for n in edition_tree(edition) if n.kind in LEVELS]
    parent_of = {n.pk: n.parent_id for n in nodes}
    totals: dict[int, Totals] = defaultdict(Totals)

    # Projects of the year, by their primary link (values(): no model instances to hold).
    projects = portfolio.portfolio_queryset(user, {"fiscal_year": filters["fiscal_year"]})
    links = list(
        projects.filter(links__is_primary=True, links__node__edition=edition).values_list(
            "pk", "lineage", "agency_id", "total_budget", "links__node_id"
        )
    )
    total = len(links)
    on_progress(0, total)
    for start in range(0, total, CHUNK):
        chunk = links[start : start + CHUNK]
        disbursed = portfolio._disbursement(user, {lineage for _pk, lineage, *_rest in chunk})
        for _pk, lineage, agency_id, budget, node_id in chunk:
            # Add the project to its node and every summarised level above it.
            node = node_id if node_id in parent_of else _nearest(node_id, parent_of)
            while node is not None:
                t = totals[node]
                t.projects += 1
                t.agencies.add(agency_id)
                t.budget += budget or Decimal(0)
                t.disbursed += disbursed.get(lineage, (Decimal(0),))[0]
                node = parent_of.get(node)
        on_progress(min(start + CHUNK, total), total)

    for n in nodes:
        if n.kind == Kind.SUB_PLAN_TARGET and not totals[n.pk].projects:
            node = n.pk
            while node is not None:
                totals[node].uncovered += 1
                node = parent_of.get(node)
    return [_row(n, totals[n.pk]) for n in nodes]


def _row(node, t: Totals) -> list:
    return [
        node.get_kind_display(), node.code, node.label, t.projects, len(t.agencies), t.budget,
        t.disbursed, t.uncovered,
    ]  # fmt: skip


def _nearest(node_id: int, parent_of: dict) -> int | None:
    """A link below Y1 (a factor) counts for its Y1: walk up the full tree."""
    from strategy.models import Node

    ancestors = list(Node.objects.ancestors(Node.objects.get(pk=node_id)))
    for ancestor in reversed(ancestors):
        if ancestor.pk in parent_of:
            return ancestor.pk
    return None
