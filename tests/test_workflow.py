"""The one workflow engine, through projects: transitions, who may act, what is recorded and
who is told. Plans and progress reports will run through the same engine."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from agencies.access import Action
from agencies.models import Membership
from core.states import Status
from projects.models import KPI
from tests.factories import ProjectFactory, complete_project, member
from workflow import engine
from workflow.engine import EditConflict, WorkflowError
from workflow.models import Notification, ReviewEvent

R = Membership.Role
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(agencies):
    return {
        "staff": member(R.STAFF, agencies["doae"], first_name="สมศรี"),
        "approver": member(R.AGENCY_APPROVER, agencies["doae"]),
        "ministry": member(R.MINISTRY_APPROVER, agencies["moac"]),
        "other_ministry": member(R.MINISTRY_APPROVER, agencies["moph"]),
        "analyst": member(R.ANALYST, agencies["nesdc"]),
    }


@pytest.fixture
def project(agencies, people):
    return complete_project(agency=agencies["unit"], created_by=people["staff"])


def actions(project):
    return [e.action for e in engine.timeline(project)]


def test_the_full_path_to_approval_is_recorded_step_by_step(project, people):
    engine.perform(project, Action.SUBMIT, people["staff"])
    assert project.status == Status.SUBMITTED and project.submitted_by == people["staff"]
    engine.perform(project, Action.APPROVE, people["approver"])
    assert project.status == Status.AGENCY_APPROVED
    engine.perform(project, Action.APPROVE, people["ministry"], "เห็นชอบ")
    assert project.status == Status.APPROVED
    events = list(engine.timeline(project))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        (Status.DRAFT, Status.SUBMITTED, people["staff"]),
        (Status.SUBMITTED, Status.AGENCY_APPROVED, people["approver"]),
        (Status.AGENCY_APPROVED, Status.APPROVED, people["ministry"]),
    ]
    assert events[-1].comment == "เห็นชอบ"


def test_return_needs_a_comment_and_the_owner_can_resubmit(project, people):
    engine.perform(project, Action.SUBMIT, people["staff"])
    with pytest.raises(WorkflowError) as refused:
        engine.perform(project, Action.RETURN, people["approver"], "   ")
    assert "comment" in refused.value.problems
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED
    engine.perform(project, Action.RETURN, people["approver"], "โปรดระบุตัวชี้วัดเชิงผลลัพธ์")
    assert project.status == Status.RETURNED
    # the ministry level may return too
    engine.perform(project, Action.SUBMIT, people["staff"])
    engine.perform(project, Action.APPROVE, people["approver"])
    engine.perform(project, Action.RETURN, people["ministry"], "งบประมาณสูงเกินไป")
    assert project.status == Status.RETURNED
    assert actions(project) == ["submit", "return", "submit", "approve", "return"]


def test_withdrawal_by_the_owner_before_approval(project, people):
    engine.perform(project, Action.SUBMIT, people["staff"])
    engine.perform(project, Action.WITHDRAW, people["staff"])
    assert project.status == Status.DRAFT
    engine.perform(project, Action.SUBMIT, people["staff"])
    engine.perform(project, Action.APPROVE, people["approver"])
    engine.perform(project, Action.APPROVE, people["ministry"])
    with pytest.raises(PermissionDenied):
        engine.perform(project, Action.WITHDRAW, people["staff"])


def test_refused_actions_change_nothing(project, people):
    for user, action in [
        (people["staff"], Action.APPROVE),  # staff do not approve
        (people["approver"], Action.SUBMIT),  # approvers do not submit
        (people["other_ministry"], Action.APPROVE),
        (people["analyst"], Action.RETURN),
    ]:
        with pytest.raises((PermissionDenied, WorkflowError)):
            engine.perform(project, action, user, "x")
    engine.perform(project, Action.SUBMIT, people["staff"])
    with pytest.raises(PermissionDenied):  # second level before the first
        engine.perform(project, Action.APPROVE, people["ministry"])
    project.refresh_from_db()
    assert project.status == Status.SUBMITTED
    assert actions(project) == ["submit"]


def test_nobody_approves_their_own_submission(agencies, people):
    both = member(R.STAFF, agencies["doae"])
    Membership.objects.create(user=both, agency=agencies["doae"], role=R.AGENCY_APPROVER)
    project = complete_project(agency=agencies["doae"], created_by=both)
    engine.perform(project, Action.SUBMIT, both)
    assert engine.allowed_transitions(both, project) == [Action.WITHDRAW]
    with pytest.raises(PermissionDenied):
        engine.perform(project, Action.APPROVE, both)
    engine.perform(project, Action.APPROVE, people["approver"])
    assert project.status == Status.AGENCY_APPROVED


def test_allowed_transitions_are_exactly_what_perform_accepts(project, people):
    engine.perform(project, Action.SUBMIT, people["staff"])
    for user in people.values():
        offered = set(engine.allowed_transitions(user, project))
        for action in engine.TRANSITION_ACTIONS:
            version = project.version
            try:
                with transaction.atomic():
                    engine.perform(project, action, user, "ตรวจสอบ")
                    transaction.set_rollback(True)  # try it, keep nothing
                accepted = True
            except (PermissionDenied, WorkflowError):
                accepted = False
            project.refresh_from_db()
            assert project.version == version
            assert accepted == (action in offered), (user, action)


def test_submission_lists_every_problem_at_once_and_changes_nothing(agencies, people):
    draft = ProjectFactory(agency=agencies["doae"], created_by=people["staff"])
    with pytest.raises(WorkflowError) as refused:
        engine.perform(draft, Action.SUBMIT, people["staff"])
    problems = refused.value.problems
    for field in ("start_date", "end_date", "rationale", "objectives", "kpis", "activities",
                  "budget_lines", "y1", "provinces", "contact_phone"):  # fmt: skip
        assert field in problems, field
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.version == 1
    assert ReviewEvent.objects.filter(action="submit").count() == 0


def test_a_stale_version_is_a_conflict(project, people):
    with pytest.raises(EditConflict):
        engine.perform(
            project, Action.SUBMIT, people["staff"], expected_version=project.version - 1
        )
    engine.perform(project, Action.SUBMIT, people["staff"], expected_version=project.version)
    assert project.status == Status.SUBMITTED


def test_the_next_actor_is_told_in_the_inbox(project, people):
    engine.perform(project, Action.SUBMIT, people["staff"])
    inbox = Notification.objects.filter(recipient=people["approver"])
    assert inbox.count() == 1
    note = inbox.get()
    assert project.title in note.message and note.url == project.get_absolute_url()
    # nobody else: not the submitter, not the other ministry
    assert not Notification.objects.exclude(recipient=people["approver"]).exists()

    engine.perform(project, Action.APPROVE, people["approver"])
    assert Notification.objects.filter(recipient=people["ministry"]).count() == 1
    assert not Notification.objects.filter(recipient=people["other_ministry"]).exists()
    engine.perform(project, Action.RETURN, people["ministry"], "ขอรายละเอียดกิจกรรมเพิ่มเติม")
    back = Notification.objects.filter(recipient=people["staff"]).get()
    assert "ขอรายละเอียดกิจกรรมเพิ่มเติม" in back.message


def test_a_returned_project_edited_keeps_old_and_new_values_with_the_reason(project, people):
    from projects.services import snapshot

    engine.perform(project, Action.SUBMIT, people["staff"])
    engine.perform(project, Action.RETURN, people["approver"], "แก้ค่าเป้าหมาย")
    assert engine.needs_change_reason(project)
    before = snapshot(project)
    kpi = project.kpis.get()
    kpi.target_value = "80"
    kpi.save()
    project.total_budget = Decimal("1000000.00")
    from projects.services import diff

    changes = diff(before, snapshot(project))
    engine.record_changes(project, people["staff"], "ปรับตามข้อสังเกต", changes)
    record = engine.change_history(project).get()
    assert record.reason == "ปรับตามข้อสังเกต"
    ((_label, values),) = record.changes.items()
    assert "50" in values["old"] and "80" in values["new"]
    assert KPI.objects.get(pk=kpi.pk).target_value == "80"
