"""Linkage pages: thin views over selectors and services; every read is scoped by access."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import access
from agencies.models import Agency
from core.fiscal import current_fiscal_year
from projects import selectors as project_selectors
from projects.models import Project
from strategy.models import Edition
from strategy.selectors import edition_for_fiscal_year

from . import rubric, rubric_services, selectors, services
from .forms import DuplicateForm, GapForm, RubricReviewForm
from .selectors import DUPLICATE_THRESHOLD


@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    form = GapForm(request.GET or None)
    rows, edition, year = [], None, None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        year = data.get("fiscal_year") or current_fiscal_year()
        edition = data.get("edition") or edition_for_fiscal_year(Edition.Family.MASTER_PLAN, year)
        if edition is not None and not edition.covers(year):
            year = edition.fiscal_year_to or edition.fiscal_year_from
        if edition is not None:
            rows = selectors.gap_tree(request.user, edition, year)
    if not form.is_bound:
        form = GapForm(initial={"edition": edition, "fiscal_year": year})
    return render(request, "linkage/gaps.html", {
        "form": form, "rows": rows, "edition": edition, "fiscal_year": year,
        "empty": sum(r.state == "empty" for r in rows),
        "weak": sum(r.state == "weak" for r in rows),
    })  # fmt: skip


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    form = DuplicateForm(request.GET or None)
    pairs, year, threshold = [], current_fiscal_year(), DUPLICATE_THRESHOLD
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("fiscal_year") or year
        threshold = form.cleaned_data.get("threshold") or threshold
    if not form.is_bound or form.is_valid():
        pairs = selectors.near_duplicates(request.user, year, threshold)
    if not form.is_bound:
        form = DuplicateForm(initial={"fiscal_year": year, "threshold": threshold})
    return render(request, "linkage/duplicates.html", {
        "form": form, "pairs": pairs, "fiscal_year": year, "threshold": threshold,
    })  # fmt: skip


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    """As-you-type suggestions for the project form (htmx): the best targets for the title,
    objectives and KPI typed so far, with the agency's own history as prior."""
    title = request.GET.get("title", "")[:500]
    objectives = request.GET.get("objectives", "")[:2000]
    year = request.GET.get("fiscal_year", "")
    edition = None
    if year.isdigit():
        edition = edition_for_fiscal_year(Edition.Family.MASTER_PLAN, int(year))
    prior = None
    agency_id = request.GET.get("agency", "")
    if agency_id.isdigit():
        agency = Agency.objects.filter(pk=int(agency_id)).first()
        if agency is not None and access.can_create_in(request.user, agency):
            prior = services.agency_prior(agency)
    suggestions = []
    if len((title + objectives).strip()) >= 4:
        suggestions = services.suggest(title, objectives, edition=edition, top=5, prior=prior)
    return render(request, "linkage/_suggestions.html", {"suggestions": suggestions})


@login_required
@require_POST
def rubric_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer confirms or overrides one rubric criterion from the project page; the
    service refuses (403) anyone the access policy does not let review the project."""
    try:
        project = project_selectors.project_for_page(request.user, pk)
    except Project.DoesNotExist as exc:
        raise Http404 from exc
    form = RubricReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rubric_services.review(project, request.user, data["criterion"], data["score"],
                                   data["reason"])  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            label = rubric.Criterion(data["criterion"]).label
            messages.success(request, _("Your judgement of “%(c)s” is saved.") % {"c": label})
    else:
        messages.error(request, _("Choose a criterion and a score from 0 to 5."))
    return redirect(project.get_absolute_url() + "#rubric")
