"""THE access policy: who may see, edit, submit and approve what. Every view, API and task asks
here and nowhere else, so a rule changes in one place.

Objects under review (projects, plans, progress reports) answer ``agency_id``, ``status`` and
``submitted_by_id``. Roles come from ``Membership``:

- staff edit, submit and withdraw in their agency and the units below it;
- an agency approver approves or returns what was submitted in that subtree;
- a ministry approver gives the second approval for the whole ministry;
- analysts read everything that is not a draft, everywhere;
- admins manage strategy data, agencies and users, and read like analysts; they never edit
  agency data.
Nobody approves or returns their own submission.
"""

from __future__ import annotations

from typing import Protocol

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.states import EDITABLE, PRIVATE, Status

from .models import Agency, Membership
from .selectors import subtree_ids

Role = Membership.Role


class Action(models.TextChoices):
    VIEW = "view", _("View")
    EDIT = "edit", _("Edit")
    SUBMIT = "submit", _("Submit for approval")
    WITHDRAW = "withdraw", _("Withdraw")
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return for revision")
    COMMENT = "comment", _("Comment")


class ReviewedObject(Protocol):
    agency_id: int
    status: str
    submitted_by_id: int | None


class _Grants:
    """What one user's memberships amount to: agency ids per role (computed once per user)."""

    def __init__(self, user) -> None:
        self.subtrees: dict[str, set[int]] = {role: set() for role in Role.values}
        self.roots: set[int] = set()  # the agencies whose subtrees the memberships grant
        if not (user and user.is_authenticated and user.is_active):
            return
        memberships = list(
            Membership.objects.filter(user=user, agency__is_active=True).select_related("agency")
        )
        for m in memberships:
            root = _ministry_of(m.agency) if m.role == Role.MINISTRY_APPROVER else m.agency
            self.roots.add(root.pk)
            self.subtrees[m.role] |= _subtree_ids(root)
        self.central = bool(
            user.is_superuser or any(m.role in (Role.ANALYST, Role.ADMIN) for m in memberships)
        )
        self.admin = bool(user.is_superuser or any(m.role == Role.ADMIN for m in memberships))

    central = False
    admin = False

    def in_role(self, agency_id: int, *roles: str) -> bool:
        return any(agency_id in self.subtrees[r] for r in roles)

    @property
    def member_ids(self) -> set[int]:
        """Agencies whose private objects (drafts) this user may see."""
        return set().union(*self.subtrees.values())


def _ministry_of(agency: Agency) -> Agency:
    if agency.kind == Agency.Kind.MINISTRY or agency.parent_id is None:
        return agency
    ancestors = Agency.objects.ancestors(agency)
    return next((a for a in ancestors if a.kind == Agency.Kind.MINISTRY), agency)


def _subtree_ids(agency: Agency) -> set[int]:
    return subtree_ids(agency.pk)


def grants(user) -> _Grants:
    """The user's grants, cached on the user object for the length of a request."""
    cached = getattr(user, "_emenscr_grants", None)
    if cached is None:
        cached = _Grants(user)
        if user is not None:
            user._emenscr_grants = cached
    return cached


def can(user, action: Action | str, obj: ReviewedObject) -> bool:
    """May ``user`` take ``action`` on ``obj`` now, given its agency and status?"""
    g = grants(user)
    agency_id, status = obj.agency_id, obj.status
    own_submission = obj.submitted_by_id is not None and obj.submitted_by_id == user.pk
    match Action(action):
        case Action.VIEW:
            return agency_id in g.member_ids or (g.central and status not in PRIVATE)
        case Action.EDIT | Action.SUBMIT:
            return status in EDITABLE and g.in_role(agency_id, Role.STAFF)
        case Action.WITHDRAW:
            return status in (Status.SUBMITTED, Status.AGENCY_APPROVED) and g.in_role(
                agency_id, Role.STAFF
            )
        case Action.APPROVE | Action.RETURN:
            if own_submission:
                return False
            if status == Status.SUBMITTED:
                return g.in_role(agency_id, Role.AGENCY_APPROVER)
            if status == Status.AGENCY_APPROVED and getattr(obj, "approval_levels", 2) == 2:
                return g.in_role(agency_id, Role.MINISTRY_APPROVER)
            return False
        case Action.COMMENT:
            return status not in PRIVATE and (
                g.central or g.in_role(agency_id, Role.AGENCY_APPROVER, Role.MINISTRY_APPROVER)
            )
    return False


