"""The "to fix" page: the open findings of the user's agencies, filterable by severity and
check, exportable, with a button that runs the checks of those agencies now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import access
from core import listing
from core.jobs import enqueue
from core.thai import format_date

from . import selectors, services
from .filters import FindingFilter
from .tasks import run_checks


def _headers() -> list[str]:
    return [_("severity"), _("check"), _("agency"), _("project"), _("fiscal year"),
            _("problem"), _("first seen")]  # fmt: skip


def _rows(findings):
    # The date as the page shows it (a Buddhist-era date in Thai time): a time-zone-aware
    # datetime made the XLSX download fail (xlsxwriter refuses them).
    for f in findings:
        yield [f.get_severity_display(), f.check_label, f.agency.name_th, f.project.title,
               f.project.fiscal_year, f.message, format_date(f.first_seen)]  # fmt: skip


@login_required
def to_fix(request: HttpRequest) -> HttpResponse:
    available = services.available()
    may_run = available and bool(access.fix_list_agencies(request.user))
    filterset = FindingFilter(
        request.GET or None, queryset=selectors.to_fix(request.user), user=request.user
    )
    context = {"title": _("To fix"), "may_run": may_run, "available": available}
    return listing.filtered_list(
        request, filterset, "checks/to_fix.html", headers=_headers, rows=_rows,
        filename="findings", context=context,
    )  # fmt: skip


@login_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    agency_ids = sorted(access.fix_list_agencies(request.user))
    if not agency_ids:
        raise PermissionDenied(_("Only agency staff and approvers may run the checks."))
    if not services.available():
        return redirect("checks:to_fix")  # the page says why there is no button
    if enqueue(run_checks, agency_ids=agency_ids):
        messages.success(request, _("The checks are running; reload this page in a minute."))
    else:
        messages.error(request, _("The checks could not be started now; try again later."))
    return redirect("checks:to_fix")
