import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache

from agencies.selectors import memberships_of
from core.fiscal import current_fiscal_year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "memberships": memberships_of(request.user),
            "fiscal_year": current_fiscal_year(),
            "today": timezone.localdate(),
        },
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database check for load balancers and docker-compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a login after too many failures (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage gets its own 503 page (it passes; nothing was lost) that
    needs no database to render; anything else gets Django's 500 page."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return HttpResponse(render_to_string("503.html"), status=503, headers={"Retry-After": "30"})
    return defaults.server_error(request)
