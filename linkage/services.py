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
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from agencies.models import Agency
from core import pagecache
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
    if connection.vendor == "postgresql":
        # Walk up from the wanted nodes only (tree_path would walk down every tree).
        table = connection.ops.quote_name(Node._meta.db_table)
        sql = f"""
            WITH RECURSIVE up(start, id, parent_id, kind, code) AS (
                SELECT id, id, parent_id, kind, code FROM {table} WHERE id = ANY(%s)
                UNION ALL
                SELECT up.start, n.id, n.parent_id, n.kind, n.code
                FROM {table} n JOIN up ON n.id = up.parent_id WHERE up.kind <> %s
            )
            SELECT start, code FROM up WHERE kind = %s
        """  # noqa: S608 (the table name comes from the model)
        with connection.cursor() as cursor:
            cursor.execute(sql, [sorted(wanted), Kind.MASTER_PLAN, Kind.MASTER_PLAN])
            found = dict(cursor.fetchall())
        return {pk: found.get(pk, "") for pk in wanted}
    paths = {n.pk: n.tree_path for n in Node.objects.with_tree_fields().filter(pk__in=wanted)}
    plans = dict(
        Node.objects.filter(
            pk__in={i for p in paths.values() for i in p}, kind=Kind.MASTER_PLAN
        ).values_list("pk", "code")
    )
    for pk, path in paths.items():
        out[pk] = next((plans[i] for i in path if i in plans), "")
    return out


# Up to this many agencies, their links are found through their projects' ids (index scans);
# beyond it one pass over all primary links is cheaper.
FEW_AGENCIES = 20


class Priors:
    """Master-plan counts of the primary links of agencies' current projects, read once per
    batch (grouped in the database); ``for_agency`` can leave the project itself out."""

    def __init__(self, agency_ids: Iterable[int] | None = None) -> None:
        """``agency_ids``: only these agencies' priors will be asked for (fewer rows read);
        their sibling units are read later, only for an agency with too little history."""
        self._parent: dict[int, int | None] | None = None  # the agency tree, read if needed
        self._children: dict[int | None, list[int]] = {}
        self.counts: dict[int, Counter] = {}
        self.loaded: set[int] | None = None if agency_ids is None else set()
        self._load(None if agency_ids is None else set(agency_ids))

    def _siblings(self, agency_id: int) -> list[int]:
        if self._parent is None and self.loaded is not None:
            # a few agencies: ask for this one's siblings rather than read the whole tree
            parent = Agency.objects.filter(pk=agency_id).values_list("parent_id", flat=True)
            parent_id = next(iter(parent), None)
            if parent_id is None:
                return []
            return list(
                Agency.objects.filter(parent_id=parent_id).exclude(pk=agency_id)
                .order_by("pk").values_list("pk", flat=True)
            )  # fmt: skip
        if self._parent is None:
            self._parent = dict(Agency.objects.order_by("pk").values_list("pk", "parent_id"))
            for pk, parent in self._parent.items():
                self._children.setdefault(parent, []).append(pk)
        parent = self._parent.get(agency_id)
        return [a for a in self._children.get(parent, []) if a != agency_id] if parent else []

    def _load(self, agency_ids: set[int] | None) -> None:
        links = StrategyLink.objects.filter(is_primary=True, project__is_current=True)
        if agency_ids is not None:
            agency_ids -= self.loaded
            if not agency_ids:
                return
            self.loaded |= agency_ids
            if len(agency_ids) <= FEW_AGENCIES:
                self._add(self._few_rows(agency_ids))
                return
            links = links.filter(project__agency_id__in=agency_ids)
        self._add(
            links.values_list("project__agency_id", "node_id").annotate(n=Count("id")).order_by()
        )

    @staticmethod
    def _few_rows(agency_ids: set[int]) -> list[tuple[int, int, int]]:
        """(agency, node, count) for a few agencies: their current projects, each one's
        primary link by index (a join would scan every link of the country)."""
        if connection.vendor != "postgresql":
            links = StrategyLink.objects.filter(
                is_primary=True, project__is_current=True, project__agency_id__in=agency_ids
            )
            return list(links.values_list("project__agency_id", "node_id")
                        .annotate(n=Count("id")).order_by())  # fmt: skip
        quote = connection.ops.quote_name
        projects, links = Project._meta.db_table, StrategyLink._meta.db_table
        # LIMIT 1 (a project has one primary link at most) keeps the planner to one index
        # probe per project instead of a hash join over every link.
        sql = f"""
            SELECT p.agency_id, l.node_id, count(*) FROM {quote(projects)} p
            CROSS JOIN LATERAL (SELECT s.node_id FROM {quote(links)} s
                                WHERE s.project_id = p.id AND s.is_primary LIMIT 1) l
            WHERE p.agency_id = ANY(%s) AND p.is_current GROUP BY 1, 2
        """  # noqa: S608 (table names from the models)
        with connection.cursor() as cursor:
            cursor.execute(sql, [sorted(agency_ids)])
            return cursor.fetchall()

    def _add(self, rows: Iterable[tuple[int, int, int]]) -> None:
        rows = list(rows)
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
            siblings = self._siblings(agency_id)
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

    plan_codes: dict[int, str] = {}
    for edition, group in by_edition.values():
        index = scoring.get_index(edition)
        # the master plans of primary links outside the edition, asked only for those
        outside = {ln.node_id for p in group for ln in p.links
                   if ln.is_primary and ln.node_id not in index.by_id}  # fmt: skip
        plan_codes.update(_plan_codes_of(outside - set(plan_codes)))
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


