"""The audit trail of what the admin's own add/change/delete pages do not log: imports, exports,
admin actions, API tokens. Each entry is a row of Django's admin log (``LogEntry``): who, when,
on what, and a sentence saying what happened, so it shows in the admin's "Recent actions" and
on the object's history page next to the admin's own entries.

``LogEntry`` knows three kinds of action (addition, change, deletion); an action that is none
of them (an export, a requested rebuild) is logged as a change whose sentence says what it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation

__all__ = ["ADDITION", "CHANGE", "record"]


def record(
    user,
    objects: Iterable[models.Model],
    message,
    params: Mapping[str, object] | None = None,
    *,
    flag: int = CHANGE,
    model: type[models.Model] | None = None,
) -> list[LogEntry]:
    """Log ``user``'s action on each of ``objects``: ``message`` (a lazy gettext text) filled
    with ``params``. The sentence is kept in the site's language, whatever language the user
    reads, so the log reads the same for everyone. With no objects (an empty export) one entry
    names ``model`` instead: the action still happened."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message) % params if params else str(message)
        objects = list(objects)
        if objects:
            return LogEntry.objects.log_actions(user.pk, objects, flag, text)
        if model is None:
            raise ValueError("record() needs objects or a model")
        entry = LogEntry.objects.create(
            user_id=user.pk,
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_repr=str(model._meta.verbose_name_plural)[:200],
            action_flag=flag,
            change_message=text,
        )
    return [entry]
