"""Accuracy of the suggestions on a labelled set, next to a plain baseline (TF-IDF over the
targets' titles alone), at master-plan and sub-plan level."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sklearn.preprocessing import normalize

from strategy.models import Edition

from . import scoring
from .text import features, words


@dataclass
class Accuracy:
    name: str
    mp_top1: float
    mp_top3: float
    sp_top1: float
    sp_top3: float
    n: int
    n_sub: int


def read_jsonl(lines: Iterable[str]) -> list[dict]:
    return [json.loads(line) for line in lines if line.strip()]


def _ordered_unique(values: list[str]) -> list[str]:
    seen, out = set(), []
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def _accuracy(name: str, items: list[dict], ranked: list[list[tuple[str, str]]]) -> Accuracy:
    mp1 = mp3 = sp1 = sp3 = n_sub = 0
    for item, targets in zip(items, ranked, strict=True):
        plans = _ordered_unique([mp for mp, _ in targets])
        mp1 += plans[:1] == [item["master_plan"]]
        mp3 += item["master_plan"] in plans[:3]
        if item.get("sub_plan"):
            n_sub += 1
            subs = _ordered_unique([sp for _, sp in targets])
            sp1 += subs[:1] == [item["sub_plan"]]
            sp3 += item["sub_plan"] in subs[:3]
    n = len(items) or 1
    ns = n_sub or 1
    return Accuracy(name, mp1 / n, mp3 / n, sp1 / ns, sp3 / ns, len(items), n_sub)


def evaluate_scorer(items: list[dict], edition: Edition) -> Accuracy:
    index = scoring.get_index(edition)
    inputs = [
        scoring.ProjectInput.from_texts(
            title=i.get("title", ""), objectives=i.get("objective", ""), kpis=i.get("kpi", "")
        )
        for i in items
    ]
    combined = scoring.relevance(index, inputs)["combined"]
    ranked = []
    for row in combined:
        order = index.candidates[np.argsort(-row[index.candidates], kind="stable")]
        ranked.append([(index.targets[r].master_plan_code, index.targets[r].sub_plan_code)
                       for r in order])  # fmt: skip
    return _accuracy(f"scorer {scoring.SCORER_VERSION}", items, ranked)


def evaluate_baseline(items: list[dict], edition: Edition) -> Accuracy:
    """TF-IDF over each target's own title, the project's title + objective + KPI as query."""
    index = scoring.get_index(edition)
    targets = [t for t in index.targets if t.title and t.plan_row >= 0]
    vectorizer = scoring._tfidf()
    matrix = vectorizer.fit_transform([features(words(t.title)) for t in targets])
    queries = [
        features(words(" ".join((i.get("title", ""), i.get("objective", ""), i.get("kpi", "")))))
        for i in items
    ]
    sims = (normalize(vectorizer.transform(queries)) @ matrix.T).toarray()
    ranked = []
    for row in sims:
        order = np.argsort(-row, kind="stable")
        ranked.append([(targets[r].master_plan_code, targets[r].sub_plan_code) for r in order])
    return _accuracy("baseline: TF-IDF over target titles", items, ranked)
