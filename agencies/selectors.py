"""Read helpers for agencies and memberships."""

from django.db.models import QuerySet

from core.widgets import ValuesChoiceIterator

from .models import Agency, Membership


def memberships_of(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("agency", "agency__parent")


class AgencyChoices(ValuesChoiceIterator):
    """Agency options of a filter (thousands for central users) as (pk, Thai name) tuples."""

    columns = ("name_th",)


def subtree_ids(root_id: int) -> set[int]:
    """The ids of an agency and every unit below it: one indexed query per level (the tree is
    three or four levels deep) instead of a recursive CTE over every agency of the country."""
    ids, frontier = {root_id}, [root_id]
    while frontier:
        frontier = [
            pk for pk in Agency.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
            if pk not in ids  # a cycle, were the data ever bad, must not loop forever
        ]  # fmt: skip
        ids.update(frontier)
    return ids
