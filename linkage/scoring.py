"""The versioned scorer: how well a project's text serves each target of an edition.

An ``EditionIndex`` holds two TF-IDF matrices over the edition's targets (master plans, their
targets, sub-plans, Y1 targets, value-chain components and factors):

- the *plan document* of each master plan: its titles, everything loaded below it and the
  scope words of ``lexicon.py`` (public titles are a few words; a plan's subject is not);
- the *own document* of each target: its title (twice), indicators, the factors below it, the
  scope words of its sub-plan and its ancestors' titles.

A project is the weighted sum of its fields' vectors (``FIELD_WEIGHTS``), so a long rationale
does not drown the title. Its relevance to a target combines, each on 0-1 (``WEIGHTS``):

- ``text``: 0.6 × cosine similarity to the target's plan document + 0.4 × to its own
  document, saturated as ``1 - exp(-cosine / TEXT_SCALE)`` (a plainly on-topic project has a
  cosine of about 0.15, so it reaches about 0.65; no cap, so strong matches still rank);
- ``kpi``: the same for the KPI names and units alone, against the plan document and the
  target's indicators (or own text where it has none);
- ``prior``: the share of the agency's other current projects whose primary link lies in
  the target's master plan (an agency's mandate changes slowly); when the agency has fewer
  than ``PRIOR_MIN`` such projects the units beside it under the same parent count too.

A signal the project cannot provide (no KPI, no agency history) gives its weight to the others.
The alignment score of a declared link is ``100 × relevance``, halved when the declared chain
(factor ⊂ Y1 ⊂ sub-plan ⊂ master plan ⊂ the edition of the fiscal year) is broken.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from strategy.models import Edition, Indicator, Kind, Node

from . import lexicon
from .text import features, words

SCORER_VERSION = "1.1.0"

FIELD_WEIGHTS = {
    "title": 3.0,
    "objectives": 2.0,
    "kpis": 1.5,
    "expected_outcomes": 1.0,
    "activities": 1.0,
    "rationale": 0.7,
    "target_group": 0.5,
}
WEIGHTS = {"text": 0.6, "kpi": 0.15, "prior": 0.25}
PLAN_SHARE = 0.6  # of a target's text similarity that comes from its master plan's document
TEXT_SCALE = 0.15  # calibrated on the labelled set: median on-topic cosine
CHAIN_BROKEN_FACTOR = 0.5
PRIOR_MIN = 3
BETTER_BELOW_RANK = 3  # list better-fitting targets when the declared one ranks below this
TOP_BETTER = 5

TARGET_KINDS = (
    Kind.MASTER_PLAN, Kind.MASTER_PLAN_TARGET, Kind.SUB_PLAN, Kind.SUB_PLAN_TARGET,
    Kind.COMPONENT, Kind.FACTOR,
)  # fmt: skip


@dataclass
class Target:
    id: int
    code: str
    kind: str
    title: str
    row: int
    plan_row: int  # -1: not under a master plan
    master_plan_code: str = ""
    sub_plan_code: str = ""
    sub_plan_title: str = ""
    ancestors: tuple[int, ...] = ()

    def as_suggestion(self, score: float) -> dict:
        return {
            "code": self.code, "kind": self.kind, "title": self.title,
            "master_plan_code": self.master_plan_code, "sub_plan_code": self.sub_plan_code,
            "sub_plan_title": self.sub_plan_title, "score": round(float(score) * 100, 1),
        }  # fmt: skip


def _identity(tokens):
    return tokens


def _tfidf() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2", dtype=np.float32)


@dataclass
class EditionIndex:
    edition: Edition
    signature: str
    targets: list[Target]
    by_id: dict[int, Target]
    plan_codes: list[str]
    vectorizer: TfidfVectorizer
    plan_matrix: sparse.csr_matrix  # master plans × terms
    own_matrix: sparse.csr_matrix  # targets × terms
    kpi_matrix: sparse.csr_matrix  # targets × terms (indicators, else own text)
    target_plan: np.ndarray  # target row → plan row (or -1)
    candidates: np.ndarray  # target rows suggested (the deepest loaded level per branch)
    kind_rows: dict[str, np.ndarray] = field(default_factory=dict)
    terms: np.ndarray = field(default_factory=lambda: np.array([]))
    # Each target's blended vector (plan and own document), dense: explanations read it.
    target_dense: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    _shown: list[str] | None = None

    def shown_terms(self) -> list[str]:
        """Each term as a reader sees it (a word pair joined the way Thai is written),
        made once per index."""
        if self._shown is None:
            self._shown = [_show(t) for t in self.terms.tolist()]
        return self._shown


def _show(term: str) -> str:
    a, _, b = term.partition("_")
    return a + (" " if (a + b).isascii() or a.isascii() != b.isascii() else "") + b if b else a


def index_signature(edition: Edition) -> str:
    """Changes whenever a target's text (or the scorer) changes: the cache key of the index
    and part of every project's fingerprint."""
    h = hashlib.sha1(SCORER_VERSION.encode(), usedforsecurity=False)
    h.update(repr((lexicon.MASTER_PLAN_SCOPE, lexicon.SUB_PLAN_SCOPE)).encode())
    rows = Node.objects.filter(edition=edition, kind__in=TARGET_KINDS).order_by("id")
    for row in rows.values_list("id", "parent_id", "kind", "code", "title_th", "full_title_th"):
        h.update(repr(row).encode())
    for row in (
        Indicator.objects.filter(node__edition=edition)
        .order_by("id")
        .values_list("node_id", "name_th", "unit")
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


# edition pk → (the database's state of its targets, the index built from them)
_CACHE: dict[int, tuple[str, EditionIndex]] = {}


def _target_state(edition: Edition) -> str:
    """A cheap fingerprint of the rows ``index_signature`` reads, computed in the database.
    Every rescore asks for the index; reading and hashing every target in Python to check the
    cached one cost more than scoring the project itself."""
    if connection.vendor != "postgresql":
        return index_signature(edition)
    nodes, indicators = Node._meta.db_table, Indicator._meta.db_table
    sep = "chr(31)"
    sql = f"""
        SELECT md5(
            coalesce((SELECT string_agg(concat_ws({sep}, id, coalesce(parent_id::text, ''),
                              kind, code, title_th, full_title_th), chr(30) ORDER BY id)
                      FROM {nodes} WHERE edition_id = %s AND kind = ANY(%s)), '')
            || chr(29) ||
            coalesce((SELECT string_agg(concat_ws({sep}, i.id, i.node_id, i.name_th, i.unit),
                                        chr(30) ORDER BY i.id)
                      FROM {indicators} i JOIN {nodes} n ON n.id = i.node_id
                      WHERE n.edition_id = %s), ''))
    """  # noqa: S608 (table names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [edition.pk, [str(k) for k in TARGET_KINDS], edition.pk])
        return cursor.fetchone()[0]


def get_index(edition: Edition) -> EditionIndex:
    """The index of ``edition``, kept per process and rebuilt only when its targets changed
    (the scorer version and the lexicon are part of the code, so of the process)."""
    state = _target_state(edition)
    cached = _CACHE.get(edition.pk)
    if cached is None or cached[0] != state:
        cached = _CACHE[edition.pk] = (state, build_index(edition))
    return cached[1]


def build_index(edition: Edition, signature: str | None = None) -> EditionIndex:
    nodes = list(Node.objects.filter(edition=edition, kind__in=TARGET_KINDS).order_by("code", "id"))
    by_pk = {n.pk: n for n in nodes}
    indicators: dict[int, list[str]] = {}
    for node_id, name, unit in Indicator.objects.filter(node__edition=edition).values_list(
        "node_id", "name_th", "unit"
    ):
        indicators.setdefault(node_id, []).append(f"{name} {unit}")
    children: dict[int | None, list[Node]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)

    def ancestors(n: Node) -> list[Node]:
        out, p = [], by_pk.get(n.parent_id)
        while p is not None:
            out.append(p)
            p = by_pk.get(p.parent_id)
        return out

    def descendants(n: Node) -> list[Node]:
        out, stack = [], list(children.get(n.pk, []))
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(children.get(c.pk, []))
        return out

    def title(n: Node) -> str:
        return " ".join(p for p in (n.title_th, n.full_title_th) if p)

    def sub_plan_scope(n: Node) -> str:
        return lexicon.SUB_PLAN_SCOPE.get(n.code) or lexicon.SUB_PLAN_SCOPE_BY_TITLE.get(
            n.title_th, ""
        )

    plans = [n for n in nodes if n.kind == Kind.MASTER_PLAN]
    plan_row = {n.pk: i for i, n in enumerate(plans)}
    plan_docs = []
    for plan in plans:
        below = descendants(plan)
        parts = [title(plan), title(plan), lexicon.MASTER_PLAN_SCOPE.get(plan.code, "")]
        parts += [title(d) for d in below]
        parts += [sub_plan_scope(d) for d in below if d.kind == Kind.SUB_PLAN]
        parts += [" ".join(indicators.get(d.pk, [])) for d in below]
        plan_docs.append(features(words(" ".join(parts))))

    targets, own_docs, kpi_docs = [], [], []
    for row, n in enumerate(nodes):
        chain = ancestors(n)
        plan = next((a for a in chain if a.kind == Kind.MASTER_PLAN), None)
        if n.kind == Kind.MASTER_PLAN:
            plan = n
        sub_plan = n if n.kind == Kind.SUB_PLAN else next(
            (a for a in chain if a.kind == Kind.SUB_PLAN), None
        )  # fmt: skip
        t = Target(
            id=n.pk, code=n.code, kind=n.kind, title=n.label, row=row,
            plan_row=plan_row[plan.pk] if plan else -1,
            master_plan_code=plan.code if plan else "",
            sub_plan_code=sub_plan.code if sub_plan else "",
            sub_plan_title=sub_plan.title_th if sub_plan else "",
            ancestors=tuple(a.pk for a in chain),
        )  # fmt: skip
        targets.append(t)
        if n.kind == Kind.MASTER_PLAN:
            own_docs.append(plan_docs[plan_row[n.pk]])
        else:
            parts = [title(n), title(n), " ".join(indicators.get(n.pk, []))]
            parts += [title(d) for d in descendants(n) if d.kind == Kind.FACTOR]
            parts += [title(a) for a in chain]
            if sub_plan is not None:
                parts.append(sub_plan_scope(sub_plan))
            own_docs.append(features(words(" ".join(parts))))
        kpi_text = " ".join(indicators.get(n.pk, [])) or title(n)
        kpi_docs.append(features(words(kpi_text)))

    vectorizer = _tfidf()
    vectorizer.fit(plan_docs + own_docs)
    plan_matrix = vectorizer.transform(plan_docs).tocsr()
    own_matrix = vectorizer.transform(own_docs).tocsr()
    target_plan = np.array([t.plan_row for t in targets], dtype=int)
    dense = (1 - PLAN_SHARE) * own_matrix.toarray()
    has_plan = target_plan >= 0
    dense[has_plan] += PLAN_SHARE * plan_matrix.toarray()[target_plan[has_plan]]
    dense[~has_plan] /= 1 - PLAN_SHARE
    by_id = {t.id: t for t in targets}
    kind_rows = {
        kind: np.array([t.row for t in targets if t.kind == kind], dtype=int)
        for kind in TARGET_KINDS
    }
    return EditionIndex(
        edition=edition,
        signature=signature or index_signature(edition),
        targets=targets,
        by_id=by_id,
        plan_codes=[p.code for p in plans],
        vectorizer=vectorizer,
        plan_matrix=plan_matrix,
        own_matrix=own_matrix,
        kpi_matrix=vectorizer.transform(kpi_docs).tocsr(),
        target_plan=target_plan,
        candidates=_candidates(targets, nodes, children),
        kind_rows=kind_rows,
        terms=vectorizer.get_feature_names_out(),
        target_dense=dense.astype(np.float32),
    )


def _candidates(targets: list[Target], nodes: list[Node], children) -> np.ndarray:
    """The deepest loaded level under each master plan: its titled Y1 targets and the titled
    sub-plans without one; else its targets (Y2); else the master plan itself."""
    rows = []
    titled = {n.pk for n in nodes if n.title_th}
    for plan in (t for t in targets if t.kind == Kind.MASTER_PLAN):
        below = [t for t in targets if plan.id in t.ancestors and t.id in titled]
        y1 = [t for t in below if t.kind == Kind.SUB_PLAN_TARGET]
        sub_plans = [
            t for t in below if t.kind == Kind.SUB_PLAN
            and not any(t.id in y.ancestors for y in y1)
        ]  # fmt: skip
        chosen = y1 + sub_plans or [t for t in below if t.kind == Kind.MASTER_PLAN_TARGET]
        rows += [t.row for t in chosen] or [plan.row]
    return np.array(sorted(rows), dtype=int)


# --- projects ------------------------------------------------------------------------------


@dataclass
class ProjectInput:
    """What the scorer reads of a project: its texts (already segmented) and agency prior."""

    fields: dict[str, list[str]]  # field name → words
    prior: dict[str, float] = field(default_factory=dict)  # master-plan code → share

    @classmethod
    def from_texts(cls, prior: dict[str, float] | None = None, **texts: str) -> ProjectInput:
        return cls(fields={k: words(v) for k, v in texts.items() if v}, prior=prior or {})


def _field_matrices(
    index: EditionIndex, inputs: list[ProjectInput]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """The weighted, normalised sum of each project's field vectors, and its KPI vector.
    All fields of all projects go through the vectoriser in one call (each call has a fixed
    cost that dominated a single project's rescore); a sparse weight matrix then sums them."""
    n, names = len(inputs), list(FIELD_WEIGHTS)
    docs = [features(p.fields.get(name, [])) for name in names for p in inputs]
    X = index.vectorizer.transform(docs).tocsr()
    weights = np.array([FIELD_WEIGHTS[name] for name in names], dtype=np.float32)
    # project i's field f is row f * n + i of X; W sums them in FIELD_WEIGHTS order
    cols = np.arange(len(names))[None, :] * n + np.arange(n)[:, None]
    W = sparse.csr_matrix(
        (np.tile(weights, n), cols.ravel(), np.arange(0, n * len(names) + 1, len(names))),
        shape=(n, len(names) * n),
    )
    P = normalize((W @ X).tocsr())
    P.sort_indices()  # the explanations break ties in the row's order: keep it canonical
    kpis = names.index("kpis")
    return P, normalize(X[kpis * n : (kpis + 1) * n])


def relevance(index: EditionIndex, inputs: list[ProjectInput]) -> dict[str, np.ndarray]:
    """Per project × target: each signal on 0-1 and their weighted combination."""
    n = len(inputs)
    P, K = _field_matrices(index, inputs)
    plan_sim = (P @ index.plan_matrix.T).toarray()
    own_sim = (P @ index.own_matrix.T).toarray()
    kpi_plan = (K @ index.plan_matrix.T).toarray()
    kpi_own = (K @ index.kpi_matrix.T).toarray()
    tp = index.target_plan
    has_plan = tp >= 0
    safe_tp = np.where(has_plan, tp, 0)

    def on_targets(plan_part: np.ndarray, own_part: np.ndarray) -> np.ndarray:
        plan_cols = np.where(has_plan, plan_part[:, safe_tp], own_part)
        return PLAN_SHARE * plan_cols + (1 - PLAN_SHARE) * own_part

    text = 1.0 - np.exp(-on_targets(plan_sim, own_sim) / TEXT_SCALE)
    kpi = 1.0 - np.exp(-on_targets(kpi_plan, kpi_own) / TEXT_SCALE)
    prior_plan = np.zeros((n, len(index.plan_codes)), dtype=np.float32)
    col = {c: i for i, c in enumerate(index.plan_codes)}
    for i, p in enumerate(inputs):
        for code, share in p.prior.items():
            if code in col:
                prior_plan[i, col[code]] = share
    prior = np.where(has_plan, prior_plan[:, safe_tp], 0.0)
    w_text = np.full((n, 1), WEIGHTS["text"])
    w_kpi = np.array([[WEIGHTS["kpi"] if p.fields.get("kpis") else 0.0] for p in inputs])
    w_prior = np.array([[WEIGHTS["prior"] if p.prior else 0.0] for p in inputs])
    total = w_text + w_kpi + w_prior
    combined = (w_text * text + w_kpi * kpi + w_prior * prior) / total
    return {"text": text, "kpi": kpi, "prior": prior, "combined": combined, "P": P}


def top_candidates(index: EditionIndex, combined_row: np.ndarray, k: int,
                   exclude: set[int] = frozenset(), above: float = -1.0) -> list[dict]:  # fmt: skip
    rows = index.candidates
    values = combined_row[rows]
    order = np.argsort(-values, kind="stable")
    out = []
    for i in order:
        t = index.targets[rows[i]]
        if t.id in exclude or values[i] <= above:
            continue
        out.append(t.as_suggestion(values[i]))
        if len(out) == k:
            break
    return out


def top_candidates_many(index: EditionIndex, combined: np.ndarray, k: int) -> list[list[dict]]:
    """``top_candidates(index, row, k)`` for every row of ``combined`` at once."""
    rows = index.candidates
    values = combined[:, rows]
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    targets = index.targets
    return [
        [targets[rows[j]].as_suggestion(values[i, j]) for j in order_i]
        for i, order_i in enumerate(order.tolist())
    ]


def ranks_within_kind(
    index: EditionIndex, combined: np.ndarray, at: np.ndarray, cols: np.ndarray
) -> list[tuple[int, int]]:
    """Each declared target's place among the edition's targets of the same kind (rank, of
    how many), for many links at once: link j is project row ``at[j]``, target row
    ``cols[j]``."""
    out = np.zeros(len(at), dtype=int)
    rank_of = np.zeros(len(at), dtype=int)
    kinds = np.array([index.targets[c].kind for c in cols.tolist()], dtype=object)
    for kind, rows in index.kind_rows.items():
        sel = np.nonzero(kinds == kind)[0]
        if not len(sel):
            continue
        value = combined[at[sel], cols[sel]]
        out[sel] = (combined[at[sel][:, None], rows[None, :]] > value[:, None] + 1e-9).sum(1) + 1
        rank_of[sel] = len(rows)
    return list(zip(out.tolist(), rank_of.tolist(), strict=True))


def explain_many(index: EditionIndex, P: sparse.csr_matrix, at: np.ndarray, cols: np.ndarray,
                 k: int = 8) -> list[tuple[list[str], list[str]]]:  # fmt: skip
    """The words that carry each match: the shared terms with the largest contribution to the
    similarity, ordered by their weight in the project and by their weight in the target.
    Link j is project row ``at[j]`` of ``P`` and target row ``cols[j]``; all links are sorted
    at once (ties in the row's order), a few numpy calls instead of ~10 per link."""
    if not len(at):
        return []
    starts, lengths = P.indptr[at], P.indptr[at + 1] - P.indptr[at]
    link = np.repeat(np.arange(len(at)), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.repeat(starts, lengths) + offset
    term, values = P.indices[pos], P.data[pos]
    weights = index.target_dense[np.repeat(cols, lengths), term]
    contribution = values * weights
    # by link, then largest contribution first, ties in the row's order; positive ones only
    order = np.lexsort((offset, -contribution, link))
    order = order[contribution[order] > 0]
    link_sorted = link[order]
    place = np.arange(len(order)) - np.searchsorted(link_sorted, link_sorted, side="left")
    top, top_link, top_place = order[place < k], link_sorted[place < k], place[place < k]
    by_project = top[np.lexsort((top_place, -values[top], top_link))]
    by_target = top[np.lexsort((top_place, -weights[top], top_link))]
    bounds = np.searchsorted(top_link, np.arange(len(at) + 1), side="left").tolist()
    shown = index.shown_terms()
    project_terms = [shown[t] for t in term[by_project].tolist()]
    target_terms = [shown[t] for t in term[by_target].tolist()]
    return [
        (project_terms[bounds[j] : bounds[j + 1]], target_terms[bounds[j] : bounds[j + 1]])
        for j in range(len(at))
    ]


def prior_shares(counts: Counter) -> dict[str, float]:
    total = sum(counts.values())
    return {code: round(c / total, 4) for code, c in sorted(counts.items())} if total else {}
