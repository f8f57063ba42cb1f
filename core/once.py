"""Once-only create forms: a form carries a one-time token; the first save claims it, a second
post of the same form finds the claim and is sent to what the first one created."""

from __future__ import annotations

import uuid

from django import forms
from django.db import IntegrityError, transaction

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


def new_token() -> uuid.UUID:
    return uuid.uuid4()


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
        raise AlreadySubmitted(earlier.url if earlier else "") from None


def record(submission: FormSubmission | None, url: str) -> None:
    if submission is not None:
        FormSubmission.objects.filter(pk=submission.pk).update(url=url)
