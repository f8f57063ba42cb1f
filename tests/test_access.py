"""The access policy, role by role, on its own (projects, plans and reports all ask it)."""

from dataclasses import dataclass

import pytest

from agencies import access
from agencies.access import Action
from agencies.models import Agency, Membership
from core.states import Status
from tests.factories import UserFactory, member

R = Membership.Role
pytestmark = pytest.mark.django_db


@dataclass
class Reviewed:
    """Anything under review: it has an agency, a status and maybe a submitter."""

    agency_id: int
    status: str
    submitted_by_id: int | None = None


def obj(agency, status=Status.DRAFT, submitted_by=None):
    return Reviewed(agency.pk, status, submitted_by.pk if submitted_by else None)


def test_staff_edit_and_submit_drafts_of_their_agency_and_units_below(agencies):
    staff = member(R.STAFF, agencies["doae"])
    for agency in (agencies["doae"], agencies["unit"]):
        for status in (Status.DRAFT, Status.RETURNED):
            assert access.can(staff, Action.EDIT, obj(agency, status))
            assert access.can(staff, Action.SUBMIT, obj(agency, status))
    # not the parent ministry, not a sibling department, not another ministry
    for agency in (agencies["moac"], agencies["rid"], agencies["doh"]):
        assert not access.can(staff, Action.VIEW, obj(agency))
        assert not access.can(staff, Action.EDIT, obj(agency))


def test_staff_cannot_edit_once_submitted_but_may_withdraw(agencies):
    staff = member(R.STAFF, agencies["doae"])
    for status in (Status.SUBMITTED, Status.AGENCY_APPROVED):
        submitted = obj(agencies["doae"], status, staff)
        assert not access.can(staff, Action.EDIT, submitted)
        assert access.can(staff, Action.WITHDRAW, submitted)
        assert not access.can(staff, Action.APPROVE, submitted)
    approved = obj(agencies["doae"], Status.APPROVED, staff)
    assert access.allowed_actions(staff, approved) == [Action.VIEW]


def test_agency_approver_approves_first_level_in_subtree_only(agencies):
    approver = member(R.AGENCY_APPROVER, agencies["doae"])
    staff = member(R.STAFF, agencies["unit"])
    submitted = obj(agencies["unit"], Status.SUBMITTED, staff)
    assert access.can(approver, Action.APPROVE, submitted)
    assert access.can(approver, Action.RETURN, submitted)
    assert not access.can(approver, Action.EDIT, obj(agencies["unit"]))
    # second level is the ministry's
    assert not access.can(
        approver, Action.APPROVE, obj(agencies["unit"], Status.AGENCY_APPROVED, staff)
    )
    # another department's submission
    assert not access.can(approver, Action.APPROVE, obj(agencies["rid"], Status.SUBMITTED, staff))


def test_ministry_approver_gives_second_approval_across_the_ministry(agencies):
    # Membership in a department still means the whole ministry for this role.
    approver = member(R.MINISTRY_APPROVER, agencies["rid"])
    staff = member(R.STAFF, agencies["unit"])
    assert access.can(
        approver, Action.APPROVE, obj(agencies["unit"], Status.AGENCY_APPROVED, staff)
    )
    assert not access.can(approver, Action.APPROVE, obj(agencies["unit"], Status.SUBMITTED, staff))
    assert not access.can(
        approver, Action.APPROVE, obj(agencies["doh"], Status.AGENCY_APPROVED, staff)
    )
    assert access.can(approver, Action.VIEW, obj(agencies["doae"]))


def test_nobody_approves_their_own_submission(agencies):
    both = member(R.STAFF, agencies["doae"])
    Membership.objects.create(user=both, agency=agencies["doae"], role=R.AGENCY_APPROVER)
    own = obj(agencies["doae"], Status.SUBMITTED, both)
    assert not access.can(both, Action.APPROVE, own)
    assert not access.can(both, Action.RETURN, own)
    other = obj(agencies["doae"], Status.SUBMITTED, UserFactory())
    assert access.can(both, Action.APPROVE, other)


def test_analyst_reads_everything_but_drafts_and_changes_nothing(agencies):
    analyst = member(R.ANALYST, agencies["nesdc"])
    assert not access.can(analyst, Action.VIEW, obj(agencies["doh"], Status.DRAFT))
    for status in (Status.SUBMITTED, Status.AGENCY_APPROVED, Status.APPROVED, Status.RETURNED):
        reviewed = obj(agencies["doh"], status)
        assert access.can(analyst, Action.VIEW, reviewed)
        assert access.can(analyst, Action.COMMENT, reviewed)
        assert not access.can(analyst, Action.EDIT, reviewed)
        assert not access.can(analyst, Action.APPROVE, reviewed)


def test_admin_manages_strategy_but_never_edits_agency_data(agencies):
    admin = member(R.ADMIN, agencies["nesdc"])
    assert access.can_manage_strategy(admin)
    assert not access.can(admin, Action.EDIT, obj(agencies["doae"], Status.DRAFT))
    assert not access.can(admin, Action.VIEW, obj(agencies["doae"], Status.DRAFT))
    staff = member(R.STAFF, agencies["doae"])
    assert not access.can_manage_strategy(staff)


def test_users_without_membership_or_inactive_see_nothing(agencies):
    nobody = UserFactory()
    assert access.allowed_actions(nobody, obj(agencies["doae"], Status.APPROVED)) == []
    staff = member(R.STAFF, agencies["doae"])
    staff.is_active = False
    staff.save()
    staff = type(staff).objects.get(pk=staff.pk)
    assert not access.can(staff, Action.VIEW, obj(agencies["doae"]))
    assert not access.can_browse_strategy(staff)


def test_scope_filters_a_queryset_like_can_view(agencies):
    """scope() is the VIEW rule in SQL: check it against can() on every agency."""
    staff = member(R.STAFF, agencies["doae"])
    analyst = member(R.ANALYST, agencies["nesdc"])
    # Agencies stand in for reviewed objects: give the queryset a constant status to filter.
    from django.db.models import CharField, Value

    for status in (Status.DRAFT, Status.APPROVED):
        qs = Agency.objects.annotate(status=Value(status, output_field=CharField()))
        for user in (staff, analyst):
            visible = set(access.scope(user, qs, agency_field="pk").values_list("pk", flat=True))
            expected = {
                a.pk
                for a in Agency.objects.all()
                if access.can(user, Action.VIEW, Reviewed(a.pk, status))
            }
            assert visible == expected
    assert agencies["unit"].pk in visible_for(staff)


def visible_for(user):
    return set(access.visible_agencies(user).values_list("pk", flat=True))
