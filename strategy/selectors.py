"""Reads of the hierarchy for the browse pages (and later the API)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from .models import Edition, Kind, Node

# What a master plan holds below it, in the order the completeness table shows.
BELOW_MASTER_PLAN = (Kind.MASTER_PLAN_TARGET, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET, Kind.FACTOR)


def editions_with_counts() -> QuerySet[Edition]:
    return Edition.objects.annotate(node_count=Count("nodes")).order_by(
        "family", "fiscal_year_from", "code"
    )


def edition_for_fiscal_year(family: str, fiscal_year: int) -> Edition | None:
    """The edition of a plan family in force in a fiscal year (a project links to it)."""
    for edition in Edition.objects.filter(family=family).exclude(fiscal_year_from=None):
        if edition.covers(fiscal_year):
            return edition
    return None


@dataclass
class Completeness:
    """How much of one master plan is loaded in an edition."""

    node: Node
    counts: Counter = field(default_factory=Counter)
    untitled: int = 0  # rows whose source prints a code but no text

    def count(self, kind: str) -> int:
        return self.counts[kind]

    @property
    def cells(self) -> list[int]:
        return [self.counts[k] for k in BELOW_MASTER_PLAN]

    @property
    def level(self) -> str:
        """none: nothing below the master plan; partial: some rows loaded."""
        return "partial" if sum(self.counts.values()) else "none"


def master_plan_completeness(edition: Edition) -> tuple[list[Completeness], Completeness]:
    """Per master plan of ``edition``: how many targets, sub-plans and factors are loaded,
    plus a row for those whose master plan the source does not name."""
    rows = list(
        Node.objects.filter(edition=edition).values_list("id", "parent_id", "kind", "title_th")
    )
    parent = {pk: parent_id for pk, parent_id, _, _ in rows}
    kinds = {pk: kind for pk, _, kind, _ in rows}
    by_plan = {
        node.pk: Completeness(node)
        for node in Node.objects.filter(edition=edition, kind=Kind.MASTER_PLAN).order_by("code")
    }
    unplaced = Completeness(node=Node(edition=edition, kind=Kind.MASTER_PLAN))
    for pk, _, kind, title in rows:
        if kind == Kind.MASTER_PLAN:
            continue
        ancestor = parent[pk]
        while ancestor is not None and kinds[ancestor] != Kind.MASTER_PLAN:
            ancestor = parent[ancestor]
        entry = by_plan.get(ancestor, unplaced)
        entry.counts[kind] += 1
        entry.untitled += not title
    return list(by_plan.values()), unplaced


def edition_tree(edition: Edition) -> QuerySet[Node]:
    """All nodes of an edition in depth-first order, with ``tree_depth``."""
    return (
        Node.objects.with_tree_fields()
        .tree_filter(edition=edition)
        .order_siblings_by("number", "code", "id")
    )


def node_detail(pk: int) -> Node:
    return Node.objects.select_related("edition", "parent").get(pk=pk)


def search(query: str, edition: Edition | None = None, limit: int = 100) -> list[Node]:
    qs = Node.objects.search(query).select_related("edition", "parent")
    if edition is not None:
        qs = qs.filter(edition=edition)
    return list(qs.order_by("edition__family", "edition__code", "kind", "code")[:limit])
