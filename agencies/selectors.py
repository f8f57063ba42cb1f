"""Read helpers for agencies and memberships."""

from django.db.models import QuerySet

from .models import Membership


def memberships_of(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("agency", "agency__parent")
