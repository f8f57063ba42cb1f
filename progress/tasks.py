"""Background jobs of progress reporting (Celery beat runs the reminders every morning)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from .reminders import send_due_reminders


@shared_task(acks_late=True)
def send_progress_reminders(today: str | None = None) -> int:
    """E-mail the reminders due ``today`` (ISO date; default: the local date) that were not
    sent before; returns the number of e-mails. Safe to re-run: nothing is sent twice."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return send_due_reminders(day)
