"""Dashboard pages: thin views over ``selectors``; the access policy decides who sees which."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agencies import access
from agencies.models import Agency
from agencies.selectors import subtree_ids
from core import listing
from core.fiscal import current_fiscal_year
from projects.exporting import EXPORT_HEADERS, export_rows
from projects.selectors import visible_projects

from . import charts, selectors
from .filters import DashboardProjectFilter
from .forms import DashboardForm


def _render(request: HttpRequest, agencies, root: Agency | None) -> HttpResponse:
    years = selectors.fiscal_years(request.user)
    fiscal_year = selectors.default_fiscal_year(years, current_fiscal_year())
    form = DashboardForm(request.GET or None, years=years, agencies=agencies,
                         initial={"fiscal_year": fiscal_year})  # fmt: skip
    agency = root
    if form.is_bound and form.is_valid():
        fiscal_year = form.cleaned_data["fiscal_year"] or fiscal_year
        agency = form.cleaned_data["agency"] or root
    # An invalid value keeps its error next to it and the dashboard shows the defaults.
    scope = selectors.Scope(fiscal_year, agency)
    figures = selectors.dashboard(request.user, scope)
    return render(request, "dashboards/dashboard.html", {
        "form": form, "scope": scope, "root": root, "d": figures, "charts": charts.charts(figures),
        "own_agencies": access.home_dashboard_agencies(request.user),
        "national": access.can_see_national_dashboard(request.user),
    })  # fmt: skip


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The national dashboard for central users; an agency member goes to their agency's."""
    if access.can_see_national_dashboard(request.user):
        return _render(request, access.dashboard_agencies(request.user), None)
    own = access.home_dashboard_agencies(request.user).first()
    if own is None:
        raise PermissionDenied(_("You have no role in any agency yet. Ask your administrator."))
    return redirect("dashboards:agency", pk=own.pk)


@login_required
def agency_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """One agency and the units below it; another agency's dashboard is a 404 (not a 403, so
    the page does not confirm what exists)."""
    agency = access.dashboard_agencies(request.user).filter(pk=pk).first()
    if agency is None:
        raise Http404
    subtree = Agency.objects.filter(pk__in=subtree_ids(agency.pk), is_active=True)
    return _render(request, subtree, agency)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    """The project list with the dashboards' extra filters (score band, overdue reports, a
    quarter's reports): where the figures that the project list cannot filter click through."""
    qs = visible_projects(request.user)
    filterset = DashboardProjectFilter(request.GET or None, queryset=qs, user=request.user)
    return listing.filtered_list(
        request, filterset, "projects/list.html", headers=EXPORT_HEADERS, rows=export_rows,
        filename="projects", context={"title": _("Projects"), "can_create": False},
    )  # fmt: skip
