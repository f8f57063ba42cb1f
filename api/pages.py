"""The browser page where a user creates and revokes their own API tokens (user menu)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import audit

from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("token name"), max_length=100,
        help_text=gettext_lazy("What uses it, e.g. “the department's project database”."),
    )  # fmt: skip


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Rendered, not redirected: the token text exists only in this response.
        row, new_token = ApiToken.issue(request.user, form.cleaned_data["name"])
        audit.record(request.user, [row], gettext_lazy("Issued the API token “%(name)s”."),
                     {"name": row.name}, flag=audit.ADDITION)  # fmt: skip
        form = TokenForm()
    return render(request, "api/tokens.html", {
        "form": form, "new_token": new_token, "tokens": request.user.api_tokens.all(),
    })  # fmt: skip


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoke():
        audit.record(request.user, [token], gettext_lazy("Revoked the API token “%(name)s”."),
                     {"name": token.name})  # fmt: skip
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("api_tokens")
