"""The review workflow shared by projects, Level-3 plans and progress reports: the abstract
``Reviewable`` base, the log of every transition, the record of every change made after a
submission, and the in-app inbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import Status


class Reviewable(models.Model):
    """Something that goes draft → submitted → agency_approved → approved (or is returned).

    Subclasses have an ``agency`` and implement ``submission_problems()``. ``version`` grows
    with every write, so two people saving the same object cannot overwrite each other.
    ``approval_levels`` is 2 (agency, then ministry) or 1 (the agency approver's approval is
    final, as for progress reports); the engine and the access policy read it."""

    approval_levels = 2

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        abstract = True

    def submission_problems(self) -> dict[str, list[str]]:
        """Field → messages that keep this object from being submitted (empty: none)."""
        raise NotImplementedError

    def after_transition(self, action: str, from_status: str, user) -> None:
        """Hook for the owner model (e.g. a revision replacing its approved predecessor)."""


class _Target(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["content_type", "object_id"])]


class ReviewEvent(_Target):
    """One transition, with who, when, from where to where and the comment."""

    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        RETURN = "return", _("Returned for revision")
        WITHDRAW = "withdraw", _("Withdrawn")
        REVISE = "revise", _("Revision started")
        COMMENT = "comment", _("Commented")

    action = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta(_Target.Meta):
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.from_status}→{self.to_status}"


class ChangeRecord(_Target):
    """The previous and new values of fields changed after a first submission, and why."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"))  # {field label: {"old": str, "new": str}}
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta(_Target.Meta):
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.reason[:80]


class Notification(_Target):
    """An entry in a user's in-app inbox (also sent by email)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    event = models.ForeignKey(ReviewEvent, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta(_Target.Meta):
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["recipient", "read_at"]),
        ]

    def __str__(self) -> str:
        return self.message[:80]
