"""Background jobs of the workflow: notification e-mails leave the request."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


@shared_task(acks_late=True)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail each notification at most once, even when two runs overlap (a retried task, the
    sweep): a note is claimed by one UPDATE before it is sent, and released if sending fails."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for note in pending:
        claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed or not note.recipient.email:
            continue
        try:
            send_mail(
                subject=f"[eMENSCR] {note.message[:120]}",
                message=f"{note.message}\n\n{settings.SITE_URL.rstrip('/')}{note.url}",
                from_email=None,
                recipient_list=[note.recipient.email],
            )
        except Exception:
            Notification.objects.filter(pk=note.pk).update(emailed_at=None)  # sweep retries it
            raise
        sent += 1
    return sent


@shared_task(acks_late=True)
def email_pending_notifications(older_than_minutes: int = 2) -> int:
    """The sweep (Celery beat): e-mail notifications whose own job never ran, e.g. because the
    broker was down when they were made. Recent ones are left to their own job."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:1000]
    )
    return email_notifications(ids) if ids else 0
