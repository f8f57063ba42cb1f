"""Project pages: thin views over forms, selectors, services and the workflow engine."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import access
from agencies.access import Action
from core import listing
from core.pagecache import cached_page
from workflow import engine
from workflow import views as workflow_views
from workflow.engine import WorkflowError
from workflow.forms import TransitionForm

from . import attachment_views, selectors, services
from .exporting import EXPORT_HEADERS, export_rows
from .filters import ProjectFilter
from .forms import FORMSETS, AttachmentForm, ProjectForm, RevisionForm
from .models import Attachment, Project


def _list(request: HttpRequest, queryset, template_title: str, name: str) -> HttpResponse:
    filterset = ProjectFilter(request.GET or None, queryset=queryset, user=request.user)
    can_create = access.agencies_for_entry(request.user).exists()
    return listing.filtered_list(
        request, filterset, "projects/list.html", headers=EXPORT_HEADERS, rows=export_rows,
        filename=name, context={"title": template_title, "can_create": can_create,
                                 "queue": name == "queue"},
    )  # fmt: skip


@login_required
@cached_page
def project_list(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.visible_projects(request.user), _("Projects"), "projects")


@login_required
@cached_page
def review_queue(request: HttpRequest) -> HttpResponse:
    return _list(request, selectors.review_queue(request.user), _("Waiting for my approval"),
                 "queue")  # fmt: skip


def _get_project(request: HttpRequest, pk: int) -> Project:
    try:
        return selectors.project_for_page(request.user, pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@cached_page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project(request, pk)
    return render(request, "projects/detail.html", {
        "project": project,
        "transitions": engine.allowed_transitions(request.user, project),
        "can_edit": access.can(request.user, Action.EDIT, project),
        "can_revise": project.status == "approved" and project.is_current
        and access.can_create_in(request.user, project.agency),
        "timeline": engine.timeline(project),
        "changes": engine.change_history(project),
        "revisions": selectors.other_revisions(project),
        "transition_form": TransitionForm(initial={"expected_version": project.version}),
        "revision_form": RevisionForm(),
        "attachment_form": AttachmentForm(),
    })  # fmt: skip


def _forms(data, files, project: Project, *, user):
    form = ProjectForm(data, instance=project, user=user)
    return form, [cls(data, instance=project, prefix=prefix) for prefix, cls in FORMSETS]


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not access.agencies_for_entry(request.user).exists():
        raise PermissionDenied
    return _edit(request, Project())


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project(request, pk)
    if not access.can(request.user, Action.EDIT, project):
        messages.error(request, _("This project cannot be edited now."))
        return redirect(project)
    return _edit(request, project)


def _edit(request: HttpRequest, project: Project) -> HttpResponse:
    def save(form, formsets) -> Project:
        return services.save_project(
            user=request.user, form=form, formsets=formsets, links=form.link_choice(),
            expected_version=form.cleaned_data.get("expected_version"),
            reason=form.cleaned_data.get("change_reason", ""),
        )  # fmt: skip

    return workflow_views.edit(
        request, project, forms=partial(_forms, user=request.user), save=save,
        page=partial(_render_edit, request),
        submitted=_("The project was submitted for approval."),
        already_saved=_("This form was saved already; here is the project it made."),
        list_url=reverse("projects:list"),
    )  # fmt: skip


def _render_edit(request, project, form, formsets, problems) -> HttpResponse:
    return render(request, "projects/form.html", {
        "project": project, "form": form, "formsets": dict(zip([p for p, _c in FORMSETS],
                                                               formsets, strict=True)),
        "problems": problems, "needs_reason": bool(project.pk)
        and engine.needs_change_reason(project),
    })  # fmt: skip


@login_required
def link_options(request: HttpRequest) -> HttpResponse:
    """The primary-link selects, re-rendered for the values chosen so far (htmx)."""
    instance = Project()
    form = ProjectForm(request.GET, instance=instance, user=request.user)
    return render(request, "projects/_primary_link.html", {"form": form})


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return workflow_views.transition(request, _get_project(request, pk), action)


@login_required
@require_POST
def project_revise(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project(request, pk)
    form = RevisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the project changes."))
        return redirect(project)
    try:
        revision = services.start_revision(project, request.user, form.cleaned_data["reason"])
    except (WorkflowError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect(project)
    messages.success(request, _("A new revision was opened; the approved version stays valid "
                                "until the revision is approved."))  # fmt: skip
    return redirect("projects:edit", pk=revision.pk)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    return attachment_views.upload(request, _get_project(request, pk), services.add_attachment)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    project = _get_project(request, pk)
    return attachment_views.download(
        get_object_or_404(Attachment, pk=attachment_id, project=project)
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    project = _get_project(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, project=project)
    return attachment_views.delete(request, project, attachment, services.delete_attachment)
