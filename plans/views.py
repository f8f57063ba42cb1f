"""Plan pages: thin views over forms, selectors, services, the import and the workflow engine."""

from __future__ import annotations

import uuid
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import access
from agencies.access import Action
from core import listing
from core.exports import XLSX_TYPE
from projects import selectors as project_selectors
from projects.models import Project
from workflow import engine
from workflow import views as workflow_views
from workflow.forms import TransitionForm

from . import importing, selectors, services
from .exporting import export_headers, export_rows
from .filters import PlanFilter
from .forms import ImportForm, PlanForm, PlanTargetFormSet, ProjectPlanLinkForm
from .models import Plan, ProjectPlanLink


def _list(request: HttpRequest, queryset, title: str, name: str) -> HttpResponse:
    filterset = PlanFilter(request.GET or None, queryset=queryset, user=request.user)
    context = {
        "title": title,
        "can_create": access.agencies_for_entry(request.user).exists(),
        "can_import": access.agencies_for_plan_import(request.user).exists(),
    }
    return listing.filtered_list(
        request, filterset, "plans/list.html", headers=export_headers, rows=export_rows,
        filename=name, context=context,
    )  # fmt: skip


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.visible_plans(request.user), _("Level-3 plans"), "plans")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.review_queue(request.user), _("Plans waiting for my approval"),
                 "plan-queue")  # fmt: skip


def _get_plan(request: HttpRequest, pk: int) -> Plan:
    try:
        return selectors.plan_for_page(request.user, pk)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    return render(request, "plans/detail.html", {
        "plan": plan,
        "transitions": engine.allowed_transitions(request.user, plan),
        "can_edit": access.can(request.user, Action.EDIT, plan),
        "timeline": engine.timeline(plan),
        "changes": engine.change_history(plan),
        "coverage": selectors.coverage(request.user, plan),
        "transition_form": TransitionForm(initial={"expected_version": plan.version}),
    })  # fmt: skip


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not access.agencies_for_entry(request.user).exists():
        raise PermissionDenied
    return _edit(request, Plan())


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    if not access.can(request.user, Action.EDIT, plan):
        messages.error(request, _("This plan cannot be edited now."))
        return redirect(plan)
    return _edit(request, plan)


def _forms(data, files, plan: Plan, *, user):
    form = PlanForm(data, files, instance=plan, user=user)
    return form, [PlanTargetFormSet(data, instance=plan, prefix="targets")]


def _edit(request: HttpRequest, plan: Plan) -> HttpResponse:
    def save(form, formsets) -> Plan:
        return services.save_plan(
            user=request.user, form=form, targets_formset=formsets[0], links=form.link_choice(),
            expected_version=form.cleaned_data.get("expected_version"),
            reason=form.cleaned_data.get("change_reason", ""),
        )  # fmt: skip

    return workflow_views.edit(
        request, plan, forms=partial(_forms, user=request.user), save=save,
        page=partial(_render_edit, request), submitted=_("The plan was submitted for approval."),
        already_saved=_("This form was saved already; here is the plan it made."),
        list_url=reverse("plans:list"),
    )  # fmt: skip


def _render_edit(request, plan, form, formsets, problems) -> HttpResponse:
    return render(request, "plans/form.html", {
        "plan": plan, "form": form, "targets": formsets[0], "problems": problems,
        "needs_reason": bool(plan.pk) and engine.needs_change_reason(plan),
    })  # fmt: skip


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return workflow_views.transition(request, _get_plan(request, pk), action)


@login_required
def plan_document(request: HttpRequest, pk: int) -> FileResponse:
    plan = _get_plan(request, pk)
    if not plan.document:
        raise Http404
    return FileResponse(plan.document.open("rb"), as_attachment=True,
                        filename=plan.document_name or "plan.pdf",
                        content_type=services.PDF)  # fmt: skip


# --- the plans a project serves --------------------------------------------------------------


def _get_project(request: HttpRequest, pk: int) -> Project:
    try:
        return project_selectors.project_for_page(request.user, pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def project_plans(request: HttpRequest, project_pk: int) -> HttpResponse:
    """The Level-3 plans a project serves; staff who may edit the project add or remove."""
    project = _get_project(request, project_pk)
    can_link = services.can_link_projects(request.user, project)
    plans = selectors.plans_for_project(request.user, project)
    form = ProjectPlanLinkForm(request.POST or None, plans=plans)
    if request.method == "POST":
        if not can_link:
            messages.error(request, _("This project cannot be edited now."))
            return redirect("plans:project", project_pk=project.pk)
        if form.is_valid():
            try:
                services.link_project(user=request.user, project=project,
                                      plan=form.cleaned_data["plan"],
                                      target=form.cleaned_data.get("target"))  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The project now states that it serves this plan."))
                return redirect("plans:project", project_pk=project.pk)
    return render(request, "plans/project_plans.html", {
        "project": project, "links": selectors.links_of_project(request.user, project),
        "form": form, "can_link": can_link,
    })  # fmt: skip


@login_required
@require_POST
def project_unlink(request: HttpRequest, project_pk: int, link_pk: int) -> HttpResponse:
    project = _get_project(request, project_pk)
    link = get_object_or_404(ProjectPlanLink, pk=link_pk, lineage=project.lineage)
    try:
        services.unlink_project(user=request.user, link=link, project=project)
    except PermissionDenied:
        messages.error(request, _("This project cannot be edited now."))
    else:
        messages.success(request, _("The link to the plan was removed."))
    return redirect("plans:project", project_pk=project.pk)


# --- import ----------------------------------------------------------------------------------

# An uploaded workbook waits in MEDIA_ROOT/plan-import-tmp between the dry run and the
# confirmation; the session remembers which tokens belong to this user, with the file's name
# (for the audit log).
SESSION_KEY = "plan_imports"


def _uploads(request: HttpRequest) -> dict[str, str]:
    uploads = request.session.get(SESSION_KEY)
    return dict(uploads) if isinstance(uploads, dict) else {}  # a list before file names


def _tmp_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "plan-import-tmp"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    if not access.agencies_for_plan_import(request.user).exists():
        raise PermissionDenied
    form, report, token = ImportForm(), None, None
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        path = _tmp_dir() / token
        uploads = _uploads(request)
        if token not in uploads or not path.exists():
            messages.error(request, _("The checked file has expired; upload it again."))
            return redirect("plans:import")
        try:
            report = importing.import_workbook(
                path.read_bytes(), request.user, commit=True, file_name=uploads[token]
            )
        except importing.ImportFileError as exc:
            form.add_error(None, str(exc))
        else:
            if report.committed:
                path.unlink(missing_ok=True)
                uploads.pop(token)
                request.session[SESSION_KEY] = uploads
                messages.success(request, _("Imported %(plans)d plan(s) with %(targets)d "
                                            "target(s) as drafts.") % report.counts)  # fmt: skip
                return redirect("plans:list")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                report = importing.import_workbook(content, request.user, commit=False)
            except importing.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                if not report.has_errors:
                    token = str(uuid.uuid4())
                    (_tmp_dir() / token).write_bytes(content)
                    uploads = _uploads(request)
                    uploads[token] = Path(upload.name).name[:200]
                    request.session[SESSION_KEY] = uploads
    return render(request, "plans/import.html", {"form": form, "report": report,
                                                 "token": token})  # fmt: skip


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    if not access.agencies_for_plan_import(request.user).exists():
        raise PermissionDenied
    response = HttpResponse(importing.template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="plans-template.xlsx"'
    return response
