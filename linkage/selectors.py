"""Reads of the linkage analysis for pages (and the API): a project's scores, the gap tree of
an edition and fiscal year, near-duplicate projects. Every read is scoped by the access
policy (analysts see all non-drafts, others their agencies)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from sklearn.preprocessing import normalize

from agencies import access
from core.charts import Radar, radar_chart
from projects.models import Project, StrategyLink
from strategy.models import Edition, Kind, Node
from strategy.selectors import edition_tree

from . import rubric, scoring
from .models import LinkScore, ProjectAnalysis, ProjectText, RubricAssessment, RubricReview
from .text import features, words

GAP_KINDS = (Kind.MASTER_PLAN, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET, Kind.COMPONENT, Kind.FACTOR)
DUPLICATE_THRESHOLD = 0.6


def project_scores(project: Project) -> list[LinkScore]:
    """The stored scores of a project's declared links (the caller checked it may see it)."""
    return list(
        LinkScore.objects.filter(project=project).select_related("node", "factor")
        .order_by("-is_primary", "id")
    )  # fmt: skip


def project_analysis(project: Project) -> ProjectAnalysis | None:
    return ProjectAnalysis.objects.filter(project=project).first()


def primary_scores(project_ids: list[int]) -> dict[int, LinkScore]:
    """Primary-link scores of many projects in one query (list pages, the approver queue)."""
    rows = LinkScore.objects.filter(project_id__in=project_ids, is_primary=True)
    return {s.project_id: s for s in rows}


# --- gaps -----------------------------------------------------------------------------------


@dataclass
class GapRow:
    node: Node
    depth: int
    projects: int = 0
    budget: Decimal = Decimal(0)
    scores: list[int] = field(default_factory=list)

    @property
    def mean_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    @property
    def state(self) -> str:
        """empty: no project; weak: projects whose mean score is weak; ok."""
        if not self.projects:
            return "empty"
        mean = self.mean_score
        return "weak" if mean is not None and mean < LinkScore.WEAK_BELOW else "ok"


def visible_projects(user, fiscal_year: int | None = None) -> QuerySet[Project]:
    qs = access.scope(user, Project.objects.filter(is_current=True))
    return qs.filter(fiscal_year=fiscal_year) if fiscal_year else qs


def gap_tree(user, edition: Edition, fiscal_year: int) -> list[GapRow]:
    """Master plan → sub-plan → Y1 → factor with the number of projects whose primary link
    lies at or below each row, their budget and mean alignment score. A project counts once
    per row however many of its links fall below it."""
    nodes = [n for n in edition_tree(edition) if n.kind in GAP_KINDS]
    parent = dict(Node.objects.filter(edition=edition).values_list("pk", "parent_id"))
    score = LinkScore.objects.filter(project=OuterRef("project"), node=OuterRef("node"))
    links = (
        StrategyLink.objects.filter(
            is_primary=True, node__edition=edition,
            project__in=visible_projects(user, fiscal_year),
        )
        .annotate(score=Subquery(score.values("score")[:1]))
        .values_list("project_id", "node_id", "factor_id", "project__total_budget", "score")
    )  # fmt: skip
    members: dict[int, dict[int, tuple]] = defaultdict(dict)
    for project_id, node_id, factor_id, budget, value in links:
        info = (budget or Decimal(0), value)
        for start in (node_id, factor_id):
            pk = start
            while pk is not None:
                members[pk][project_id] = info
                pk = parent.get(pk)
    rows = []
    for n in nodes:
        found = members.get(n.pk, {})
        row = GapRow(node=n, depth=n.tree_depth, projects=len(found))
        row.budget = sum((b for b, _ in found.values()), Decimal(0))
        row.scores = [v for _, v in found.values() if v is not None]
        rows.append(row)
    return rows


def fiscal_years_of(edition: Edition, last: int) -> list[int]:
    start = edition.fiscal_year_from or last
    end = min(edition.fiscal_year_to or last, last)
    return list(range(end, start - 1, -1))


# --- near-duplicates ------------------------------------------------------------------------


@dataclass
class DuplicatePair:
    first: Project
    second: Project
    similarity: float

    @property
    def projects(self) -> tuple[Project, Project]:
        return self.first, self.second

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


def _duplicate_words(project: Project, analysis_tokens: dict | None) -> list[str]:
    if analysis_tokens:
        return analysis_tokens.get("title", []) + analysis_tokens.get("objectives", [])
    return words(f"{project.title} {project.objectives}")