def _score_and_store(index, edition: Edition, todo: list, new_texts: list) -> None:
    inputs = [item[1] for item in todo]
    rel = scoring.relevance(index, inputs)
    combined = rel["combined"]
    version = scoring.SCORER_VERSION
    suggestions = scoring.top_candidates_many(index, combined, scoring.TOP_BETTER)
    # The scored links of the chunk as arrays: project row, target row (ranks and the words
    # that carry each match are computed for all of them at once).
    scored = [(i, link, index.by_id.get(link.node_id))
              for i, (project, _inp, _fp) in enumerate(todo) for link in project.links
              if link.family == Edition.Family.MASTER_PLAN]  # fmt: skip
    found = [(i, target.row) for i, _link, target in scored if target is not None]
    at = np.array([f[0] for f in found], dtype=int)
    cols = np.array([f[1] for f in found], dtype=int)
    ranks = scoring.ranks_within_kind(index, combined, at, cols)
    terms = scoring.explain_many(index, rel["P"], at, cols)
    values = combined[at, cols]
    signals = {k: rel[k][at, cols].tolist() for k in ("text", "kpi", "prior")}
    link_rows, analysis_rows = [], []
    now = timezone.now()
    j = 0  # position among the links found in the index
    for i, link, target in scored:
        project = todo[i][0]
        problems = chain_problems(link, edition, index)
        if target is None:  # a node of another edition: nothing to compare it with
            link_rows.append((project.pk, link.node_id, link.factor_id, link.is_primary, version,
                              0, 0, 0, False, problems, {}, [], [], suggestions[i]))  # fmt: skip
            continue
        value = float(values[j])
        chain = 1.0 if not problems else scoring.CHAIN_BROKEN_FACTOR
        rank, rank_of = ranks[j]
        better = []
        if rank > scoring.BETTER_BELOW_RANK:  # only a low-ranked link lists better targets
            better = scoring.top_candidates(index, combined[i], scoring.TOP_BETTER,
                                            exclude={target.id}, above=value)  # fmt: skip
        link_signals = {k: round(v[j], 4) for k, v in signals.items()} | {"chain": chain}
        link_rows.append((
            project.pk, link.node_id, link.factor_id, link.is_primary, version,
            round(100 * value * chain), rank, rank_of, not problems, problems, link_signals,
            terms[j][0], terms[j][1], better,
        ))  # fmt: skip
        j += 1
    for i, (project, _inp, fingerprint) in enumerate(todo):
        analysis_rows.append((project.pk, version, fingerprint, suggestions[i], now))
    text_rows = [(t.project_id, t.text_hash, t.tokens) for t in new_texts]
    _store([t[0].pk for t in todo], link_rows, analysis_rows, text_rows)


