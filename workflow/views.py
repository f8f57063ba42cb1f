from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notes = request.user.notifications.select_related("event", "event__actor")
    page = Paginator(notes, 30).get_page(request.GET.get("page"))
    return render(request, "workflow/inbox.html", {"page": page})


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    if url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect(note.url)
    return redirect("workflow:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    request.user.notifications.filter(read_at=None).update(read_at=timezone.now())
    return redirect("workflow:inbox")
