"""Progress report pages: thin views over forms, selectors, services and the workflow engine."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies import access
from agencies.access import Action
from projects import attachment_views
from projects import selectors as project_selectors
from projects.models import Project
from workflow import engine
from workflow import views as workflow_views
from workflow.engine import WorkflowError
from workflow.forms import TransitionForm

from . import selectors, services
from .forms import FORMSETS, AttachmentForm, ReportForm, StartForm
from .models import ProgressReport, ReportAttachment

PAGE_SIZE = 25
# How the workflow's actions read on a progress report.
ACTION_LABELS = {
    Action.SUBMIT: gettext_lazy("Submit the report"),
    Action.APPROVE: gettext_lazy("Accept the report"),
    Action.RETURN: gettext_lazy("Return for revision"),
    Action.WITHDRAW: gettext_lazy("Withdraw"),
}


def _get_report(request: HttpRequest, pk: int) -> ProgressReport:
    try:
        return selectors.report_for_page(request.user, pk)
    except ProgressReport.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.visible_reports(request.user).order_by("-updated_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/list.html",
        {
            "page": page,
            "queue": selectors.review_queue(request.user)[:50],
            "overdue": selectors.overdue_for(request.user),
        },
    )


@login_required
@require_POST
def report_start(request: HttpRequest, project_pk: int) -> HttpResponse:
    try:
        project = project_selectors.project_for_page(request.user, project_pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the quarter to report on."))
        return redirect(project)
    data = form.cleaned_data
    try:
        report = services.start_report(
            project, request.user, data["kind"], data.get("fiscal_year"), data.get("quarter")
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this now."))
        return redirect(project)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(project)
    messages.success(request, _("A draft report was started; fill it in and submit it."))
    return redirect("progress:edit", pk=report.pk)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    transitions = engine.allowed_transitions(request.user, report)
    return render(
        request,
        "progress/detail.html",
        {
            "report": report,
            "project": report.project,
            "transitions": [(a.value, ACTION_LABELS[a]) for a in transitions],
            "can_edit": access.can(request.user, Action.EDIT, report),
            "timeline": engine.timeline(report),
            "changes": engine.change_history(report),
            "transition_form": TransitionForm(initial={"expected_version": report.version}),
            "attachment_form": AttachmentForm(),
            "allocation": services.rules.allocation_by_source(report.project),
        },
    )


def _forms(data, files, report: ProgressReport):
    form = ReportForm(data, instance=report)
    return form, [cls(data, instance=report, prefix=prefix) for prefix, cls in FORMSETS]


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    if not access.can(request.user, Action.EDIT, report):
        messages.error(request, _("This report cannot be edited now."))
        return redirect(report)

    def save(form, formsets) -> ProgressReport:
        return services.save_report(
            user=request.user, form=form, formsets=formsets,
            expected_version=form.cleaned_data.get("expected_version"),
            reason=form.cleaned_data.get("change_reason", ""),
        )  # fmt: skip

    return workflow_views.edit(
        request, report, forms=_forms, save=save, page=partial(_render_edit, request),
        submitted=_("The report was submitted to the agency approver."),
    )  # fmt: skip


def _render_edit(request, report, form, formsets, problems) -> HttpResponse:
    return render(
        request,
        "progress/form.html",
        {
            "report": report,
            "project": report.project,
            "form": form,
            "formsets": dict(zip([p for p, _c in FORMSETS], formsets, strict=True)),
            "problems": problems,
            "needs_reason": engine.needs_change_reason(report),
            "allocation": services.rules.allocation_by_source(report.project),
        },
    )


@login_required
@require_POST
def report_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    label = ACTION_LABELS.get(action)
    return workflow_views.transition(request, _get_report(request, pk), action, label)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    return attachment_views.upload(request, _get_report(request, pk), services.add_attachment)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    report = _get_report(request, pk)
    return attachment_views.download(
        get_object_or_404(ReportAttachment, pk=attachment_id, report=report)
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    report = _get_report(request, pk)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_id, report=report)
    return attachment_views.delete(request, report, attachment, services.delete_attachment)
