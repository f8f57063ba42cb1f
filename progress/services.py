"""Every write to a progress report: start one for a quarter (rows prefilled from the project
and the previous report), save it (optimistic lock, change record after a submission; the rules
in ``save_report_data``, which the form path and the REST API both call) and its attachments.
Transitions go through ``workflow.engine.perform``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies import access
from agencies.access import Action
from core.fiscal import fiscal_quarter
from core.states import Status
from projects.attachments import check_upload
from projects.models import Project
from workflow import engine
from workflow.engine import WorkflowError

from . import rules, selectors
from .models import ActivityProgress, BudgetProgress, KPIActual, ProgressReport, ReportAttachment

Kind = ProgressReport.Kind
TEXT_FIELDS = ("problems", "next_steps", "overrun_reason", "outcomes_achieved", "lessons_learned")


@transaction.atomic
def start_report(
    project: Project,
    user,
    kind: str = Kind.QUARTERLY,
    fiscal_year: int | None = None,
    quarter: int | None = None,
    today: date | None = None,
) -> ProgressReport:
    """A new draft report of ``project`` for a quarter (or its closing report), with one row
    per activity, budget source and KPI, prefilled from the previous report.

    Raises PermissionDenied (not staff of the project's agency) or WorkflowError (the project
    is not approved, the quarter is outside the project, the report exists already)."""
    today = today or timezone.localdate()
    if kind not in Kind.values:
        raise WorkflowError(_("Unknown report type."))
    if not access.can_create_in(user, project.agency):
        raise PermissionDenied(_("Only staff of the project's agency file its progress reports."))
    if kind == Kind.CLOSING:
        fiscal_year, quarter = fiscal_quarter(project.end_date or today)
    if fiscal_year is None or quarter is None:
        raise WorkflowError(_("Choose the quarter to report on."))
    problems = rules.period_problems(project, kind, fiscal_year, quarter, today)
    if not problems and not selectors.is_reportable(project):
        problems = [_("Report on the current approved version of the project.")]
    existing = ProgressReport.objects.filter(lineage=project.lineage)
    if not problems and existing.filter(kind=Kind.CLOSING, status=Status.APPROVED).exists():
        problems = [_("The project is completed: its closing report was accepted.")]
    if problems:
        raise WorkflowError(" ".join(problems), {"quarter": problems})
    quarterly = existing.filter(kind=Kind.QUARTERLY).prefetch_related("budget_rows")
    earlier = [
        r
        for r in quarterly
        if kind == Kind.CLOSING or (r.fiscal_year, r.quarter) < (fiscal_year, quarter)
    ]
    last = max(earlier, key=lambda r: (r.fiscal_year, r.quarter), default=None)
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(
                project=project,
                lineage=project.lineage,
                agency=project.agency,
                kind=kind,
                fiscal_year=fiscal_year,
                quarter=quarter,
                created_by=user,
                due_date=selectors.due_date_of(kind, fiscal_year, quarter, project),
            )
    except IntegrityError:
        raise WorkflowError(
            _("A report for this period exists already."),
            {"quarter": [_("A report for this period exists already.")]},
        ) from None
    _prefill(report, project, last)
    engine.record(report, "create", user)
    return report


def _prefill(report: ProgressReport, project: Project, last: ProgressReport | None) -> None:
    """Rows for every activity, budget source and KPI, carrying the previous report's state,
    percent and cumulative disbursement (activities and KPIs matched by name, so a new project
    revision does not lose them)."""
    before_acts = (
        {r.activity.name: r for r in last.activity_rows.select_related("activity")} if last else {}
    )
    before_money = {r.source: r.cumulative for r in last.budget_rows.all()} if last else {}
    ActivityProgress.objects.bulk_create(
        ActivityProgress(
            report=report,
            activity=a,
            state=before_acts[a.name].state
            if a.name in before_acts
            else ActivityProgress.State.NOT_STARTED,
            percent=before_acts[a.name].percent if a.name in before_acts else 0,
        )
        for a in project.activities.all()
    )
    sources = list(rules.allocation_by_source(project)) or ["state"]
    BudgetProgress.objects.bulk_create(
        BudgetProgress(
            report=report,
            source=s,
            disbursed=Decimal(0),
            cumulative=before_money.get(s, Decimal(0)),
        )
        for s in sources
    )
    KPIActual.objects.bulk_create(KPIActual(report=report, kpi=k) for k in project.kpis.all())


def snapshot(report: ProgressReport) -> dict[str, str]:
    """The report's content as text, to compare before and after a save."""
    data = {}
    for name in TEXT_FIELDS:
        data[str(ProgressReport._meta.get_field(name).verbose_name)] = getattr(report, name)
    data[_("activities")] = "\n".join(
        f"{r.activity.name}: {r.get_state_display()} {r.percent}%"
        for r in report.activity_rows.select_related("activity")
    )
    data[_("disbursement")] = "\n".join(
        f"{r.get_source_display()}: {r.disbursed} / {r.cumulative}"
        for r in report.budget_rows.all()
    )
    data[_("KPIs")] = "\n".join(
        f"{r.kpi.name}: {r.actual_value} {r.kpi.unit}"
        for r in report.kpi_rows.select_related("kpi")
    )
    return data


