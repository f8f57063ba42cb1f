"""Every write of the linkage analysis: (re)score projects and store what the scorer found.
The API, the Celery tasks and the management commands call these.

Rescoring is idempotent: a project whose inputs (its texts, its links, its agency's prior, the
edition's targets and the scorer version) have not changed since its last score is left
alone, so a re-run with the same version writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from agencies.models import Agency
from projects.models import KPI, Activity, Project, StrategyLink
from strategy.models import Edition, Kind, Node
from strategy.selectors import edition_for_fiscal_year

from . import scoring
from .models import LinkScore, ProjectAnalysis, ProjectText
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


@dataclass
class LinkRecord:
    node_id: int
    factor_id: int | None
    is_primary: bool
    edition_id: int
    family: str


@dataclass
class ProjectRecord:
    """What the scorer reads of a project, read with plain value queries (batches of 1,000
    projects would otherwise build ~10,000 model instances)."""

    pk: int
    agency_id: int
    fiscal_year: int
    is_current: bool
    texts: dict[str, str]
    links: list[LinkRecord]


def read_projects(ids: Iterable[int]) -> list[ProjectRecord]:
    ids = list(ids)
    rows = (
        Project.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "agency_id", "fiscal_year", "is_current", *TEXT_FIELDS)
    )
    records = {
        r[0]: ProjectRecord(r[0], r[1], r[2], r[3], dict(zip(TEXT_FIELDS, r[4:], strict=True)), [])
        for r in rows
    }
    kpis: dict[int, list[str]] = {}
    for pid, name, unit in (
        KPI.objects.filter(project_id__in=ids)
        .order_by("id")
        .values_list("project_id", "name", "unit")
    ):
        kpis.setdefault(pid, []).append(f"{name} {unit}")
    activities: dict[int, list[str]] = {}
    for pid, name in (
        Activity.objects.filter(project_id__in=ids)
        .order_by("order", "id")
        .values_list("project_id", "name")
    ):
        activities.setdefault(pid, []).append(name)
    links = StrategyLink.objects.filter(project_id__in=ids).order_by("-is_primary", "id")
    for pid, node_id, factor_id, primary, edition_id, family in links.values_list(
        "project_id", "node_id", "factor_id", "is_primary", "node__edition_id",
        "node__edition__family",
    ):  # fmt: skip
        records[pid].links.append(LinkRecord(node_id, factor_id, primary, edition_id, family))
    for pk, record in records.items():
        record.texts = {k: v or "" for k, v in record.texts.items()}
        record.texts["kpis"] = " ".join(kpis.get(pk, []))
        record.texts["activities"] = " ".join(activities.get(pk, []))
    return list(records.values())


def project_texts(project: Project) -> dict[str, str]:
    """The texts the scorer reads, by field (KPIs and activities joined)."""
    return read_projects([project.pk])[0].texts


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def text_digest(texts: dict[str, str]) -> str:
    return _digest(*(f"{k}={texts[k]}" for k in sorted(texts)))


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
    """Master-plan counts of the primary links of agencies' current projects, read once per
    batch (grouped in the database); ``for_agency`` can leave the project itself out."""

    def __init__(self, agency_ids: Iterable[int] | None = None) -> None:
        """``agency_ids``: only these agencies' priors will be asked for (fewer rows read);
        their sibling units are read later, only for an agency with too little history."""
        self.parent = dict(Agency.objects.values_list("pk", "parent_id"))
        self.children: dict[int | None, list[int]] = {}
        for pk, parent in self.parent.items():
            self.children.setdefault(parent, []).append(pk)
        self.counts: dict[int, Counter] = {}
        self.loaded: set[int] | None = None if agency_ids is None else set()
        self._load(None if agency_ids is None else set(agency_ids))

    def _load(self, agency_ids: set[int] | None) -> None:
        links = StrategyLink.objects.filter(is_primary=True, project__is_current=True)
        if agency_ids is not None:
            agency_ids -= self.loaded
            if not agency_ids:
                return
            self.loaded |= agency_ids
            links = links.filter(project__agency_id__in=agency_ids)
        rows = list(
            links.values_list("project__agency_id", "node_id").annotate(n=Count("id")).order_by()
        )
        codes = _plan_codes_of({node for _, node, _ in rows})
        for agency_id, node_id, n in rows:
            code = codes.get(node_id, "")
            if code:
                self.counts.setdefault(agency_id, Counter())[code] += n

    def for_project(self, project: Project) -> dict[str, float]:
        primary = project.links.filter(is_primary=True).values_list("node_id", flat=True)
        own = _plan_codes_of(primary).popitem()[1] if project.is_current and primary else None
        return self.for_agency(project.agency_id, own)

    def for_agency(self, agency_id: int, leave_out: str | None = None) -> dict[str, float]:
        counts = Counter(self.counts.get(agency_id, Counter()))
        if leave_out:
            counts[leave_out] -= 1
        counts = +counts
        if sum(counts.values()) < scoring.PRIOR_MIN:
            parent = self.parent.get(agency_id)
            siblings = (
                [a for a in self.children.get(parent, []) if a != agency_id] if parent else []
            )
            if self.loaded is not None:
                self._load(set(siblings))
            for sibling in siblings:
                counts.update(self.counts.get(sibling, Counter()))
        return scoring.prior_shares(counts)


def agency_prior(agency: Agency) -> dict[str, float]:
    """The prior of one agency (for suggestions while a new project is typed)."""
    return Priors([agency.pk]).for_agency(agency.pk)


# --- the chain check ------------------------------------------------------------------------


def chain_problems(link: LinkRecord, edition: Edition | None, index) -> list[str]:
    """What breaks factor ⊂ Y1 ⊂ sub-plan ⊂ master plan ⊂ edition, as stable codes."""
    problems = []
    if edition is None or link.edition_id != edition.pk:
        problems.append("edition")
    target = index.by_id.get(link.node_id) if index else None
    if target is None or (target.plan_row < 0 and target.kind != Kind.MASTER_PLAN):
        problems.append("no_master_plan")
    if link.factor_id:
        factor_target = index.by_id.get(link.factor_id) if index else None
        if factor_target is not None and factor_target.kind != Kind.FACTOR:
            problems.append("factor_kind")
        if factor_target is None or link.node_id not in factor_target.ancestors:
            problems.append("factor_other_target")
    return problems


# --- scoring --------------------------------------------------------------------------------


def rescore_projects(ids: Iterable[int], priors: Priors | None = None) -> RescoreResult:
    """Score the given projects against the edition of their fiscal year and store the
    results; projects whose inputs did not change are left as they are."""
    projects = read_projects(ids)
    if not projects:
        return RescoreResult()
    priors = priors or Priors({p.agency_id for p in projects})
    fingerprints = dict(
        ProjectAnalysis.objects.filter(project_id__in=[p.pk for p in projects]).values_list(
            "project_id", "fingerprint"
        )
    )
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

    outside = [ln.node_id for p in projects for ln in p.links if ln.is_primary]
    plan_codes = _plan_codes_of(outside) if outside else {}
    for edition, group in by_edition.values():
        index = scoring.get_index(edition)
        pending = []
        for project in group:
            text_hash = text_digest(project.texts)
            own = next((index.by_id[ln.node_id].master_plan_code for ln in project.links
                        if ln.is_primary and ln.node_id in index.by_id), None)  # fmt: skip
            if own is None:  # a primary link outside this edition still counted once
                own = next((plan_codes.get(ln.node_id) for ln in project.links if ln.is_primary),
                           None)  # fmt: skip
            prior = priors.for_agency(project.agency_id, own if project.is_current else None)
            links = [(ln.node_id, ln.factor_id, ln.is_primary) for ln in project.links]
            fingerprint = _digest(scoring.SCORER_VERSION, index.signature, text_hash,
                                  repr(links), repr(sorted(prior.items())))  # fmt: skip
            if fingerprints.get(project.pk) == fingerprint:
                result.unchanged += 1
                continue
            pending.append((project, prior, text_hash, fingerprint))
        if not pending:
            continue
        stored = {
            pid: (h, tokens)
            for pid, h, tokens in ProjectText.objects.filter(
                project_id__in=[p[0].pk for p in pending]
            ).values_list("project_id", "text_hash", "tokens")
        }
        todo, new_texts = [], []
        for project, prior, text_hash, fingerprint in pending:
            previous = stored.get(project.pk)
            if previous and previous[0] == text_hash:
                tokens = previous[1]
            else:
                tokens = {k: words(v) for k, v in project.texts.items() if v}
                new_texts.append(ProjectText(project_id=project.pk, text_hash=text_hash,
                                             tokens=tokens))  # fmt: skip
            todo.append((project, scoring.ProjectInput(tokens, prior), fingerprint))
        _score_and_store(index, edition, todo, new_texts)
        result.scored += len(todo)
    return result


LINK_COLUMNS = (
    "project_id", "node_id", "factor_id", "is_primary", "version", "score", "rank", "rank_of",
    "chain_ok", "chain_problems", "signals", "project_terms", "target_terms", "better",
)  # fmt: skip
ANALYSIS_COLUMNS = ("project_id", "version", "fingerprint", "suggestions", "scored_at")
TEXT_COLUMNS = ("project_id", "text_hash", "tokens")
JSON_COLUMNS = {"chain_problems", "signals", "project_terms", "target_terms", "better",
                "suggestions", "tokens"}  # fmt: skip


def _row_slice(P, i: int):
    """Row ``i`` of a CSR matrix without scipy's (slow, per-call) indexing."""
    start, end = P.indptr[i], P.indptr[i + 1]

    class Row:
        indices = P.indices[start:end]
        data = P.data[start:end]

    return Row


