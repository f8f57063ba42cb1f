"""Once-only create forms: a form carries a one-time token; the first save claims it, a second
post of the same form finds the claim and is sent to what the first one created.

The token is also in the form page's address (``?form=<token>``): a browser going back to the
form may load the page again rather than restore it (Chromium does, the form having been
posted to that address), and it then fills in what the user had typed. With the token in the
address, that page is the same form, and once saved it leads to what the save created."""

from __future__ import annotations

import uuid

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from .models import FormSubmission


class AlreadySubmitted(Exception):
    """This form was saved before; ``url`` shows what that save created."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class OnceField(forms.UUIDField):
    """A hidden field with a fresh token for each new form shown."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


ADDRESS_PARAM = "form"


def new_token() -> uuid.UUID:
    return uuid.uuid4()


def token_in_address(request: HttpRequest) -> uuid.UUID | None:
    """The form's token in the page address, if there is a valid one."""
    try:
        return uuid.UUID(request.GET.get(ADDRESS_PARAM, ""))
    except ValueError:
        return None


def address_with_new_token(request: HttpRequest) -> str:
    """This page's address with a fresh token (a new form)."""
    query = request.GET.copy()
    query[ADDRESS_PARAM] = str(new_token())
    return f"{request.path}?{query.urlencode()}"


def saved_at(token: uuid.UUID, user) -> str | None:
    """Where the save that claimed ``token`` sent ``user`` ("" if it did not say); None while
    the form has not been saved."""
    return (
        FormSubmission.objects.filter(token=token, user=user).values_list("url", flat=True).first()
    )


def claim(token: uuid.UUID | None, user) -> FormSubmission | None:
    """Claim ``token`` inside the caller's transaction; raises AlreadySubmitted when another
    save claimed it first (a concurrent post waits on the unique index until that one ends)."""
    if token is None:
        return None
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=token, user=user)
    except IntegrityError:
        earlier = FormSubmission.objects.filter(token=token, user=user).first()
        if earlier is None:
            # Another user's token (a form address passed on): this is not a second post, and
            # refusing it would lose the form.
            return claim(new_token(), user)
        raise AlreadySubmitted(earlier.url) from None


def record(submission: FormSubmission | None, url: str) -> None:
    if submission is not None:
        FormSubmission.objects.filter(pk=submission.pk).update(url=url)
