from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import Action

from . import engine
from .engine import WorkflowError
from .forms import TransitionForm
from .models import Notification, Reviewable


def transition(request: HttpRequest, obj: Reviewable, action: str, label=None) -> HttpResponse:
    """The POST of a workflow button on any reviewable object's page (a project, a plan, a
    progress report): run the engine, say what happened, and go back to the object (or to its
    form with every problem listed, when a submission is incomplete)."""
    if action not in {a.value for a in engine.TRANSITION_ACTIONS}:
        raise Http404
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        engine.perform(obj, action, request.user, form.cleaned_data.get("comment", ""),
                       form.cleaned_data.get("expected_version"))  # fmt: skip
    except PermissionDenied:
        messages.error(request, _("You may not do this now."))
    except WorkflowError as exc:
        messages.error(request, exc.message)
        if action == Action.SUBMIT and exc.problems:
            return redirect(f"{obj.get_absolute_url()}edit/?check=1")
    else:
        messages.success(
            request, _("Done: %(action)s.") % {"action": label or Action(action).label}
        )
    return redirect(obj)


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
