"""Reads of report jobs, scoped by the access policy (a user sees their own jobs only)."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies import access

from .models import ReportJob


def jobs_of(user) -> QuerySet[ReportJob]:
    return access.scope_report_jobs(user, ReportJob.objects.all())


def job_for_user(user, pk: int) -> ReportJob:
    """The user's own job; DoesNotExist for anyone else's (a 404, not a 403)."""
    return jobs_of(user).get(pk=pk)
