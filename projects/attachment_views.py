"""The attachment pages of projects and progress reports (upload, download, delete) in one
place: each app's views find their object (through the access policy) and pass it with their
own service functions, which check the content, the size and who may change it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .forms import AttachmentForm


def upload(request: HttpRequest, owner, add: Callable) -> HttpResponse:
    """Attach the posted file to ``owner`` with ``add(owner, user, file)``; back to its page
    with a message either way."""
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(owner)
    try:
        with transaction.atomic():
            add(owner, request.user, form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(owner)


def download(attachment) -> FileResponse:
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type)  # fmt: skip


def delete(request: HttpRequest, owner, attachment, remove: Callable) -> HttpResponse:
    """Remove ``attachment`` with ``remove(attachment, user)``; back to the owner's page."""
    try:
        remove(attachment, request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(owner)