def _store(pks: list[int], link_rows: list[tuple], analysis_rows: list[tuple],
           text_rows: list[tuple]) -> None:  # fmt: skip
    """Write the chunk's results. On PostgreSQL only what differs from the stored rows is
    sent: a link row equal in every column is left alone (a changed target list or agency
    prior moves few scores), one that differs only in its version gets the new version, an
    analysis with the same suggestions only its new fingerprint, version and time; elsewhere
    delete and insert."""
    with transaction.atomic():
        # Two runs over the same projects (a redelivered chunk, an on-save rescore) take turns
        # here: the second compares with what the first wrote instead of colliding with it.
        list(Project.objects.filter(pk__in=pks).order_by("pk").select_for_update(no_key=True)
             .values_list("pk", flat=True))  # fmt: skip
        if connection.vendor != "postgresql":
            LinkScore.objects.filter(project_id__in=pks).delete()
            ProjectAnalysis.objects.filter(project_id__in=pks).delete()
            ProjectText.objects.filter(project_id__in=[r[0] for r in text_rows]).delete()
            _insert(LinkScore, LINK_COLUMNS, link_rows)
            _insert(ProjectAnalysis, ANALYSIS_COLUMNS, analysis_rows)
            _insert(ProjectText, TEXT_COLUMNS, text_rows)
            return
        link_rows = [_as_text(LINK_COLUMNS, r) for r in link_rows]
        # What is stored, as its version and one digest of the rest per row (32 bytes
        # instead of its JSON read back).
        at = [i for i, c in enumerate(LINK_COLUMNS) if c not in ("project_id", "node_id",
                                                                 "version")]  # fmt: skip
        stored = _stored_digests(LinkScore, ("project_id", "node_id"),
                                 tuple(LINK_COLUMNS[i] for i in at), pks)  # fmt: skip
        changed, keep, retag = [], set(), []
        version_at = LINK_COLUMNS.index("version")
        for row in link_rows:
            key = (row[0], row[1])
            old = stored.get(key)
            if old is not None and old[1] == _row_digest(row[i] for i in at):
                keep.add(key)
                if old[0] != row[version_at]:
                    retag.append(key)  # a new scorer version with the same result
            else:
                changed.append(row)
        quote = connection.ops.quote_name
        if retag:  # one narrow UPDATE rather than the rows' JSON sent and parsed again
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""UPDATE {quote(LinkScore._meta.db_table)} AS s SET version = %s
                        FROM unnest(%s::bigint[], %s::bigint[]) AS k(project, node)
                        WHERE s.project_id = k.project AND s.node_id = k.node""",  # noqa: S608
                    [scoring.SCORER_VERSION, [k[0] for k in retag], [k[1] for k in retag]],
                )  # fmt: skip
        # the links a project no longer declares, and the old versions of changed rows
        drop = [key for key in stored if key not in keep]
        if drop:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""DELETE FROM {quote(LinkScore._meta.db_table)} AS s
                        USING unnest(%s::bigint[], %s::bigint[]) AS k(project, node)
                        WHERE s.project_id = k.project AND s.node_id = k.node""",  # noqa: S608
                    [[g[0] for g in drop], [g[1] for g in drop]],
                )  # fmt: skip
        # COPY rather than an upsert: COPY parses 1,000 rows several times faster than one
        # statement carrying them.
        _copy(LinkScore, LINK_COLUMNS, changed)

        analysis_rows = [_as_text(ANALYSIS_COLUMNS, r) for r in analysis_rows]
        stored = _stored_digests(ProjectAnalysis, ("project_id",), ("suggestions",), pks)
        same = [r for r in analysis_rows
                if (r[0],) in stored and stored[(r[0],)][1] == _row_digest((r[3],))]  # fmt: skip
        same_ids = {r[0] for r in same}
        other = [r for r in analysis_rows if r[0] not in same_ids]
        if same:  # fingerprint, version and time only: the suggestions are not sent again
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""UPDATE {quote(ProjectAnalysis._meta.db_table)} AS a
                        SET fingerprint = v.fingerprint, version = v.version, scored_at = %s
                        FROM unnest(%s::bigint[], %s::text[], %s::text[])
                            AS v(project_id, fingerprint, version)
                        WHERE a.project_id = v.project_id""",  # noqa: S608 (the model's table)
                    [same[0][4], [r[0] for r in same], [r[2] for r in same],
                     [r[1] for r in same]],
                )  # fmt: skip
        if other:
            ProjectAnalysis.objects.filter(project_id__in=[r[0] for r in other]).delete()
            _copy(ProjectAnalysis, ANALYSIS_COLUMNS, other)
        if text_rows:
            ProjectText.objects.filter(project_id__in=[r[0] for r in text_rows]).delete()
            _insert(ProjectText, TEXT_COLUMNS, text_rows)


def _jsonb_text(value) -> str:
    """``value`` as PostgreSQL prints a jsonb (keys by length, then bytes; ", " and ": "),
    so that a stored row's digest can be compared with a new one's. Where the two printings
    would differ (a float in exponent form) the row is merely written again. Hand-written
    because ``json.dumps`` per value costs more than the rest of the chunk's writing."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        keys = tuple(value)
        order = _KEY_ORDER.get(keys)
        if order is None:
            ranked = sorted(keys, key=lambda k: (len(k.encode()), k.encode()))
            order = _KEY_ORDER[keys] = [(k, encode_basestring(k) + ": ") for k in ranked]
        return "{" + ", ".join(name + _jsonb_text(value[k]) for k, name in order) + "}"
    if kind is list:
        return "[" + ", ".join(map(_jsonb_text, value)) + "]"
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


