"""Report pages: the user's jobs and the reports on offer (portfolio, master-plan summary,
agency quarterly report), a job's page with its progress bar (polled by htmx), the download,
a retry; and the project form started from a project page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.models import Project
from projects.selectors import project_for_page

from . import selectors, services
from .forms import AgencyQuarterForm, MasterPlanForm, PortfolioForm
from .models import ReportJob

PAGE_SIZE = 50


def _job(request: HttpRequest, pk: int) -> ReportJob:
    try:
        return selectors.job_for_user(request.user, pk)
    except ReportJob.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports on offer, each with its own form (the POST's ``report`` says which), and
    the user's jobs. A refused choice shows the form again with the reason, in Thai."""
    wants = request.POST.get("report", "portfolio") if request.method == "POST" else None
    post = request.POST or None
    form = PortfolioForm(post if wants == "portfolio" else None, user=request.user)
    mp_form = MasterPlanForm(post if wants == "master_plan" else None, prefix="mp")
    aq_form = AgencyQuarterForm(
        post if wants == "agency_quarter" else None, prefix="aq", user=request.user
    )
    job = None
    try:
        if wants == "master_plan" and mp_form.is_valid():
            job = services.start_master_plan(
                request.user, mp_form.cleaned_data["fiscal_year"], mp_form.cleaned_data["format"]
            )
        elif wants == "agency_quarter" and aq_form.is_valid():
            job = services.start_agency_quarter(request.user, **aq_form.filters)
        elif wants == "portfolio" and form.is_valid():
            job = services.start_portfolio(
                request.user, form.cleaned_data["format"], form.filters()
            )
    except ValidationError as exc:
        # The service checks again (the API calls it too); its words go on the form.
        {"master_plan": mp_form, "agency_quarter": aq_form}.get(wants, form).add_error(None, exc)
    if job is not None:
        return redirect(job)
    jobs = selectors.listed(request.user, PAGE_SIZE)
    return render(
        request, "reports/list.html",
        {"form": form, "mp_form": mp_form, "aq_form": aq_form, "jobs": jobs},
    )  # fmt: skip


def _job_context(request: HttpRequest, pk: int) -> dict:
    job = _job(request, pk)
    return {"job": job, "withdrawn": selectors.withdrawn(request.user, job)}


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "reports/detail.html", _job_context(request, pk))


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls; once the job is finished it stops polling."""
    return render(request, "reports/_progress.html", _job_context(request, pk))


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if not selectors.downloadable(request.user, job):
        raise Http404
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename,
        content_type=job.content_type,
    )  # fmt: skip


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.retry(job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(job)


@login_required
@require_POST
def project_form(request: HttpRequest, project_pk: int) -> HttpResponse:
    try:
        project = project_for_page(request.user, project_pk)
        job = services.start_project_form(request.user, project)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    if job.state != ReportJob.State.FAILED:
        messages.success(request, _("The project form is being prepared."))
    return redirect(job)
