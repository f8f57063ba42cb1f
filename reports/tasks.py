"""The Celery task that builds report files."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def build_report(job_id: int) -> None:
    """Build one report job's file, updating its progress as it goes. Safe to run twice."""
    services.build(job_id)


@shared_task(acks_late=True)
def purge_expired_reports() -> int:
    """Remove the files of expired reports (Celery beat, hourly)."""
    return services.purge_expired()
