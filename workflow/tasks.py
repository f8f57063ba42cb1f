"""Background jobs of the workflow: notification e-mails leave the request."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Notification


@shared_task(acks_late=True)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail each notification once (a retried task sends nothing twice)."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient")
    for note in pending:
        if note.recipient.email:
            send_mail(
                subject=f"[eMENSCR] {note.message[:120]}",
                message=f"{note.message}\n\n{settings.SITE_URL.rstrip('/')}{note.url}",
                from_email=None,
                recipient_list=[note.recipient.email],
            )
            sent += 1
        # Marked one by one so a crash half-way never repeats an e-mail already sent.
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return sent
