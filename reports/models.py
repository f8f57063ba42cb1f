"""Report jobs: a user asks for a report with filters, a Celery task builds the file, the page
polls its progress, and the file stays downloadable by its owner until it expires, as long as
the owner may still see its data.

The job keeps the filters, not the data: the task applies them to what the owner may see when
it runs, so a report never holds more than its owner could read on the pages. It also keeps
what let the owner see that data (``scope``, from ``agencies.access.report_scope``), so a
download can be refused once the owner has lost it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Report(models.TextChoices):
    PORTFOLIO = "portfolio", _("Project portfolio")
    PROJECT_FORM = "project_form", _("Project form")
    MASTER_PLAN = "master_plan", _("Master-plan summary")
    AGENCY_QUARTER = "agency_quarter", _("Agency quarterly report")


class Format(models.TextChoices):
    XLSX = "xlsx", _("Excel (XLSX)")
    CSV = "csv", _("CSV")
    PDF = "pdf", _("PDF")


# Which formats each report comes in.
FORMATS = {
    Report.PORTFOLIO: (Format.XLSX, Format.CSV),
    Report.PROJECT_FORM: (Format.PDF,),
    Report.MASTER_PLAN: (Format.XLSX, Format.PDF),
    Report.AGENCY_QUARTER: (Format.PDF,),
}

CONTENT_TYPES = {
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.CSV: "text/csv; charset=utf-8",
    Format.PDF: "application/pdf",
}


# Said instead of a download when the owner may no longer see all the data of a built file.
WITHDRAWN = _(
    "You may no longer see all the data of this report, so it cannot be downloaded. Build it "
    "again to get what you may see now."
)


def report_path(job: ReportJob, filename: str) -> str:
    # A random folder per job: file names alone never reveal or collide with another's report.
    return f"reports/{job.token}/{filename}"


class ReportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Error(models.TextChoices):
        BROKER_DOWN = (
            "broker_down",
            _(
                "The background job service does not answer, so the report could not be started. "
                "Nothing was lost: please try again in a few minutes."
            ),
        )
        BUILD_FAILED = (
            "build_failed",
            _(
                "The report could not be built. Please try again; if it fails again, tell the "
                "system administrator."
            ),
        )
        NOT_ALLOWED = (
            "not_allowed",
            _("You may no longer see the data of this report, so it was not built."),
        )

    token = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs",
        verbose_name=_("requested by"),
    )  # fmt: skip
    report = models.CharField(_("report"), max_length=30, choices=Report.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    error = models.CharField(_("reason"), max_length=20, choices=Error.choices, blank=True)
    error_detail = models.TextField(blank=True, editable=False)  # for administrators, in the log
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=report_path, max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    # What let the owner see the data when the file was built (agencies.access.report_scope).
    scope = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title or self.get_report_display()

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return self.state == self.State.DONE and bool(self.file) and not self.is_expired

    @property
    def filename(self) -> str:
        return f"{self.report}-{self.pk}.{self.format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[Format(self.format)]
