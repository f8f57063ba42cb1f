"""Template glue for the linkage panels other apps' pages include (no logic: selectors)."""

from django import template

from linkage import selectors
from linkage.models import LinkScore

register = template.Library()


@register.inclusion_tag("linkage/_project_score.html")
def linkage_panel(project) -> dict:
    """{% linkage_panel project %}: the alignment of each declared link, on the project page
    (the page already checked that the user may see the project)."""
    return {
        "scores": selectors.project_scores(project),
        "analysis": selectors.project_analysis(project),
        "weak_below": LinkScore.WEAK_BELOW,
    }


@register.simple_tag
def linkage_primary_scores(page) -> dict:
    """{% linkage_primary_scores page as scores %}: primary-link scores of a list page's
    projects in one query."""
    return selectors.primary_scores([p.pk for p in page])


@register.filter
def score_of(scores: dict, project_id: int):
    return scores.get(project_id)