_KEY_ORDER: dict[tuple, list[tuple[str, str]]] = {}


def _as_text(columns: tuple[str, ...], row: tuple) -> tuple:
    """The row with its JSON columns printed (once: both the digest and the write use it)."""
    return tuple(_jsonb_text(v) if c in JSON_COLUMNS else v
                 for c, v in zip(columns, row, strict=True))  # fmt: skip


def _cell_text(value) -> str:
    """A value as ``_stored_digests`` prints it in SQL (booleans as PostgreSQL prints them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _row_digest(values: Iterable) -> str:
    return hashlib.md5("\x1f".join(_cell_text(v) for v in values).encode(),
                       usedforsecurity=False).hexdigest()  # fmt: skip


def _stored_digests(model, key: tuple[str, ...], columns: tuple[str, ...],
                    pks: list[int]) -> dict[tuple, tuple[str, str]]:  # fmt: skip
    """key → (the row's version, md5 of its ``columns`` joined as ``_row_digest`` joins
    them)."""
    quote = connection.ops.quote_name
    cells = ", ".join(f"coalesce({quote(c)}::text, '')" for c in columns)
    keys = ", ".join(quote(c) for c in key)
    sql = (
        f"SELECT {keys}, version, md5(concat_ws(chr(31), {cells})) "  # noqa: S608 (model)
        f"FROM {quote(model._meta.db_table)} WHERE project_id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pks])
        return {tuple(r[: len(key)]): (r[-2], r[-1]) for r in cursor.fetchall()}


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows: COPY on PostgreSQL (~5x faster than INSERT), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(columns, r, strict=True))) for r in rows],
                                  batch_size=500)  # fmt: skip
        return
    json_at = [i for i, c in enumerate(columns) if c in JSON_COLUMNS]
    printed = []
    for row in rows:
        row = list(row)
        for i in json_at:
            row[i] = json.dumps(row[i], ensure_ascii=False)
        printed.append(row)
    _copy(model, columns, printed)


def _copy(model, columns: tuple[str, ...], rows: list) -> None:
    """COPY rows whose JSON columns are printed already (PostgreSQL only)."""
    if not rows:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                           buffer)  # fmt: skip
    pagecache.data_changed(connection)  # copy_expert goes around the connection's write watch


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
