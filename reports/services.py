"""Every write of report jobs: starting one (filters checked, the data scoped to the owner),
building it (called by the Celery task), retrying a failed one."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import Agency
from core.jobs import enqueue
from projects.models import Project

from . import selectors
from .builders import agency_quarter, master_plan, portfolio, project_form
from .models import FORMATS, Format, Report, ReportJob
from .writers import CsvWriter, XlsxWriter

logger = logging.getLogger(__name__)
State = ReportJob.State


def _ttl() -> timedelta:
    return timedelta(days=settings.REPORT_TTL_DAYS)


def start_portfolio(user, fmt: str, filters: dict) -> ReportJob:
    """Queue a portfolio report of the projects ``user`` may see, narrowed by ``filters``
    (already cleaned by reports.forms.PortfolioForm)."""
    if fmt not in FORMATS[Report.PORTFOLIO]:
        raise ValidationError(_("This report does not come in that format."))
    title = _("Project portfolio")
    if filters.get("fiscal_year"):
        title += " " + _("FY %(fy)s") % {"fy": filters["fiscal_year"]}
    return _start(user, Report.PORTFOLIO, fmt, filters, title)


def start_master_plan(user, fiscal_year: int, fmt: str = Format.XLSX) -> ReportJob:
    """Queue the master-plan summary of a fiscal year, as XLSX or PDF (the same figures:
    builders.master_plan.summary). ValidationError when no edition covers the year."""
    if fmt not in FORMATS[Report.MASTER_PLAN]:
        raise ValidationError(_("This report does not come in that format."))
    if master_plan.edition_of({"fiscal_year": fiscal_year}) is None:
        raise ValidationError({"fiscal_year": _("No master-plan edition covers this fiscal year.")})
    title = _("Master-plan summary") + " " + _("FY %(fy)s") % {"fy": fiscal_year}
    return _start(user, Report.MASTER_PLAN, fmt, {"fiscal_year": int(fiscal_year)}, title)


def start_agency_quarter(user, agency: Agency | int, fiscal_year: int, quarter: int) -> ReportJob:
    """Queue the quarterly report (PDF) of an agency and the units below it. ValidationError
    keyed by field, in words a user reads, when ``user`` may not see the agency or the
    quarter does not exist or has not begun."""
    filters = agency_quarter.clean_filters(
        user,
        {"agency": getattr(agency, "pk", agency), "fiscal_year": fiscal_year, "quarter": quarter},
    )
    agency = Agency.objects.get(pk=filters["agency"])
    title = _("Agency quarterly report: %(agency)s, Q%(quarter)s of FY %(fy)s") % {
        "agency": agency.name_th, "quarter": filters["quarter"], "fy": filters["fiscal_year"],
    }  # fmt: skip
    return _start(user, Report.AGENCY_QUARTER, Format.PDF, filters, title)


def start_project_form(user, project: Project) -> ReportJob:
    """Queue the printable form of one project (which the caller has shown to ``user``)."""
    project_form.project_for(user, {"project": project.pk})  # DoesNotExist if not visible
    return _start(user, Report.PROJECT_FORM, Format.PDF, {"project": project.pk},
                  _("Project form: %(title)s") % {"title": project.title[:250]})  # fmt: skip


def _start(user, report: str, fmt: str, filters: dict, title: str) -> ReportJob:
    """Queue a new job, or return the owner's identical job (same report, format and filters)
    still queued or being built: a start posted twice (a double click, the back button, a
    client that retries) builds one file. A finished or failed job is not reused: asking again
    then means a fresh copy."""
    with transaction.atomic():
        # Starts by one user wait for each other here, so two at once cannot both miss the
        # other's job (SQLite, which has no row locks, serialises every write anyway).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        waiting = ReportJob.objects.filter(
            owner=user, report=report, format=fmt, state__in=(State.QUEUED, State.RUNNING)
        )
        # Compared here, not in SQL: a JSON document's key order must not matter.
        same = next((job for job in waiting if job.filters == filters), None)
        if same is not None:
            same.already_started = True  # the API answers 200 for it, not 201 Created
            return same
        job = ReportJob.objects.create(
            owner=user, report=report, format=fmt, filters=filters, title=title[:300]
        )
    # Committed before queueing, so the worker finds it.
    _queue(job)
    return job


def _queue(job: ReportJob) -> None:
    from .tasks import build_report

    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue report jobs outside a transaction: the worker must see them")
    if not enqueue(build_report, job.pk):
        ReportJob.objects.filter(pk=job.pk).update(
            state=State.FAILED, error=ReportJob.Error.BROKER_DOWN, finished_at=timezone.now()
        )
        job.refresh_from_db()


def retry(job: ReportJob) -> ReportJob:
    """Queue a failed or expired job again with the same filters, or a built one whose data
    its owner may no longer see all of (its file goes at once: the new one holds what they see
    now)."""
    withdrawn = selectors.withdrawn(job.owner, job)
    if not (job.state == State.FAILED or job.is_expired or withdrawn):
        raise ValidationError(_("Only a failed or expired report can be started again."))
    if withdrawn:
        job.file.delete(save=False)
    ReportJob.objects.filter(pk=job.pk).update(
        state=State.QUEUED, error="", error_detail="", progress=0, started_at=None,
        finished_at=None, expires_at=None, file=job.file.name or "",
    )  # fmt: skip
    job.refresh_from_db()
    _queue(job)
    return job


def purge_expired(now=None) -> int:
    """Delete the files of expired reports (the jobs stay, so their pages say so and offer to
    build them again); returns how many files were removed. Safe to re-run."""
    now = now or timezone.now()
    removed = 0
    for job in ReportJob.objects.filter(expires_at__lte=now).exclude(file=""):
        job.file.delete(save=False)
        ReportJob.objects.filter(pk=job.pk).update(file="")
        removed += 1
    return removed


# --- building (in the worker) ------------------------------------------------------------------


def build(job_id: int) -> None:
    """Build the job's file. Idempotent: a job already done is left alone, and a job whose
    worker died half-way (the message comes back, acks_late) is simply built again."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in (State.DONE, State.FAILED):
            return
        job.state, job.started_at, job.progress = State.RUNNING, timezone.now(), 0
        job.attempts += 1
        # The owner's view as the builders will read it (the same grants, cached on the user).
        job.scope = access.report_scope(job.owner, _data_agency(job))
        job.save(update_fields=["state", "started_at", "progress", "attempts", "scope"])
    try:
        with tempfile.TemporaryDirectory(prefix="report-") as tmp:
            path = Path(tmp) / job.filename
            rows = _BUILDERS[job.report](job, path)
            _store(job, path, rows)
    except Project.DoesNotExist:
        _fail(job, ReportJob.Error.NOT_ALLOWED, "the owner may not see the project")
    except Agency.DoesNotExist:
        _fail(job, ReportJob.Error.NOT_ALLOWED, "the owner may not see the agency")
    except Exception as exc:  # any failure is reported on the job page
        logger.exception("report job %s failed", job.pk)
        _fail(job, ReportJob.Error.BUILD_FAILED, repr(exc))


