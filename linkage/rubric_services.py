"""Writes of the quality rubric: the automatic pass over many projects (run by the rescoring
tasks right after the alignment scores, which its gate reads) and a reviewer's judgement of
one criterion. The rules themselves are in ``rubric.py``; reads for pages in ``selectors``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import access
from projects.models import KPI, Activity, Project, StrategyLink

from . import rubric
from .models import LinkScore, RubricAssessment, RubricReview

PROJECT_FIELDS = ("pk", "title", "rationale", "objectives", "target_group", "expected_outcomes",
                  "start_date", "end_date")  # fmt: skip


def read_inputs(ids: Iterable[int]) -> dict[int, rubric.RubricInput]:
    """What the rules read of each project, in five value queries whatever the batch size."""
    ids = list(ids)
    inputs = {
        pk: rubric.RubricInput(title or "", why or "", aims or "", group or "", out or "", s, e)
        for pk, title, why, aims, group, out, s, e in Project.objects.filter(pk__in=ids)
        .values_list(*PROJECT_FIELDS)
    }  # fmt: skip
    for pid, kind, unit, target, baseline in KPI.objects.filter(project_id__in=ids).values_list(
        "project_id", "kind", "unit", "target_value", "baseline"
    ):
        inputs[pid].kpis.append(rubric.KpiIn(kind, unit or "", target or "", baseline or ""))
    for pid, order, name, start, end in Activity.objects.filter(project_id__in=ids).values_list(
        "project_id", "order", "name", "start_date", "end_date"
    ):
        inputs[pid].activities.append(rubric.ActivityIn(order, start, end))
        inputs[pid].activity_names.append(name)
    for pid in StrategyLink.objects.filter(project_id__in=ids, is_primary=True).values_list(
        "project_id", flat=True
    ):
        inputs[pid].has_link = True
    for pid, score, chain_ok, factor, kind in LinkScore.objects.filter(
        project_id__in=ids, is_primary=True
    ).values_list("project_id", "score", "chain_ok", "factor_id", "node__kind"):
        inputs[pid].link = rubric.LinkIn(score, chain_ok, factor is not None, kind)
    return inputs


def _digest(criteria: dict) -> str:
    text = json.dumps(criteria, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(
        f"{rubric.RUBRIC_VERSION}\x1f{text}".encode(), usedforsecurity=False
    ).hexdigest()


def assess_projects(ids: Iterable[int]) -> int:
    """Recompute the automatic pass of the given projects; returns how many changed. Rows whose
    result is the same are not written; reviewers' judgements are never touched."""
    inputs = read_inputs(ids)
    if not inputs:
        return 0
    stored = dict(
        RubricAssessment.objects.filter(project_id__in=list(inputs)).values_list(
            "project_id", "digest"
        )
    )
    now = timezone.now()
    changed = []
    for pid, inp in inputs.items():
        criteria = rubric.assess(inp)
        digest = _digest(criteria)
        if stored.get(pid) == digest:
            continue
        total = rubric.total({c: v["score"] for c, v in criteria.items()})
        changed.append(RubricAssessment(
            project_id=pid, version=rubric.RUBRIC_VERSION, criteria=criteria, digest=digest,
            total=total, assessed_at=now,
        ))  # fmt: skip
    if changed:
        RubricAssessment.objects.bulk_create(
            changed, batch_size=1000, update_conflicts=True, unique_fields=["project"],
            update_fields=["version", "criteria", "digest", "total", "assessed_at"],
        )  # fmt: skip
    return len(changed)


def review(project: Project, user, criterion: str, score: int, reason: str = "") -> RubricReview:
    """Store a reviewer's confirmation (the automatic score, reason optional) or override (any
    other score, reason required) of one criterion."""
    if not access.can_review_quality(user, project):
        raise PermissionDenied(_("You may not review the quality of this project."))
    if criterion not in rubric.CRITERIA:
        raise ValidationError(_("Unknown criterion."))
    allowed = (0, rubric.MAX_SCORE) if criterion == rubric.GATE else range(rubric.MAX_SCORE + 1)
    if score not in allowed:
        raise ValidationError(_("The score must be between 0 and 5 (the gate: 0 or 5)."))
    assessment = RubricAssessment.objects.filter(project=project).first()
    auto = assessment.criteria.get(criterion, {}).get("score") if assessment else None
    reason = (reason or "").strip()
    if score != auto and not reason:
        raise ValidationError(_("Give a reason when your score differs from the automatic one."))
    with transaction.atomic():
        saved, _created = RubricReview.objects.update_or_create(
            project=project, criterion=criterion,
            defaults={"score": score, "auto_score": auto, "reason": reason, "reviewer": user,
                      "reviewed_at": timezone.now()},
        )  # fmt: skip
    return saved
