"""Every write of the linkage analysis: (re)score projects and store what the scorer found.
The API, the Celery tasks and the management commands call these.

Rescoring is idempotent: a project whose inputs (its texts, its links, its agency's prior, the
edition's targets and the scorer version) have not changed since its last score is left
alone, so a re-run with the same version writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from agencies.models import Agency
from projects.models import Project, StrategyLink
from strategy.models import Edition, Kind, Node
from strategy.selectors import edition_for_fiscal_year

from . import scoring
from .models import LinkScore, ProjectAnalysis
from .text import words

TEXT_FIELDS = ("title", "objectives", "expected_outcomes", "rationale", "target_group")


@dataclass
class RescoreResult:
    scored: int = 0
    unchanged: int = 0
    skipped: int = 0  # no edition covers the fiscal year

    def __add__(self, other: RescoreResult) -> RescoreResult:
        return RescoreResult(self.scored + other.scored, self.unchanged + other.unchanged,
                             self.skipped + other.skipped)  # fmt: skip

    def as_dict(self) -> dict[str, int]:
        return {"scored": self.scored, "unchanged": self.unchanged, "skipped": self.skipped}


def project_texts(project: Project) -> dict[str, str]:
    """The texts the scorer reads, by field (KPIs and activities joined)."""
    texts = {name: getattr(project, name) or "" for name in TEXT_FIELDS}
    texts["kpis"] = " ".join(f"{k.name} {k.unit}" for k in project.kpis.all())
    texts["activities"] = " ".join(a.name for a in project.activities.all())
    return texts


def _hash(*parts) -> str:
    data = json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


# --- the agency prior ---------------------------------------------------------------------


def _plan_codes_of(node_ids: Iterable[int]) -> dict[int, str]:
    """node id → the code of the master plan above it (or itself)."""
    wanted = set(node_ids)
    out: dict[int, str] = {}
    if not wanted:
        return out
    # tree_path holds the ids from the root; one query fetches the master plans among them.
    paths = {n.pk: n.tree_path for n in Node.objects.with_tree_fields().filter(pk__in=wanted)}
    plans = dict(
        Node.objects.filter(
            pk__in={i for p in paths.values() for i in p}, kind=Kind.MASTER_PLAN
        ).values_list("pk", "code")
    )
    for pk, path in paths.items():
        out[pk] = next((plans[i] for i in path if i in plans), "")
    return out


class Priors:
    """Master-plan counts of the primary links of every agency's current projects, computed
    once per batch; ``for_project`` leaves the project itself out."""

    def __init__(self, agency_ids: Iterable[int] | None = None) -> None:
        """``agency_ids``: only these agencies' priors will be asked for (fewer rows read)."""
        agencies = dict(Agency.objects.values_list("pk", "parent_id"))
        self.parent = agencies
        self.children: dict[int | None, list[int]] = {}
        for pk, parent in agencies.items():
            self.children.setdefault(parent, []).append(pk)
        links = StrategyLink.objects.filter(is_primary=True, project__is_current=True)
        if agency_ids is not None:
            wanted = set(agency_ids)
            wanted |= {s for a in list(wanted) for s in self.children.get(agencies.get(a), [])}
            links = links.filter(project__agency_id__in=wanted)
        links = list(links.values_list("project__agency_id", "node_id", "project_id"))
        codes = _plan_codes_of(n for _, n, _ in links)
        self.counts: dict[int, Counter] = {}
        self.own: dict[int, str] = {}
        for agency_id, node_id, project_id in links:
            code = codes.get(node_id, "")
            if code:
                self.counts.setdefault(agency_id, Counter())[code] += 1
                self.own[project_id] = code

    def for_project(self, project: Project) -> dict[str, float]:
        return self.for_agency(project.agency_id, self.own.get(project.pk))

    def for_agency(self, agency_id: int, leave_out: str | None = None) -> dict[str, float]:
        counts = Counter(self.counts.get(agency_id, Counter()))
        if leave_out:
            counts[leave_out] -= 1
        counts = +counts
        if sum(counts.values()) < scoring.PRIOR_MIN:
            parent = self.parent.get(agency_id)
            for sibling in self.children.get(parent, []) if parent else []:
                if sibling != agency_id:
                    counts.update(self.counts.get(sibling, Counter()))
        return scoring.prior_shares(counts)


