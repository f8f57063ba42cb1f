"""What the linkage analysis stores: per project its analysed text and per declared link the
score, rank, explanation and better-fitting targets. Only linkage writes these tables; rows
carry the scorer version that produced them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Project
from strategy.models import Node


class ProjectText(models.Model):
    """A project's segmented words, kept while its text stays the same: segmentation is the
    costly step, so a rescore after a scorer or target change reuses them."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="+")
    text_hash = models.CharField(max_length=40)
    tokens = models.JSONField(default=dict)  # field name → list of words

    class Meta:
        verbose_name = _("segmented project text")
        verbose_name_plural = _("segmented project texts")

    def __str__(self) -> str:
        return str(self.project_id)


class ProjectAnalysis(models.Model):
    """One per scored project: the inputs' fingerprint (a re-run with the same fingerprint
    writes nothing) and the best targets for the project whatever it declares."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="linkage", verbose_name=_("project")
    )
    version = models.CharField(_("scorer version"), max_length=20)
    fingerprint = models.CharField(max_length=40)
    suggestions = models.JSONField(default=list)  # best targets: [{code, kind, title, score}]
    scored_at = models.DateTimeField(_("scored"), auto_now=True)

    class Meta:
        verbose_name = _("linkage analysis")
        verbose_name_plural = _("linkage analyses")

    def __str__(self) -> str:
        return f"{self.project_id} ({self.version})"


class LinkScore(models.Model):
    """How well a project serves one of its declared links."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="link_scores", verbose_name=_("project")
    )
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    factor = models.ForeignKey(Node, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")  # fmt: skip
    is_primary = models.BooleanField(default=False)
    version = models.CharField(_("scorer version"), max_length=20)
    score = models.PositiveSmallIntegerField(_("alignment score"))
    rank = models.PositiveIntegerField(_("rank"))
    rank_of = models.PositiveIntegerField()
    chain_ok = models.BooleanField(_("chain consistent"), default=True)
    chain_problems = models.JSONField(default=list)
    signals = models.JSONField(default=dict)  # signal name → value 0-1 (explains the score)
    project_terms = models.JSONField(default=list)
    target_terms = models.JSONField(default=list)
    better = models.JSONField(default=list)  # top-5 better-fitting targets when rank is low

    class Meta:
        verbose_name = _("link score")
        verbose_name_plural = _("link scores")
        ordering = ["project", "-is_primary", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "node"], name="uniq_link_score")]

    def __str__(self) -> str:
        return f"{self.project_id} → {self.node_id}: {self.score}"

    WEAK_BELOW = 30

    @property
    def is_weak(self) -> bool:
        return self.score < self.WEAK_BELOW or not self.chain_ok


class RubricAssessment(models.Model):
    """The automatic first pass of the quality rubric (``rubric.py``) on one project,
    recomputed with every rescore; reviewers' judgements are kept apart in RubricReview."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="rubric", verbose_name=_("project")
    )
    version = models.CharField(_("rubric version"), max_length=20)
    criteria = models.JSONField(default=dict)  # criterion → {"score": 0-5, "notes": [...]}
    # A re-run compares this, not the criteria: decoding 1,000 JSON rows cost more than the rules.
    digest = models.CharField(max_length=40)
    total = models.PositiveSmallIntegerField(_("automatic total"))
    assessed_at = models.DateTimeField(_("assessed"))

    class Meta:
        verbose_name = _("rubric assessment")
        verbose_name_plural = _("rubric assessments")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.total}"


class RubricReview(models.Model):
    """A reviewer's confirmation or override of one criterion, with who, when and why. The
    automatic score seen at the time is kept, so a later change of it can be flagged."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="rubric_reviews",
        verbose_name=_("project"),
    )  # fmt: skip
    criterion = models.CharField(_("criterion"), max_length=20)
    score = models.PositiveSmallIntegerField(_("reviewer's score"))
    auto_score = models.PositiveSmallIntegerField(_("automatic score at review"), null=True)
    reason = models.TextField(_("reason"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("reviewer"))  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed"))

    class Meta:
        verbose_name = _("rubric review")
        verbose_name_plural = _("rubric reviews")
        constraints = [
            models.UniqueConstraint(fields=["project", "criterion"], name="uniq_rubric_review")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.criterion}: {self.score}"

    @property
    def is_override(self) -> bool:
        return self.auto_score is None or self.score != self.auto_score
