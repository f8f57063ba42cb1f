"""Reads of report jobs, scoped by the access policy (a user sees their own jobs only, and
downloads their files while they may still see the data)."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies import access

from .models import ReportJob


def jobs_of(user) -> QuerySet[ReportJob]:
    return access.scope_report_jobs(user, ReportJob.objects.all())


def job_for_user(user, pk: int) -> ReportJob:
    """The user's own job; DoesNotExist for anyone else's (a 404, not a 403)."""
    return jobs_of(user).get(pk=pk)


def downloadable(user, job: ReportJob) -> bool:
    """Is the job's file ready, not expired, and still within what ``user`` (its owner) may
    see? (``access.sees_report_data``: a lost membership withdraws a built file.)"""
    return job.is_downloadable and access.sees_report_data(user, job)


def withdrawn(user, job: ReportJob) -> bool:
    """A built, unexpired file its owner may no longer see all the data of."""
    return job.is_downloadable and not access.sees_report_data(user, job)


def listed(user, limit: int) -> list[ReportJob]:
    """The user's newest jobs for the report page, each marked ``withdrawn`` when its built
    file is no longer theirs to download (the list says so instead of "ready")."""
    jobs = list(jobs_of(user)[:limit])
    for job in jobs:
        job.withdrawn = withdrawn(user, job)
    return jobs
