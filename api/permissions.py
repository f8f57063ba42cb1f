"""DRF permissions that only ask the access policy (``agencies/access.py``); no rule lives here.

Objects are looked up through ``access.scope`` first, so what a user may not see is a 404;
these classes decide what a user may do with what they can see."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from agencies import access
from agencies.access import Action


class CanBrowseStrategy(BasePermission):
    def has_permission(self, request, view) -> bool:
        return access.can_browse_strategy(request.user)


class ReviewedObjectAccess(BasePermission):
    """Reads need VIEW; writes need EDIT (workflow actions are checked by the engine)."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return access.can(request.user, Action.VIEW, obj)
        return access.can(request.user, Action.EDIT, obj)


class PlanAccess(ReviewedObjectAccess):
    """Level-3 plans are read also by the people of the agencies below their agency, as the
    plan pages show them (``access.scope_with_agencies_above``)."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return access.can_view_with_agencies_above(request.user, obj)
        return super().has_object_permission(request, view, obj)
