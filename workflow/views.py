from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import Action
from core import once
from core.once import AlreadySubmitted

from . import engine
from .engine import EditConflict, WorkflowError
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


FormsFactory = Callable[[Any, Any, Reviewable], tuple[BaseForm, list]]


def edit(
    request: HttpRequest,
    obj: Reviewable,
    *,
    forms: FormsFactory,
    save: Callable[[BaseForm, list], Reviewable],
    page: Callable[[Reviewable, BaseForm, list, dict], HttpResponse],
    submitted: str,
    already_saved: str = "",
    list_url: str = "/",
) -> HttpResponse:
    """The form page of any reviewable object with formsets (a project, a plan): save a draft,
    or save and submit; on a stale version keep the user's input and say so; list every
    problem of an incomplete submission. ``forms(data, files, obj)`` builds the form and its
    formsets, ``save(form, formsets)`` calls the app's service, ``page(obj, form, formsets,
    problems)`` renders the form.

    A new object's form is once-only (``core.once``): its page address carries the form's
    token, and that address, once the form is saved, leads to what it created."""
    posted = request.method == "POST"
    token = None
    if obj.pk is None and not posted:
        token = once.token_in_address(request)
        if token is None:
            return redirect(once.address_with_new_token(request))
        if (earlier := once.saved_at(token, request.user)) is not None:
            messages.info(request, already_saved)
            return redirect(earlier or list_url)
    form, formsets = forms(request.POST if posted else None, request.FILES if posted else None,
                           obj)  # fmt: skip
    if token is not None and "form_token" in form.fields:
        form.initial["form_token"] = token
    problems: dict[str, list[str]] = {}
    if not posted and request.GET.get("check") and obj.pk:
        problems = obj.submission_problems()
    if posted and form.is_valid() and all(f.is_valid() for f in formsets):
        try:
            saved = save(form, formsets)
        except AlreadySubmitted as exc:
            messages.info(request, already_saved)
            return redirect(exc.url or list_url)
        except EditConflict as exc:
            form.add_error(None, exc.message)
            # Keep the user's input but hold the version now stored, so "save again" (as the
            # message says) saves over the other change knowingly instead of conflicting again.
            form.data = form.data.copy()
            current = type(obj).objects.values_list("version", flat=True).get(pk=obj.pk)
            form.data[form.add_prefix("expected_version")] = str(current)
        except WorkflowError as exc:
            for field, msgs in exc.problems.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            if "_submit" not in request.POST:
                messages.success(request, _("The draft was saved."))
                return redirect(saved)
            try:
                engine.perform(saved, Action.SUBMIT, request.user)
            except WorkflowError as exc:
                messages.error(request, _("Saved as a draft, but not submitted: %(why)s")
                               % {"why": exc.message})  # fmt: skip
                fresh = type(saved).objects.get(pk=saved.pk)
                return page(fresh, *forms(None, None, fresh), exc.problems)
            messages.success(request, submitted)
            return redirect(saved)
    elif posted:
        messages.error(request, _("Please correct the errors below; nothing was saved."))
    return page(obj, form, formsets, problems)


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