def _score_and_store(index, edition: Edition, todo: list, new_texts: list) -> None:
    inputs = [item[1] for item in todo]
    rel = scoring.relevance(index, inputs)
    combined, P = rel["combined"], rel["P"]
    version = scoring.SCORER_VERSION
    link_rows, analysis_rows = [], []
    now = timezone.now()
    for i, (project, _inp, fingerprint) in enumerate(todo):
        row = combined[i]
        suggestions = scoring.top_candidates(index, row, scoring.TOP_BETTER)
        for link in project.links:
            if link.family != Edition.Family.MASTER_PLAN:
                continue  # SDG, NESDP, reform and strategy links are not scored here
            target = index.by_id.get(link.node_id)
            problems = chain_problems(link, edition, index)
            if target is None:  # a node of another edition: nothing to compare it with
                link_rows.append(
                    (
                        project.pk,
                        link.node_id,
                        link.factor_id,
                        link.is_primary,
                        version,
                        0,
                        0,
                        0,
                        False,
                        problems,
                        {},
                        [],
                        [],
                        suggestions,
                    )
                )
                continue  # fmt: skip
            value = float(row[target.row])
            chain = 1.0 if not problems else scoring.CHAIN_BROKEN_FACTOR
            rank, rank_of = scoring.rank_within_kind(index, row, target)
            project_terms, target_terms = scoring.explain(index, _row_slice(P, i), target)
            better = []
            if rank > scoring.BETTER_BELOW_RANK:
                better = scoring.top_candidates(index, row, scoring.TOP_BETTER,
                                                exclude={target.id}, above=value)  # fmt: skip
            link_rows.append((
                project.pk, link.node_id, link.factor_id, link.is_primary, version,
                round(100 * value * chain), rank, rank_of, not problems, problems,
                _signals(rel, i, target.row) | {"chain": chain}, project_terms, target_terms,
                better,
            ))  # fmt: skip
        analysis_rows.append((project.pk, version, fingerprint, suggestions, now))
    # Delete and insert rather than update: bulk_update of 1,000 rows is ~10x slower.
    pks = [t[0].pk for t in todo]
    text_rows = [(t.project_id, t.text_hash, t.tokens) for t in new_texts]
    with transaction.atomic():
        # Two runs over the same projects (a redelivered chunk, an on-save rescore) take turns
        # here: the second deletes what the first wrote instead of colliding with it.
        list(Project.objects.filter(pk__in=pks).order_by("pk").select_for_update(no_key=True)
             .values_list("pk", flat=True))  # fmt: skip
        LinkScore.objects.filter(project_id__in=pks).delete()
        ProjectAnalysis.objects.filter(project_id__in=pks).delete()
        ProjectText.objects.filter(project_id__in=[r[0] for r in text_rows]).delete()
        _insert(LinkScore, LINK_COLUMNS, link_rows)
        _insert(ProjectAnalysis, ANALYSIS_COLUMNS, analysis_rows)
        _insert(ProjectText, TEXT_COLUMNS, text_rows)


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows: COPY on PostgreSQL (~5x faster than INSERT), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(columns, r, strict=True))) for r in rows],
                                  batch_size=500)  # fmt: skip
        return
    json_at = [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        row = list(row)
        for i in json_at:
            row[i] = json.dumps(row[i], ensure_ascii=False)
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                           buffer)  # fmt: skip


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
