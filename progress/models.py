"""Progress reports of approved projects: one per quarter of the Thai fiscal year while the
project runs, then a closing report. A report goes through the one workflow engine with a
single approval level (the agency approver accepts it). Rules are in ``rules.py``, writes in
``services.py``, reads in ``selectors.py``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from agencies.models import Agency
from core.fiscal import quarter_label
from core.states import Status
from projects.models import KPI, MONEY, Activity, BudgetLine, Project
from workflow.models import Reviewable


class ProgressReport(Reviewable):
    """A quarterly or closing report of one project.

    ``lineage`` is the project's lineage, so the history survives new revisions of the
    project; ``project`` is the approved revision the report was written against. ``agency``
    is copied from the project so that the access policy scopes reports in SQL."""

    approval_levels = 1  # the agency approver's acceptance is final
    notification_messages = {
        Status.SUBMITTED: gettext_noop("%(title)s was submitted for your acceptance."),
        Status.APPROVED: gettext_noop("%(title)s was accepted."),
    }

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("Quarterly report")
        CLOSING = "closing", _("Closing report")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.QUARTERLY)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="progress_reports",
        verbose_name=_("project"),
    )
    lineage = models.UUIDField(db_index=True, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    due_date = models.DateField(_("due date"))
    problems = models.TextField(_("problems and obstacles"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    overrun_reason = models.TextField(
        _("why disbursement exceeds the allocation"),
        blank=True,
        help_text=_(
            "Required when the cumulative disbursement of a source exceeds its allocation."
        ),
    )
    outcomes_achieved = models.TextField(_("outcomes achieved"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["lineage", "fiscal_year", "quarter", "kind"]
        indexes = [models.Index(fields=["agency", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "fiscal_year", "quarter"],
                condition=Q(kind="quarterly"),
                name="one_quarterly_report_per_quarter",
            ),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(kind="closing"), name="one_closing_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_label} · {self.project.title}"

    def get_absolute_url(self) -> str:
        return reverse("progress:detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.kind == self.Kind.CLOSING:
            return str(_("Closing report"))
        return str(
            _("Q%(quarter)s of FY %(fy)s") % {"quarter": self.quarter, "fy": self.fiscal_year}
        )

    @property
    def short_label(self) -> str:
        return quarter_label(self.fiscal_year, self.quarter)

    @property
    def is_closing(self) -> bool:
        return self.kind == self.Kind.CLOSING

    @property
    def is_filed(self) -> bool:
        """Submitted or accepted: the agency has done its part by the deadline."""
        return self.status in FILED

    @property
    def status_label(self) -> str:
        """Users read an approved report as "accepted" (รับรายงานแล้ว)."""
        return str(STATUS_LABELS.get(self.status, self.get_status_display()))

    def submission_problems(self) -> dict[str, list[str]]:
        from .rules import submission_problems

        return submission_problems(self)

    def after_transition(self, action: str, from_status: str, user) -> None:
        # A filed report may end an "overdue" finding: the checks (an app above this one)
        # recheck the project after commit.
        from django.db import transaction

        from core.jobs import enqueue_by_name

        project_id = self.project_id
        transaction.on_commit(lambda: enqueue_by_name("checks.tasks.recheck_project", project_id))


FILED = frozenset({Status.SUBMITTED, Status.APPROVED})
STATUS_LABELS = {Status.APPROVED: _("Accepted"), Status.SUBMITTED: _("Submitted, awaiting review")}


class ActivityProgress(models.Model):
    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="activity_rows"
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity")
    )
    state = models.CharField(
        _("progress"), max_length=20, choices=State.choices, default=State.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("activity progress")
        verbose_name_plural = _("activity progress")
        ordering = ["report", "activity__order", "activity_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "activity"], name="uniq_report_activity")
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.percent}%"


class BudgetProgress(models.Model):
    """Money disbursed from one budget source: in the quarter, and cumulative since the start."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="budget_rows")
    source = models.CharField(_("source"), max_length=20, choices=BudgetLine.Source.choices)
    disbursed = models.DecimalField(_("disbursed in the quarter (baht)"), **MONEY, default=0)
    cumulative = models.DecimalField(_("cumulative disbursement (baht)"), **MONEY, default=0)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["report", "source"]
        constraints = [
            models.UniqueConstraint(fields=["report", "source"], name="uniq_report_source")
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.cumulative}"


class KPIActual(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="kpi_rows")
    kpi = models.ForeignKey(
        KPI, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    actual_value = models.CharField(_("actual value"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("KPI actual")
        verbose_name_plural = _("KPI actuals")
        ordering = ["report", "kpi_id"]
        constraints = [models.UniqueConstraint(fields=["report", "kpi"], name="uniq_report_kpi")]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.actual_value}"


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    return f"progress/{instance.report.lineage}/{uuid.uuid4().hex}/{filename}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """A reminder e-mail sent for one report period and stage. The unique constraint makes
    the reminder task idempotent: a re-run, or two runs at once, never send one twice."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before the deadline")
        OVERDUE = "overdue", _("After the deadline")

    lineage = models.UUIDField(editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ProgressReport.Kind.choices)
    fiscal_year = models.PositiveIntegerField()
    quarter = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=10, choices=Stage.choices)
    due_date = models.DateField()
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "kind", "fiscal_year", "quarter", "stage"],
                name="one_reminder_per_report_and_stage",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quarter}/{self.fiscal_year} {self.stage}"
