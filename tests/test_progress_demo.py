"""The demo's progress reports: every state a newcomer should meet, loaded through the real
services and workflow, and loaded only once."""

from collections import Counter

import pytest

from core.states import Status
from demo.data import load_agencies, load_users
from demo.progress import PLAN, load_progress
from demo.projects import load_projects
from progress import selectors
from progress.models import ProgressReport
from projects.models import Project


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_agencies()
    load_users()
    load_projects()
    return load_progress()


def test_demo_reports_in_every_state_and_a_completed_project(demo):
    new, existing = demo
    assert new == sum(len(steps) for steps in PLAN.values()) and existing == 0
    counts = Counter(ProgressReport.objects.values_list("status", flat=True))
    assert set(counts) == {Status.APPROVED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT}
    assert all(r.submission_problems() == {} for r in ProgressReport.objects.exclude(
        status=Status.DRAFT))  # fmt: skip
    projects = list(Project.objects.filter(reference__in=list(PLAN), status=Status.APPROVED))
    flags = selectors.flags_for(projects)
    assert sum(f.completed for f in flags.values()) == 1
    assert sum(f.overdue for f in flags.values()) >= 5
    assert load_progress() == (0, new)