def agency_prior(agency: Agency) -> dict[str, float]:
    """The prior of one agency (for suggestions while a new project is typed)."""
    return Priors([agency.pk]).for_agency(agency.pk)


# --- the chain check ------------------------------------------------------------------------


def chain_problems(link: StrategyLink, edition: Edition | None, index) -> list[str]:
    """What breaks factor ⊂ Y1 ⊂ sub-plan ⊂ master plan ⊂ edition, as stable codes."""
    problems = []
    node = link.node
    if edition is None or node.edition_id != edition.pk:
        problems.append("edition")
    target = index.by_id.get(node.pk) if index else None
    if target is None or (target.plan_row < 0 and node.kind != Kind.MASTER_PLAN):
        problems.append("no_master_plan")
    if link.factor_id:
        factor = link.factor
        if factor.kind != Kind.FACTOR:
            problems.append("factor_kind")
        factor_target = index.by_id.get(factor.pk) if index else None
        if factor_target is None or node.pk not in factor_target.ancestors:
            problems.append("factor_other_target")
    return problems


# --- scoring --------------------------------------------------------------------------------


def _projects(ids: Iterable[int]):
    return (
        Project.objects.filter(pk__in=list(ids))
        .select_related("agency")
        .prefetch_related(
            "kpis", "activities",
            Prefetch("links", queryset=StrategyLink.objects.select_related(
                "node", "node__edition", "factor").order_by("-is_primary", "id")),
        )
        .order_by("pk")
    )  # fmt: skip


def rescore_projects(ids: Iterable[int], priors: Priors | None = None) -> RescoreResult:
    """Score the given projects against the edition of their fiscal year and store the
    results; projects whose inputs did not change are left as they are."""
    projects = list(_projects(ids))
    if not projects:
        return RescoreResult()
    priors = priors or Priors({p.agency_id for p in projects})
    analyses = {a.project_id: a for a in ProjectAnalysis.objects.filter(project__in=projects)}
    editions: dict[int, Edition | None] = {}
    by_edition: dict[int, list] = {}
    result = RescoreResult()
    for project in projects:
        if project.fiscal_year not in editions:
            editions[project.fiscal_year] = edition_for_fiscal_year(
                Edition.Family.MASTER_PLAN, project.fiscal_year
            )
        edition = editions[project.fiscal_year]
        if edition is None:
            result.skipped += 1
            continue
        by_edition.setdefault(edition.pk, [edition, []])[1].append(project)

    for edition, group in by_edition.values():
        index = scoring.get_index(edition)
        todo = []
        for project in group:
            texts = project_texts(project)
            text_hash = _hash(texts)
            previous = analyses.get(project.pk)
            prior = priors.for_project(project)
            links = [(ln.node_id, ln.factor_id, ln.is_primary) for ln in project.links.all()]
            fingerprint = _hash(scoring.SCORER_VERSION, index.signature, text_hash, links, prior)
            if previous and previous.fingerprint == fingerprint:
                result.unchanged += 1
                continue
            if previous and previous.text_hash == text_hash:
                tokens = previous.tokens
            else:
                tokens = {k: words(v) for k, v in texts.items() if v}
            todo.append((project, scoring.ProjectInput(tokens, prior), text_hash, fingerprint))
        if todo:
            _score_and_store(index, edition, todo, analyses)
            result.scored += len(todo)
    return result


