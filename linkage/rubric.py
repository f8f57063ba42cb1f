"""The project-quality rubric: the automatic first pass on the seven criteria reviewers judge
a project by. Pure rules on plain values (no database), so a batch of 1,000 projects costs a
few milliseconds; ``rubric_services`` reads the inputs and stores the results.

The criteria (issue #6, "XYZ"):

1. ``alignment`` — a GATE: the project acts on its Y1 target (and through it the master plan
   and the national strategy). Passes (5) when the primary link is scored at least
   ``GATE_MIN_SCORE`` and its chain is consistent; fails (0) otherwise, and a failed gate makes
   the total 0. A declared factor must belong to the target (the chain check); a missing
   factor is noted, not failed, because the shipped hierarchy loads factors for almost no Y1.
2. ``necessity`` — the rationale states a problem: its length, problem words, who suffers.
3. ``evidence`` — an evidence base, not mere claims: figures and data-source words in the
   rationale, KPI baselines.
4. ``clarity`` — objectives, expected outcomes, target group (quantified), output KPIs.
5. ``activities`` — stated, dated, inside the project period, in order.
6. ``kpis`` — present, with unit and numeric target value, an outcome KPI, a baseline.
7. ``not_asset`` — not a construction, purchase, fund, committee or new agency unless clearly
   tied to Y1 (a strong, consistent alignment).

Criteria 2-7 score 0-5; the total is their sum scaled to 0-100. Each criterion carries the
notes that explain its score, as (code, value) pairs that ``describe`` turns into text in the
reader's language. Change a rule or threshold → bump ``RUBRIC_VERSION``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.rules import parse_number

RUBRIC_VERSION = "1.0.0"
MAX_SCORE = 5
PASS_MIN = 3  # a criterion scored below this is shown as failing

# 1. the gate
GATE_MIN_SCORE = 30  # the alignment score below which a link is weak (LinkScore.WEAK_BELOW)
# 2. necessity: rationale length steps (characters) and the words that state a problem
RATIONALE_STEPS = (40, 150, 400)
PROBLEM_WORDS = ("ปัญหา", "ขาด", "ต่ำ", "ลดลง", "เสี่ยง", "ไม่เพียงพอ", "ผลกระทบ", "ความต้องการ",
                 "จำเป็น", "อุปสรรค", "ไม่สามารถ", "ยากจน", "เสื่อมโทรม", "สูงขึ้น")  # fmt: skip
# 3. evidence: figures (Arabic or Thai digits) and words naming a source of data
FIGURE = re.compile(r"[0-9๐-๙]+(?:[.,][0-9๐-๙]+)*")
SOURCE_WORDS = ("ข้อมูล", "สถิติ", "รายงาน", "สำรวจ", "ผลการศึกษา", "งานวิจัย", "วิจัย", "ที่มา",
                "อ้างอิง", "สำนักงานสถิติ", "ทะเบียน", "ฐานข้อมูล")  # fmt: skip
# 7. words of the projects the rubric keeps away from, unless clearly tied to Y1
ASSET_WORDS = ("ก่อสร้าง", "จัดซื้อ", "ครุภัณฑ์", "กองทุน", "คณะกรรมการ", "จัดตั้งหน่วยงาน",
               "จัดตั้งสำนักงาน", "จัดตั้งศูนย์", "อาคาร", "สิ่งก่อสร้าง", "ยานพาหนะ")  # fmt: skip
TIED_MIN_SCORE = 60  # an alignment this strong counts as "clearly tied to Y1"


class Criterion(models.TextChoices):
    ALIGNMENT = "alignment", _("Acts on its Y1 target (gate)")
    NECESSITY = "necessity", _("Necessity")
    EVIDENCE = "evidence", _("Evidence base")
    CLARITY = "clarity", _("Objectives, outputs, outcomes, beneficiaries")
    ACTIVITIES = "activities", _("Activities clear, ordered, feasible")
    KPIS = "kpis", _("Measurable KPIs")
    NOT_ASSET = "not_asset", _("Not a building, purchase, fund or committee")


GATE = Criterion.ALIGNMENT
CRITERIA: tuple[str, ...] = tuple(Criterion.values)
SCORED = CRITERIA[1:]

# Short axis labels for the radar chart.
SHORT = {
    Criterion.ALIGNMENT: _("Y1 link"),
    Criterion.NECESSITY: _("Necessity"),
    Criterion.EVIDENCE: _("Evidence"),
    Criterion.CLARITY: _("Clarity"),
    Criterion.ACTIVITIES: _("Activities"),
    Criterion.KPIS: _("KPIs"),
    Criterion.NOT_ASSET: _("Not an asset"),
}

NOTES = {
    "no_link": _("no primary link to a target"),
    "not_scored": _("the primary link is not scored yet"),
    "link_score": _("alignment score %(v)s (gate needs %(min)s)"),
    "chain_broken": _("the declared chain is inconsistent"),
    "chain_ok": _("the chain factor ⊂ Y1 ⊂ master plan is consistent"),
    "above_y1": _("linked above the Y1 level"),
    "factor": _("acts on a declared value-chain factor"),
    "no_factor": _("no value-chain factor declared"),
    "rationale_chars": _("rationale of %(v)s characters"),
    "problem_words": _("states a problem: %(v)s"),
    "no_problem_words": _("no problem stated in the rationale"),
    "who_suffers": _("names who is affected"),
    "figures": _("%(v)s figures in the rationale"),
    "source_words": _("names data sources: %(v)s"),
    "no_sources": _("no data source named"),
    "baselines": _("KPIs with a baseline: %(v)s"),
    "objectives": _("objectives: %(v)s"),
    "no_objectives": _("no objectives"),
    "outcomes": _("expected outcomes stated"),
    "no_outcomes": _("no expected outcomes"),
    "target_group": _("target group stated"),
    "no_target_group": _("no target group"),
    "target_group_counted": _("target group counted"),
    "output_kpi": _("output KPIs: %(v)s"),
    "activities": _("%(v)s activities"),
    "no_activities": _("no activities"),
    "undated": _("activities without dates: %(v)s"),
    "outside_period": _("activities outside the project period: %(v)s"),
    "inside_period": _("every activity inside the project period"),
    "out_of_order": _("activities out of order: %(v)s"),
    "in_order": _("activities in order"),
    "kpi_count": _("%(v)s KPIs"),
    "no_kpis": _("no KPIs"),
    "no_unit": _("KPIs without a unit: %(v)s"),
    "no_target_value": _("KPIs without a numeric target value: %(v)s"),
    "outcome_kpi": _("outcome KPIs: %(v)s"),
    "asset_in_title": _("the title or objectives speak of: %(v)s"),
    "asset_in_activities": _("activities speak of: %(v)s"),
    "no_asset": _("no construction, purchase, fund or committee"),
    "tied_to_y1": _("strongly tied to its Y1 target"),
}


def describe(note: list | tuple) -> str:
    """One stored note as text in the active language."""
    code, value = note[0], note[1] if len(note) > 1 else ""
    template = NOTES.get(code)
    if template is None:
        return str(code)
    return str(template) % {"v": value, "min": GATE_MIN_SCORE}


@dataclass
class KpiIn:
    kind: str
    unit: str
    target_value: str
    baseline: str


@dataclass
class ActivityIn:
    order: int
    start: date | None
    end: date | None


@dataclass
class LinkIn:
    score: int
    chain_ok: bool
    has_factor: bool
    node_kind: str


@dataclass
class RubricInput:
    """What the rules read of one project."""

    title: str = ""
    rationale: str = ""
    objectives: str = ""
    target_group: str = ""
    expected_outcomes: str = ""
    start: date | None = None
    end: date | None = None
    kpis: list[KpiIn] = field(default_factory=list)
    activities: list[ActivityIn] = field(default_factory=list)
    activity_names: list[str] = field(default_factory=list)
    has_link: bool = False
    link: LinkIn | None = None  # the stored score of the primary link, if scored


Result = dict[str, dict]  # criterion → {"score": int, "notes": [[code, value], ...]}


def _found(text: str, vocabulary: tuple[str, ...]) -> list[str]:
    return [w for w in vocabulary if w in text]


def _alignment(p: RubricInput) -> tuple[int, list]:
    if not p.has_link:
        return 0, [["no_link", ""]]
    if p.link is None:
        return 0, [["not_scored", ""]]
    link = p.link
    notes = [["link_score", link.score], ["chain_ok" if link.chain_ok else "chain_broken", ""]]
    if link.node_kind != "y1":
        notes.append(["above_y1", ""])
    notes.append(["factor" if link.has_factor else "no_factor", ""])
    passed = link.chain_ok and link.score >= GATE_MIN_SCORE
    return (MAX_SCORE if passed else 0), notes


def _necessity(p: RubricInput) -> tuple[int, list]:
    text = p.rationale.strip()
    score = sum(len(text) >= step for step in RATIONALE_STEPS)
    notes = [["rationale_chars", len(text)]]
    problems = _found(text, PROBLEM_WORDS)
    if problems:
        score += 1
        notes.append(["problem_words", ", ".join(problems[:4])])
    else:
        notes.append(["no_problem_words", ""])
    if text and p.target_group.strip():
        score += 1
        notes.append(["who_suffers", ""])
    return min(score, MAX_SCORE), notes


def _evidence(p: RubricInput) -> tuple[int, list]:
    figures = len(FIGURE.findall(p.rationale))
    sources = _found(p.rationale, SOURCE_WORDS)
    baselines = sum(bool(k.baseline.strip()) for k in p.kpis)
    score = (figures >= 1) + (figures >= 3) + (len(sources) >= 1) + (len(sources) >= 2)
    score += baselines >= 1
    notes = [["figures", figures]]
    notes.append(["source_words", ", ".join(sources[:4])] if sources else ["no_sources", ""])
    notes.append(["baselines", baselines])
    return min(score, MAX_SCORE), notes


def _clarity(p: RubricInput) -> tuple[int, list]:
    objectives = [line for line in p.objectives.splitlines() if line.strip()]
    outputs = sum(k.kind == "output" for k in p.kpis)
    group = p.target_group.strip()
    checks = [
        (bool(objectives), ["objectives", len(objectives)], ["no_objectives", ""]),
        (bool(p.expected_outcomes.strip()), ["outcomes", ""], ["no_outcomes", ""]),
        (bool(group), ["target_group", ""], ["no_target_group", ""]),
        (bool(FIGURE.search(group)), ["target_group_counted", ""], None),
        (outputs > 0, ["output_kpi", outputs], ["output_kpi", 0]),
    ]
    score, notes = 0, []
    for ok, yes, no in checks:
        score += ok
        if ok or no:
            notes.append(yes if ok else no)
    return score, notes


def _activities(p: RubricInput) -> tuple[int, list]:
    acts = sorted(p.activities, key=lambda a: a.order)
    if not acts:
        return 0, [["no_activities", ""]]
    score = 1 + (len(acts) >= 2)
    notes = [["activities", len(acts)]]
    undated = [a.order for a in acts if not (a.start and a.end)]
    if undated:
        notes.append(["undated", ", ".join(map(str, undated))])
    else:
        score += 1
    outside = [
        a.order for a in acts if a.start and a.end and p.start and p.end
        and (a.start < p.start or a.end > p.end)
    ]  # fmt: skip
    if outside:
        notes.append(["outside_period", ", ".join(map(str, outside))])
    elif not undated and p.start and p.end:
        score += 1
        notes.append(["inside_period", ""])
    # In order: each activity ends after it starts and starts no earlier than the one before.
    disorder, previous = [], None
    for a in acts:
        backwards = bool(a.start and a.end and a.end < a.start)
        if backwards or (a.start and previous and a.start < previous):
            disorder.append(a.order)
        previous = a.start or previous
    if disorder:
        notes.append(["out_of_order", ", ".join(map(str, disorder))])
    elif not undated:
        score += 1
        notes.append(["in_order", ""])
    return min(score, MAX_SCORE), notes


def _kpis(p: RubricInput) -> tuple[int, list]:
    if not p.kpis:
        return 0, [["no_kpis", ""]]
    no_unit = sum(not k.unit.strip() for k in p.kpis)
    no_target = sum(parse_number(k.target_value) is None for k in p.kpis)
    outcomes = sum(k.kind == "outcome" for k in p.kpis)
    baselines = sum(bool(k.baseline.strip()) for k in p.kpis)
    score = 1 + (no_unit == 0) + (no_target == 0) + (outcomes > 0) + (baselines > 0)
    notes = [["kpi_count", len(p.kpis)]]
    if no_unit:
        notes.append(["no_unit", no_unit])
    if no_target:
        notes.append(["no_target_value", no_target])
    notes += [["outcome_kpi", outcomes], ["baselines", baselines]]
    return score, notes


def _not_asset(p: RubricInput) -> tuple[int, list]:
    main = _found(f"{p.title}\n{p.objectives}", ASSET_WORDS)
    in_activities = _found("\n".join(p.activity_names), ASSET_WORDS)
    if not main and not in_activities:
        return MAX_SCORE, [["no_asset", ""]]
    score, notes = 0, []
    if main:
        notes.append(["asset_in_title", ", ".join(main)])
    else:
        score = 2
    if in_activities:
        notes.append(["asset_in_activities", ", ".join(in_activities)])
    tied = p.link is not None and p.link.chain_ok and p.link.score >= TIED_MIN_SCORE
    if tied:
        score += 2
        notes.append(["tied_to_y1", ""])
    return score, notes


def assess(p: RubricInput) -> Result:
    """The automatic pass on every criterion, with the notes behind each score."""
    out: Result = {}
    for criterion, rule in (
        (Criterion.ALIGNMENT, _alignment),
        (Criterion.NECESSITY, _necessity),
        (Criterion.EVIDENCE, _evidence),
        (Criterion.CLARITY, _clarity),
        (Criterion.ACTIVITIES, _activities),
        (Criterion.KPIS, _kpis),
        (Criterion.NOT_ASSET, _not_asset),
    ):
        score, notes = rule(p)
        out[str(criterion)] = {"score": int(score), "notes": notes}
    return out


def total(scores: dict[str, int]) -> int:
    """0-100: criteria 2-7 summed and scaled; 0 when the gate fails."""
    if scores.get(GATE, 0) < PASS_MIN:
        return 0
    return round(100 * sum(scores.get(c, 0) for c in SCORED) / (MAX_SCORE * len(SCORED)))
