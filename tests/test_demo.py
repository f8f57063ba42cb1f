"""The demo loader: what a newcomer sees after ``manage.py load_demo``."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agencies import access
from core.states import Status
from demo.data import DEMO_PASSWORD, load_agencies, load_users
from demo.linkage import load_overlaps
from demo.plans import load_plans
from demo.progress import load_progress
from demo.projects import DEMO_STAFF, PROJECTS, load_projects
from projects.models import Project
from projects.rules import submission_problems
from strategy.models import Kind
from workflow.engine import change_history, timeline
from workflow.models import Notification, ReviewEvent


@pytest.fixture
def demo(db, settings, tmp_path):
    # The demo hashes its passwords; the default hasher takes most of the loading time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the demo plans' documents
    load_agencies()
    load_users()
    new, existing = load_projects()
    assert (new, existing) == (len(PROJECTS), 0)
    load_progress()  # load_demo loads the progress reports too (tests/test_progress_demo.py)
    return Project.objects.filter(reference__startswith="DEMO-").prefetch_related(
        "links__node__edition", "activities", "budget_lines", "kpis", "provinces"
    )


def test_a_few_dozen_projects_across_agencies_years_and_statuses(demo):
    kinds = Counter(p.kind for p in demo)
    assert kinds[Project.Kind.PROJECT] >= 30
    assert kinds[Project.Kind.OPERATION] >= 3
    assert len({p.agency_id for p in demo}) >= 7
    assert {p.fiscal_year for p in demo} >= {2566, 2567, 2568, 2569}
    assert all(p.kpis.all() and p.activities.all() for p in demo)
    counts = Counter(p.status for p in demo)
    assert set(counts) == set(Status.values)
    assert all(n >= 3 for n in counts.values()), counts


def test_many_master_plans_are_linked_in_the_right_edition(demo):
    plans = set()
    for project in demo:
        node = project.primary_link.node
        chain = [*node.ancestors(), node]
        plans |= {(n.edition.code, n.code) for n in chain if n.kind == Kind.MASTER_PLAN}
    assert len({code for _edition, code in plans}) >= 8
    assert {edition for edition, _code in plans} == {"mp-2561", "mp-2566"}
    # every primary link is in the edition of its fiscal year
    for project in demo:
        primary = project.primary_link
        assert primary is not None, project.reference
        assert primary.node.edition_id == project.edition.pk, project.reference
        expected = "mp-2561" if project.fiscal_year <= 2566 else "mp-2566"
        assert primary.node.edition.code == expected
    secondary = {link.node.edition.code for p in demo for link in p.links.all()}
    assert {"sdg-2030", "nesdp-13", "ns-2561"} <= secondary


def test_submitted_projects_are_complete_and_were_really_submitted(demo):
    for project in demo.exclude(status=Status.DRAFT):
        assert submission_problems(project) == {}, project.reference
        assert project.submitted_by is not None and project.submitted_at is not None
        assert project.activity_budget == project.total_budget == project.budget_by_source
    sources = {line.source for p in demo for line in p.budget_lines.all()}
    assert {"state", "loan", "agency_revenue"} <= sources
    # a draft still being written shows what is missing
    problems = [submission_problems(p) for p in demo.filter(status=Status.DRAFT)]
    assert any("budget_lines" in p and "provinces" in p for p in problems)


def test_timeline_of_an_approved_project(demo):
    project = demo.get(reference="DEMO-001")
    assert project.status == Status.APPROVED
    events = list(timeline(project))
    assert [e.action for e in events] == ["create", "submit", "approve", "approve"]
    actors = [e.actor.username for e in events]
    assert actors == ["staff", "staff", "agency_approver", "ministry_approver"]
    assert [e.to_status for e in events][1:] == [
        Status.SUBMITTED, Status.AGENCY_APPROVED, Status.APPROVED
    ]  # fmt: skip


def test_returned_projects_carry_the_reviewers_thai_comment(demo):
    returns = [list(timeline(p))[-1] for p in demo.filter(status=Status.RETURNED)]
    assert all(e.action == "return" and "ขอให้" in e.comment for e in returns)
    # one is returned by the ministry after the agency's approval
    assert any(e.from_status == Status.AGENCY_APPROVED for e in returns)
    # one was returned, corrected (the change is recorded) and submitted again
    project = demo.get(reference="DEMO-027")
    assert [e.action for e in timeline(project)] == [
        "create", "submit", "return", "submit"
    ]  # fmt: skip
    (change,) = change_history(project)
    (old_new,) = change.changes.values()
    assert old_new["new"] == project.target_group != old_new["old"]


def test_demo_users_log_in_see_their_queue_and_are_notified(demo):
    user_model = get_user_model()
    approver = user_model.objects.get(username="approver_rid")
    waiting = Project.objects.filter(access.review_queue_filter(approver))
    assert waiting.filter(reference="DEMO-013").exists()
    assert Notification.objects.filter(recipient=approver).exists()
    analyst = user_model.objects.get(username="analyst")
    visible = access.scope(analyst, demo)
    assert visible.count() == demo.exclude(status=Status.DRAFT).count()
    for demo_user in DEMO_STAFF:
        user = get_user_model().objects.get(username=demo_user.username)
        assert user.check_password(DEMO_PASSWORD)


def test_loading_twice_adds_nothing(demo):
    load_plans()  # load_demo also loads the demo plans and the near-duplicate project
    load_overlaps()
    counts = (Project.objects.count(), ReviewEvent.objects.count(), Notification.objects.count())
    assert load_projects() == (0, len(PROJECTS))
    out = StringIO()
    call_command("load_demo", stdout=out)
    after = (Project.objects.count(), ReviewEvent.objects.count(), Notification.objects.count())
    assert after == counts
    assert f"projects: 0 new, {len(PROJECTS)} already loaded" in out.getvalue()
    assert "staff_rid" in out.getvalue()
