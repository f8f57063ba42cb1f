"""Findings of the batch checks: one row per project, check and occurrence. A finding stays
open (``resolved_at`` empty) while the next runs still see its cause; the run that no longer
sees it marks it resolved. At most one open finding per project and check (a partial unique
index), which is what makes a re-run, or two runs at once, create no duplicates."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from projects.models import Project


class Severity(models.TextChoices):
    ERROR = "error", _("Must fix")
    WARNING = "warning", _("Should fix")


class Finding(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="findings", verbose_name=_("project")
    )
    # Copied from the project so the "to fix" list is scoped by agency in SQL without a join.
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    code = models.CharField(_("check"), max_length=40)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    params = models.JSONField(default=dict)  # the message's values (sums, dates, counts)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # When the agency's digest e-mail listed this finding (each finding is e-mailed once).
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["severity", "code", "project_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_finding_per_check",
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "severity", "code"],
                condition=Q(resolved_at__isnull=True),
                name="open_findings_by_agency",
            ),
            models.Index(
                fields=["agency"],
                condition=Q(resolved_at__isnull=True, digested_at__isnull=True),
                name="findings_to_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.code}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def message(self) -> str:
        from .registry import describe

        return describe(self.code, self.params)

    @property
    def check_label(self) -> str:
        from .registry import label

        return label(self.code)