def can_review_quality(user, obj: ReviewedObject) -> bool:
    """May ``user`` confirm or override the quality rubric of ``obj``? Its approvers (agency or
    ministry, over its agency's subtree) once it is out of draft, never on their own
    submission: the rubric is the reviewer's judgement, not the author's."""
    if obj.status in PRIVATE or (obj.submitted_by_id and obj.submitted_by_id == user.pk):
        return False
    return grants(user).in_role(obj.agency_id, Role.AGENCY_APPROVER, Role.MINISTRY_APPROVER)


def allowed_actions(user, obj: ReviewedObject) -> list[Action]:
    """Every action the user may take on ``obj`` now, so a page offers no button that fails."""
    return [a for a in Action if can(user, a, obj)]


def scope(user, queryset: QuerySet, agency_field: str = "agency") -> QuerySet:
    """Restrict ``queryset`` to the objects ``user`` may see (the VIEW rule, in SQL)."""
    g = grants(user)
    visible = Q(**{f"{agency_field}__in": g.member_ids})
    if g.central:
        # The cheap test first: PostgreSQL evaluates OR in order, and most rows pass it.
        visible = ~Q(status__in=PRIVATE) | visible
    return queryset.filter(visible)


def visible_agencies(user) -> QuerySet[Agency]:
    """Agencies whose objects the user may list (everything for central users)."""
    g = grants(user)
    qs = Agency.objects.filter(is_active=True)
    return qs if g.central else qs.filter(id__in=g.member_ids)


def can_browse_strategy(user) -> bool:
    """Every signed-in, active user reads the strategy hierarchy."""
    return bool(user and user.is_authenticated and user.is_active)


def can_manage_strategy(user) -> bool:
    """Only administrators import, export and change strategy data."""
    return grants(user).admin


def next_reviewers(obj: ReviewedObject, status: str):
    """The users who may act next on ``obj`` once it is in ``status`` (for notifications):
    agency approvers above it when submitted, the ministry's approvers when agency-approved."""
    from django.contrib.auth import get_user_model

    agency = Agency.objects.get(pk=obj.agency_id)
    if status == Status.SUBMITTED:
        above = Agency.objects.ancestors(agency, include_self=True)
        memberships = Membership.objects.filter(role=Role.AGENCY_APPROVER, agency__in=above)
    elif status == Status.AGENCY_APPROVED:
        ministry = _ministry_of(agency)
        memberships = Membership.objects.filter(
            role=Role.MINISTRY_APPROVER,
            agency__in=subtree_ids(ministry.pk),
        )
    else:
        return get_user_model().objects.none()
    users = get_user_model().objects.filter(is_active=True, pk__in=memberships.values("user_id"))
    if obj.submitted_by_id:
        users = users.exclude(pk=obj.submitted_by_id)  # nobody reviews their own submission
    return users


def agencies_for_entry(user) -> QuerySet[Agency]:
    """Agencies in which the user may create projects, plans and reports (staff subtrees)."""
    return Agency.objects.filter(is_active=True, pk__in=grants(user).subtrees[Role.STAFF])


def can_create_in(user, agency: Agency) -> bool:
    return agency.pk in grants(user).subtrees[Role.STAFF]


def review_queue_filter(user, agency_field: str = "agency") -> Q:
    """Objects waiting for this user's approval (the approver's queue), as a filter."""
    g = grants(user)
    first = Q(status=Status.SUBMITTED, **{f"{agency_field}__in": g.subtrees[Role.AGENCY_APPROVER]})
    second = Q(
        status=Status.AGENCY_APPROVED,
        **{f"{agency_field}__in": g.subtrees[Role.MINISTRY_APPROVER]},
    )
    return (first | second) & ~Q(submitted_by=user)


def agencies_for_plan_import(user) -> QuerySet[Agency]:
    """Agencies whose Level-3 plans the user may import from a workbook: administrators for
    every agency, staff for their own subtrees."""
    if grants(user).admin:
        return Agency.objects.filter(is_active=True)
    return agencies_for_entry(user)