def _data_agency(job: ReportJob) -> int | None:
    """The agency whose subtree holds the report's data; None for every agency."""
    if job.report == Report.PROJECT_FORM:
        project = Project.objects.filter(pk=job.filters.get("project"))
        return project.values_list("agency_id", flat=True).first()
    return job.filters.get("agency") or None


def _progress(job: ReportJob, done: int, total: int) -> None:
    # Writing the file is the last few percent, so 95 at most until it is stored.
    percent = 95 if total == 0 else min(95, 5 + 90 * done // total)
    ReportJob.objects.filter(pk=job.pk).update(progress=percent)


def _build_portfolio(job: ReportJob, path: Path) -> int:
    from .models import Format

    writer = XlsxWriter(path, _("projects")) if job.format == Format.XLSX else CsvWriter(path)
    count = 0
    try:
        writer.header(portfolio.headers())
        for row in portfolio.rows(job.owner, job.filters, lambda d, t: _progress(job, d, t)):
            writer.write(row)
            count += 1
    finally:
        writer.close()
    return count


def _build_master_plan(job: ReportJob, path: Path) -> int:
    if job.format == Format.PDF:
        return master_plan.render(job.owner, job.filters, path, lambda d, t: _progress(job, d, t))
    writer = XlsxWriter(path, _("master plans"))
    try:
        writer.header(master_plan.headers())
        found = master_plan.rows(job.owner, job.filters, lambda d, t: _progress(job, d, t))
        for row in found:
            writer.write(row)
    finally:
        writer.close()
    return len(found)


def _build_project_form(job: ReportJob, path: Path) -> int:
    _progress(job, 0, 1)
    project_form.render(job.owner, job.filters, path)
    return 1


def _build_agency_quarter(job: ReportJob, path: Path) -> int:
    return agency_quarter.render(job.owner, job.filters, path, lambda d, t: _progress(job, d, t))


_BUILDERS = {
    Report.PORTFOLIO: _build_portfolio,
    Report.PROJECT_FORM: _build_project_form,
    Report.MASTER_PLAN: _build_master_plan,
    Report.AGENCY_QUARTER: _build_agency_quarter,
}


def _store(job: ReportJob, path: Path, rows: int) -> None:
    old = job.file.name if job.file else ""
    with open(path, "rb") as handle:
        job.file.save(job.filename, File(handle), save=False)
    now = timezone.now()
    job.state, job.progress, job.row_count = State.DONE, 100, rows
    job.finished_at, job.expires_at = now, now + _ttl()
    job.error = job.error_detail = ""
    job.save(update_fields=["file", "state", "progress", "row_count", "finished_at",
                            "expires_at", "error", "error_detail"])  # fmt: skip
    if old and old != job.file.name:
        job.file.storage.delete(old)


def _fail(job: ReportJob, error: str, detail: str) -> None:
    ReportJob.objects.filter(pk=job.pk).update(
        state=State.FAILED, error=error, error_detail=detail[:2000], finished_at=timezone.now()
    )
