"""Celery tasks of the checks: the nightly run (Celery beat), a run for some agencies (the
"run the checks now" button) and the recheck of one project after it is saved. All are
idempotent and acknowledged late: a re-run records nothing twice and e-mails nothing twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from . import services


@shared_task(acks_late=True, name="checks.tasks.run_checks")
def run_checks(
    agency_code: str | None = None, today: str | None = None, agency_ids: list[int] | None = None
) -> dict:
    """Check every project (or an agency's subtree, or these agencies), then e-mail each
    agency one digest of its new findings. ``today`` is an ISO date (default: today)."""
    if agency_code:
        agency_ids = services.subtree_ids(agency_code)
    day = date.fromisoformat(today) if today else None
    result = services.run_checks(agency_ids=agency_ids, today=day).as_dict()
    result["digests"] = services.send_digests(agency_ids)
    return result


@shared_task(acks_late=True, name="checks.tasks.recheck_project")
def recheck_project(project_id: int) -> dict:
    """Check one project again after a save (no e-mail: the nightly digest lists what is
    new)."""
    return services.recheck_projects([project_id]).as_dict()