def _score_and_store(index, edition: Edition, todo: list, analyses: dict) -> None:
    inputs = [item[1] for item in todo]
    rel = scoring.relevance(index, inputs)
    combined, P = rel["combined"], rel["P"]
    link_rows, new_analyses, changed = [], [], []
    for i, (project, inp, text_hash, fingerprint) in enumerate(todo):
        row = combined[i]
        suggestions = scoring.top_candidates(index, row, scoring.TOP_BETTER)
        for link in project.links.all():
            target = index.by_id.get(link.node_id)
            problems = chain_problems(link, edition, index)
            if target is None:  # a node of another edition: nothing to compare it with
                link_rows.append(LinkScore(
                    project=project, node_id=link.node_id, factor_id=link.factor_id,
                    is_primary=link.is_primary, version=scoring.SCORER_VERSION, score=0,
                    rank=0, rank_of=0, chain_ok=False, chain_problems=problems,
                    better=suggestions,
                ))  # fmt: skip
                continue
            value = float(row[target.row])
            chain = 1.0 if not problems else scoring.CHAIN_BROKEN_FACTOR
            rank, rank_of = scoring.rank_within_kind(index, row, target)
            project_terms, target_terms = scoring.explain(index, P[i], target)
            better = []
            if rank > scoring.BETTER_BELOW_RANK:
                better = scoring.top_candidates(index, row, scoring.TOP_BETTER,
                                                exclude={target.id}, above=value)  # fmt: skip
            link_rows.append(LinkScore(
                project=project, node_id=link.node_id, factor_id=link.factor_id,
                is_primary=link.is_primary, version=scoring.SCORER_VERSION,
                score=round(100 * value * chain), rank=rank, rank_of=rank_of,
                chain_ok=not problems, chain_problems=problems,
                signals=_signals(rel, i, target.row) | {"chain": chain},
                project_terms=project_terms, target_terms=target_terms, better=better,
            ))  # fmt: skip
        analysis = analyses.get(project.pk) or ProjectAnalysis(project=project)
        analysis.version = scoring.SCORER_VERSION
        analysis.fingerprint = fingerprint
        analysis.text_hash = text_hash
        analysis.tokens = inp.fields
        analysis.suggestions = suggestions
        (changed if analysis.pk else new_analyses).append(analysis)
    with transaction.atomic():
        LinkScore.objects.filter(project__in=[t[0] for t in todo]).delete()
        LinkScore.objects.bulk_create(link_rows, batch_size=2000)
        ProjectAnalysis.objects.bulk_create(new_analyses, batch_size=2000)
        ProjectAnalysis.objects.bulk_update(
            changed, ["version", "fingerprint", "text_hash", "tokens", "suggestions"],
            batch_size=2000,
        )  # fmt: skip


def _signals(rel: dict, i: int, col: int) -> dict[str, float]:
    return {k: round(float(rel[k][i, col]), 4) for k in ("text", "kpi", "prior")}


def suggest(title: str, objective: str = "", kpi: str = "", edition: Edition | None = None,
            top: int = 5, prior: dict[str, float] | None = None) -> list[dict]:  # fmt: skip
    """The best-fitting targets for a text, best first, at the deepest loaded level."""
    edition = edition or default_edition()
    if edition is None or not (title or objective or kpi).strip():
        return []
    index = scoring.get_index(edition)
    inp = scoring.ProjectInput.from_texts(prior=prior, title=title, objectives=objective,
                                          kpis=kpi)  # fmt: skip
    row = scoring.relevance(index, [inp])["combined"][0]
    return scoring.top_candidates(index, row, top)


def default_edition() -> Edition | None:
    """The master-plan edition in force in the current fiscal year."""
    from core.fiscal import current_fiscal_year

    return edition_for_fiscal_year(Edition.Family.MASTER_PLAN, current_fiscal_year())


def selection_ids(fiscal_year: int | None = None, agency_code: str | None = None) -> list[int]:
    """The current projects a batch rescore covers (everything when no filter is given)."""
    qs = Project.objects.filter(is_current=True)
    if fiscal_year:
        qs = qs.filter(fiscal_year=fiscal_year)
    if agency_code:
        agency = Agency.objects.get(code=agency_code)
        qs = qs.filter(agency__in=Agency.objects.descendants(agency, include_self=True))
    return list(qs.order_by("pk").values_list("pk", flat=True))


def stale_ids(limit: int = 10_000) -> list[int]:
    """Current projects changed since their last score (or never scored)."""
    from django.db.models import F, Q

    qs = Project.objects.filter(is_current=True).filter(
        Q(linkage__isnull=True) | Q(updated_at__gt=F("linkage__scored_at"))
    )
    return list(qs.order_by("pk").values_list("pk", flat=True)[:limit])
