"""Celery tasks: rescore one project (after a save or a submission), a chunk of projects, or
a selection (fiscal year, agency, everything) split into chunks. All are idempotent: a project
whose inputs did not change is not written again, so a redelivered message is harmless."""

from __future__ import annotations

from celery import group, shared_task

from core.jobs import enqueue_by_name

from . import rubric_services, services

CHUNK = 1_000  # Celery costs ~1.3 ms per task: chunks keep that overhead negligible


@shared_task(acks_late=True, name="linkage.tasks.rescore_project")
def rescore_project(project_id: int) -> dict[str, int]:
    """Rescore a project after a save or a transition, then ask the batch checks (an app
    above this one) to recheck it with the new scores, so a fixed project leaves the "to
    fix" list now; if that message is lost, the nightly run catches up."""
    result = services.rescore_projects([project_id]).as_dict()
    # The rubric's gate reads the alignment just stored; its other rules read the project.
    result["rubric"] = rubric_services.assess_projects([project_id])
    enqueue_by_name("checks.tasks.recheck_project", project_id)
    return result


@shared_task(acks_late=True, name="linkage.tasks.rescore_chunk")
def rescore_chunk(project_ids: list[int]) -> dict[str, int]:
    result = services.rescore_projects(project_ids).as_dict()
    return result | {"rubric": rubric_services.assess_projects(project_ids)}


def chunks(ids: list[int], size: int = CHUNK) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def queue_selection(
    fiscal_year: int | None = None,
    agency_code: str | None = None,
    chunk_size: int = CHUNK,
    queue: str | None = None,
):
    """Send the chunks of a selection as one group; returns (GroupResult, project count).
    The group is saved, so its progress (chunks done / chunks) can be read by its id."""
    ids = services.selection_ids(fiscal_year, agency_code)
    options = {"queue": queue} if queue else {}
    result = group(rescore_chunk.s(chunk) for chunk in chunks(ids, chunk_size)).apply_async(
        **options
    )
    result.save()
    return result, len(ids)


@shared_task(acks_late=True, name="linkage.tasks.rescore_selection")
def rescore_selection(fiscal_year: int | None = None, agency_code: str | None = None) -> str:
    """Queue a batch from inside Celery (e.g. Celery beat); returns the group's id."""
    result, _ = queue_selection(fiscal_year, agency_code)
    return result.id


@shared_task(acks_late=True, name="linkage.tasks.rescore_stale")
def rescore_stale() -> dict[str, int]:
    """Periodic safety net: projects changed since their last score (a missed message)."""
    total, assessed = services.RescoreResult(), 0
    for chunk in chunks(services.stale_ids()):
        total = total + services.rescore_projects(chunk)
        assessed += rubric_services.assess_projects(chunk)
    return total.as_dict() | {"rubric": assessed}