def scope_with_agencies_above(user, queryset: QuerySet, agency_field: str = "agency") -> QuerySet:
    """What ``scope`` shows, plus the non-draft objects of the agencies above the user's own
    (for Level-3 plans: a unit's projects serve its department's and ministry's plans, so its
    people read them)."""
    extra = Q(**{f"{agency_field}__in": _agencies_above(user)}) & ~Q(status__in=PRIVATE)
    return scope(user, queryset) | queryset.filter(extra)


def can_view_with_agencies_above(user, obj: ReviewedObject) -> bool:
    """The VIEW rule of ``scope_with_agencies_above`` for one object."""
    return can(user, Action.VIEW, obj) or (
        obj.status not in PRIVATE and obj.agency_id in _agencies_above(user)
    )


def _agencies_above(user) -> set[int]:
    """The agencies above those the user holds a role in, but their own subtrees."""
    g = grants(user)
    above: set[int] = set()
    if g.member_ids:
        own = Agency.objects.filter(memberships__user=user, parent__isnull=False).distinct()
        for agency in own:
            above |= set(Agency.objects.ancestors(agency).values_list("pk", flat=True))
    return above - g.member_ids


def scope_report_jobs(user, queryset: QuerySet) -> QuerySet:
    """Report jobs the user may open: their own. A finished report holds what its owner could
    see when it was built, which may be more than anyone else may see (and, later, more than
    the owner still may: ``sees_report_data`` says whether they may download it)."""
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    return queryset.filter(owner=user)


def report_scope(user, agency_id: int | None = None) -> dict:
    """What lets ``user`` see the data of a report built now over the subtree of ``agency_id``
    (None: every agency): the agencies whose whole subtrees they see as a member, and whether
    they see as a central user (every agency's submitted objects). Kept with the built file,
    so that ``sees_report_data`` can tell later whether they still may."""
    g = grants(user)
    if agency_id is None:
        agencies = g.roots
    elif agency_id in g.member_ids:
        agencies = {agency_id}  # a grant is a whole subtree, so the agency's is all visible
    else:
        agencies = g.roots & subtree_ids(agency_id)  # the member parts of a wider view
    return {"agencies": sorted(agencies), "central": g.central}


def sees_report_data(user, job) -> bool:
    """May ``user``, the owner of a report job, still see everything its file may hold? Every
    agency of the scope kept when it was built (``report_scope``) must still be in their view
    as a member, and a report built with a central user's view needs that view still: a lost
    membership, a role that no longer reaches the data, a deactivated user or agency all
    withdraw the file. A job built before scopes were kept is not trusted."""
    scope = job.scope or {}
    if "agencies" not in scope or not (user and user.is_authenticated and user.is_active):
        return False
    g = grants(user)
    if job.owner_id != user.pk or (scope.get("central") and not g.central):
        return False
    return set(scope["agencies"]) <= g.member_ids


def fix_list_agencies(user) -> set[int]:
    """Agencies whose check findings (the "to fix" list) the user sees and may re-check: where
    they enter or approve data (staff, agency and ministry approvers, with the units below)."""
    g = grants(user)
    return (
        g.subtrees[Role.STAFF]
        | g.subtrees[Role.AGENCY_APPROVER]
        | g.subtrees[Role.MINISTRY_APPROVER]
    )


def can_see_national_dashboard(user) -> bool:
    """The national dashboard (every agency's figures) is for central users: analysts, admins."""
    return grants(user).central


def dashboard_agencies(user) -> QuerySet[Agency]:
    """Agencies whose dashboard the user may open: every agency for central users, otherwise
    the agencies of their memberships and the units below them (their subtrees)."""
    return visible_agencies(user)


def home_dashboard_agencies(user) -> QuerySet[Agency]:
    """The agencies a member's dashboard link leads to: those they hold a role in."""
    return Agency.objects.filter(
        is_active=True, memberships__user=user, memberships__role__in=[
            Role.STAFF, Role.AGENCY_APPROVER, Role.MINISTRY_APPROVER]
    ).distinct().order_by("code")  # fmt: skip


def can_see_a_dashboard(user) -> bool:
    """Central users and every member of an agency (for the navigation link)."""
    g = grants(user)
    return bool(g.central or g.member_ids)