def near_duplicates(user, fiscal_year: int, threshold: float = DUPLICATE_THRESHOLD,
                    limit: int = 200) -> list[DuplicatePair]:  # fmt: skip
    """Pairs of projects of different agencies in one fiscal year whose title and objectives
    are alike (cosine of their TF-IDF word vectors ≥ threshold), most alike first."""
    projects = list(visible_projects(user, fiscal_year).select_related("agency").order_by("pk"))
    if len(projects) < 2:
        return []
    tokens = dict(
        ProjectText.objects.filter(project__in=projects).values_list("project_id", "tokens")
    )
    docs = [features(_duplicate_words(p, tokens.get(p.pk))) for p in projects]
    vectorizer = scoring._tfidf()
    try:
        matrix = normalize(vectorizer.fit_transform(docs)).tocsr()
    except ValueError:  # no words at all
        return []
    agencies = np.array([p.agency_id for p in projects])
    pairs = []
    step = 2000
    for start in range(0, len(projects), step):
        block = (matrix[start : start + step] @ matrix.T).tocoo()
        for i, j, value in zip(block.row, block.col, block.data, strict=True):
            a = start + i
            if j <= a or value < threshold or agencies[a] == agencies[j]:
                continue
            pairs.append((float(value), a, int(j)))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    return [DuplicatePair(projects[a], projects[b], v) for v, a, b in pairs[:limit]]


# --- the quality rubric ---------------------------------------------------------------------


@dataclass
class RubricRow:
    """One criterion: the automatic score and its notes beside the reviewer's judgement."""

    criterion: str
    label: str
    auto: int | None
    notes: list[str]
    review: RubricReview | None = None

    @property
    def is_gate(self) -> bool:
        return self.criterion == rubric.GATE

    @property
    def final(self) -> int | None:
        return self.review.score if self.review else self.auto

    @property
    def passed(self) -> bool:
        return self.final is not None and self.final >= rubric.PASS_MIN

    @property
    def auto_changed(self) -> bool:
        """The automatic score moved after the reviewer judged it: look again."""
        return self.review is not None and self.review.auto_score != self.auto


@dataclass
class RubricView:
    rows: list[RubricRow]
    assessment: RubricAssessment | None

    @property
    def reviewed(self) -> bool:
        return any(r.review for r in self.rows)

    @property
    def version(self) -> str | None:
        return self.assessment.version if self.assessment else None

    @property
    def assessed_at(self):
        return self.assessment.assessed_at if self.assessment else None

    @property
    def auto_total(self) -> int | None:
        return self.assessment.total if self.assessment else None

    @property
    def final_total(self) -> int:
        return rubric.total({r.criterion: r.final or 0 for r in self.rows})

    @property
    def gate_passed(self) -> bool:
        return self.rows[0].passed

    @property
    def changed_since_review(self) -> int:
        return sum(r.auto_changed for r in self.rows)

    def _series(self) -> list[tuple[str, str, list[float]]]:
        series = [(_("automatic"), "auto", [float(r.auto or 0) for r in self.rows])]
        if self.reviewed:  # drawn first, so the dashed automatic line stays visible on top
            series.insert(0, (_("reviewer"), "review", [float(r.final or 0) for r in self.rows]))
        return series

    @property
    def chart(self) -> Radar:
        axes = [str(rubric.SHORT[r.criterion]) for r in self.rows]
        return radar_chart(axes, self._series(), rubric.MAX_SCORE, radius=120, margin=90)

    @property
    def mini(self) -> Radar:
        return radar_chart([""] * len(self.rows), self._series(), rubric.MAX_SCORE, radius=22)


def _rubric_view(assessment: RubricAssessment | None, reviews: list[RubricReview]) -> RubricView:
    by_criterion = {r.criterion: r for r in reviews}
    criteria = assessment.criteria if assessment else {}
    rows = []
    for value, label in rubric.Criterion.choices:
        auto = criteria.get(value)
        rows.append(RubricRow(
            value, str(label), auto["score"] if auto else None,
            [rubric.describe(n) for n in auto["notes"]] if auto else [], by_criterion.get(value),
        ))  # fmt: skip
    return RubricView(rows, assessment)


def project_rubric(project: Project) -> RubricView | None:
    """The rubric of one project (the caller checked it may see it); None before the first
    automatic pass and any review."""
    assessment = RubricAssessment.objects.filter(project=project).first()
    reviews = list(RubricReview.objects.filter(project=project).select_related("reviewer"))
    if assessment is None and not reviews:
        return None
    return _rubric_view(assessment, reviews)


def rubric_summaries(project_ids: list[int]) -> dict[int, RubricView]:
    """Rubrics of a list page's projects in two queries (the approver's queue)."""
    assessments = {a.project_id: a for a in RubricAssessment.objects.filter(
        project_id__in=project_ids)}  # fmt: skip
    reviews: dict[int, list[RubricReview]] = defaultdict(list)
    for r in RubricReview.objects.filter(project_id__in=project_ids):
        reviews[r.project_id].append(r)
    return {
        pid: _rubric_view(assessments.get(pid), reviews.get(pid, []))
        for pid in project_ids if pid in assessments or pid in reviews
    }  # fmt: skip
