"""The one workflow engine: every state change of a project, plan or progress report goes
through ``perform``. It asks the access policy, validates a submission, records the event and
notifies whoever acts next. Views and the API call it; none of them change ``status`` itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies import access
from agencies.access import Action
from core.jobs import enqueue
from core.states import EDITABLE, Status

from .models import ChangeRecord, Notification, Reviewable, ReviewEvent

# action → {from status: to status}
TRANSITIONS: dict[Action, dict[str, str]] = {
    Action.SUBMIT: {Status.DRAFT: Status.SUBMITTED, Status.RETURNED: Status.SUBMITTED},
    Action.APPROVE: {
        Status.SUBMITTED: Status.AGENCY_APPROVED,
        Status.AGENCY_APPROVED: Status.APPROVED,
    },
    Action.RETURN: {Status.SUBMITTED: Status.RETURNED, Status.AGENCY_APPROVED: Status.RETURNED},
    Action.WITHDRAW: {Status.SUBMITTED: Status.DRAFT, Status.AGENCY_APPROVED: Status.DRAFT},
}
# One approval level (progress reports: the agency approver accepts): submitted → approved.
ONE_LEVEL: dict[Action, dict[str, str]] = {
    Action.SUBMIT: TRANSITIONS[Action.SUBMIT],
    Action.APPROVE: {Status.SUBMITTED: Status.APPROVED},
    Action.RETURN: {Status.SUBMITTED: Status.RETURNED},
    Action.WITHDRAW: {Status.SUBMITTED: Status.DRAFT},
}
TRANSITION_ACTIONS = tuple(TRANSITIONS)


def transitions_for(obj: Reviewable) -> dict[Action, dict[str, str]]:
    """The transition table of ``obj``'s model, chosen by its ``approval_levels``."""
    return ONE_LEVEL if getattr(obj, "approval_levels", 2) == 1 else TRANSITIONS


class WorkflowError(Exception):
    """A transition that cannot happen; ``problems`` maps fields to messages."""

    def __init__(self, message: str, problems: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or {}


class EditConflict(WorkflowError):
    """Somebody else saved the object after this user opened it."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this item after you opened it. Your input is kept "
                "below; check the current version and save again."
            )
        )


def allowed_transitions(user, obj: Reviewable) -> list[Action]:
    """The workflow actions the user may take on ``obj`` now (for buttons and the API)."""
    table = transitions_for(obj)
    return [a for a in TRANSITION_ACTIONS if obj.status in table[a] and access.can(user, a, obj)]


def perform(
    obj: Reviewable, action: Action | str, user, comment: str = "", expected_version=None
) -> ReviewEvent:
    """Move ``obj`` through ``action`` as ``user``; raises PermissionDenied or WorkflowError."""
    action = Action(action)
    if action not in TRANSITIONS:
        raise WorkflowError(_("Unknown action."))
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        if expected_version is not None and int(expected_version) != locked.version:
            raise EditConflict
        if not access.can(user, action, locked):
            raise PermissionDenied(_("You may not do this now."))
        if action == Action.RETURN and not comment:
            raise WorkflowError(
                _("Say what must be revised."), {"comment": [_("A comment is required.")]}
            )
        if action == Action.SUBMIT:
            problems = locked.submission_problems()
            if problems:
                raise WorkflowError(_("The item cannot be submitted yet."), problems)
        from_status = locked.status
        locked.status = transitions_for(locked)[action][from_status]
        locked.version += 1
        fields = ["status", "version"]
        if action == Action.SUBMIT:
            locked.submitted_by, locked.submitted_at = user, timezone.now()
            fields += ["submitted_by", "submitted_at"]
        locked.save(update_fields=fields)
        locked.after_transition(action, from_status, user)
        event = record(locked, action, user, from_status, comment)
        notify(locked, event)
    obj.refresh_from_db()
    return event


def record(obj: Reviewable, action: str, user, from_status: str = "", comment: str = ""):
    """Log an event on ``obj`` (transitions log themselves; creation and revisions call this)."""
    return ReviewEvent.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        from_status=from_status,
        to_status=obj.status,
        actor=user,
        comment=comment,
    )


def timeline(obj: Reviewable):
    return ReviewEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")


def record_changes(obj: Reviewable, user, reason: str, changes: dict) -> ChangeRecord | None:
    """Keep previous and new values of an object that has been submitted before."""
    if not changes:
        return None
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        actor=user,
        reason=reason,
        changes=changes,
    )


def change_history(obj: Reviewable):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")


def take_version(obj: Reviewable, expected_version: int | None) -> None:
    """The optimistic lock of every data-level save: only the holder of the current version
    writes, and the version moves on by one (inside the caller's transaction, so a refused
    save gives it back). Raises WorkflowError (no version sent) or EditConflict."""
    if expected_version is None:
        raise WorkflowError(
            _("Send the version you read, so nobody's changes are overwritten."),
            {"version": [_("This field is required.")]},
        )
    bumped = (
        type(obj)
        .objects.filter(pk=obj.pk, version=expected_version)
        .update(version=F("version") + 1)
    )
    if not bumped:
        raise EditConflict
    obj.version = expected_version + 1


def needs_change_reason(obj: Reviewable) -> bool:
    """Edits after a first submission (a returned item, a revision of an approved one) must
    say why; first drafts need no reason."""
    return obj.status in EDITABLE and (
        obj.submitted_at is not None or getattr(obj, "supersedes_id", None) is not None
    )


_MESSAGES = {
    Status.SUBMITTED: gettext_noop("%(title)s was submitted for your approval."),
    Status.AGENCY_APPROVED: gettext_noop(
        "%(title)s was approved by the agency and awaits ministry approval."
    ),
    Status.APPROVED: gettext_noop("%(title)s was approved."),
    Status.RETURNED: gettext_noop("%(title)s was returned for revision: %(comment)s"),
    Status.DRAFT: gettext_noop("%(title)s was withdrawn by its owner."),
}


def notify(obj: Reviewable, event: ReviewEvent) -> list[Notification]:
    """Tell the next actor: reviewers of the new status, or the owner when it comes back."""
    status = event.to_status
    if status in (Status.SUBMITTED, Status.AGENCY_APPROVED):
        recipients = list(access.next_reviewers(obj, status))
    elif status == Status.DRAFT:
        recipients = list(access.next_reviewers(obj, Status.SUBMITTED))
    else:
        owner_ids = {obj.submitted_by_id, getattr(obj, "created_by_id", None)} - {None}
        from django.contrib.auth import get_user_model

        recipients = list(get_user_model().objects.filter(pk__in=owner_ids, is_active=True))
    recipients = [u for u in recipients if u.pk != event.actor_id]
    title = str(obj)
    # Stored in the site language (Thai) whatever language the actor uses.
    with translation.override(settings.LANGUAGE_CODE):
        # A model may word its own messages (a progress report is "accepted", not "approved").
        template = getattr(obj, "notification_messages", {}).get(status, _MESSAGES[status])
        message = _(template) % {"title": title[:200], "comment": event.comment[:200]}
    notes = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            event=event,
            content_type=event.content_type,
            object_id=event.object_id,
            message=message[:500],
            url=obj.get_absolute_url(),
        )
        for user in recipients
    )
    if notes:
        from .tasks import email_notifications

        ids = [n.pk for n in notes]
        # If the broker is down the notes stay un-e-mailed and the periodic sweep sends them.
        transaction.on_commit(lambda: enqueue(email_notifications, ids))
    return notes