@transaction.atomic
def save_report(
    *, user, form, formsets, expected_version: int | None, reason: str = ""
) -> ProgressReport:
    """Save a report from its validated form and row formsets: their values become the plain
    ``data`` of ``save_report_data``, which holds every rule."""
    data = {name: form.cleaned_data[name] for name in TEXT_FIELDS if name in form.cleaned_data}
    for (name, key), formset in zip(ROW_KEYS.items(), formsets, strict=True):
        data[name] = [
            {key: getattr(f.instance, key), **{k: f.cleaned_data.get(k) for k in ROW_FIELDS[name]}}
            for f in formset.forms
        ]
    return save_report_data(
        user=user, report=form.instance, data=data, expected_version=expected_version,
        reason=reason,
    )  # fmt: skip


# --- the data-level write (the browser form above and the REST API) ---------------------------
#
# ``data`` holds values already shape-checked by the caller: the texts of ``TEXT_FIELDS`` and
# the rows ``activities`` ({"activity_id", "state", "percent", "note"}), ``budget``
# ({"source", "disbursed", "cumulative"}) and ``kpis`` ({"kpi_id", "actual_value", "note"}).
# Rows are those the report was started with, found by their activity, source or KPI; a row
# not listed keeps its values. A key that is absent keeps the saved value.

ROW_KEYS = {"activities": "activity_id", "budget": "source", "kpis": "kpi_id"}
ROW_FIELDS = {
    "activities": ("state", "percent", "note"),
    "budget": ("disbursed", "cumulative"),
    "kpis": ("actual_value", "note"),
}
CLOSING_FIELDS = ("outcomes_achieved", "lessons_learned")


def _saved_rows(report: ProgressReport) -> dict[str, dict]:
    return {
        "activities": {r.activity_id: r for r in report.activity_rows.all()},
        "budget": {r.source: r for r in report.budget_rows.all()},
        "kpis": {r.kpi_id: r for r in report.kpi_rows.all()},
    }


def _row_problems(report: ProgressReport, data: dict, saved: dict) -> dict[str, list[str]]:
    """What prevents saving even a draft: a row the report does not hold, a closing report's
    fields in a quarterly report. Keys as the form's (``budget-0-source``)."""
    problems: dict[str, list[str]] = {}
    if not report.is_closing:
        for name in CLOSING_FIELDS:
            if data.get(name):
                problems[name] = [_("Only a closing report records outcomes and lessons.")]
    unknown = {
        "activities": _("The report has no row for this activity."),
        "budget": _("The report has no row for this budget source."),
        "kpis": _("The report has no row for this KPI."),
    }
    for name, key in ROW_KEYS.items():
        seen = set()
        for i, row in enumerate(data.get(name) or []):
            if row.get(key) not in saved[name]:
                problems[f"{name}-{i}-{key.removesuffix('_id')}"] = [unknown[name]]
            elif row[key] in seen:
                problems[f"{name}-{i}-{key.removesuffix('_id')}"] = [
                    _("The same row is given twice.")
                ]
            seen.add(row.get(key))
    return problems


@transaction.atomic
def save_report_data(
    *, user, report: ProgressReport, data: dict, expected_version: int | None, reason: str = ""
) -> ProgressReport:
    """Change a report from plain data, all or nothing.

    The access policy, the optimistic lock, a reason for a change after a submission (kept with
    the previous and new values). Raises PermissionDenied, EditConflict or WorkflowError."""
    current = ProgressReport.objects.select_related("project").get(pk=report.pk)
    if not access.can(user, Action.EDIT, current):
        raise PermissionDenied(_("This report cannot be edited now."))
    engine.take_version(current, expected_version)
    before = None
    if engine.needs_change_reason(current):
        if not reason.strip():
            raise WorkflowError(
                _("Say why you change a report that was submitted before."),
                {"change_reason": [_("A reason is required.")]},
            )
        before = snapshot(current)
    saved = _saved_rows(current)
    if problems := _row_problems(current, data, saved):
        raise WorkflowError(_("Nothing was saved: some fields have problems."), problems)
    for name in TEXT_FIELDS:
        if name in data:
            setattr(current, name, data[name] or "")
    current.save()
    for name, key in ROW_KEYS.items():
        changed = []
        for row in data.get(name) or []:
            saved_row = saved[name][row[key]]
            for field_name in ROW_FIELDS[name]:
                if field_name in row and row[field_name] is not None:
                    setattr(saved_row, field_name, row[field_name])
            changed.append(saved_row)
        if changed:
            type(changed[0]).objects.bulk_update(changed, ROW_FIELDS[name])
    if before is not None:
        from projects.services import diff

        engine.record_changes(current, user, reason.strip(), diff(before, snapshot(current)))
    report.version = current.version
    return current


def add_attachment(report: ProgressReport, user, upload) -> ReportAttachment:
    """Attach a checked file (the projects' content check); ValidationError if refused."""
    if not access.can(user, Action.EDIT, report):
        raise PermissionDenied(_("This report cannot be edited now."))
    content_type = check_upload(upload)
    return ReportAttachment.objects.create(
        report=report,
        file=upload,
        name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )


def delete_attachment(attachment: ReportAttachment, user) -> None:
    if not access.can(user, Action.EDIT, attachment.report):
        raise PermissionDenied(_("This report cannot be edited now."))
    attachment.file.delete(save=False)
    attachment.delete()
