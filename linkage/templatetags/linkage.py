"""Template glue for the linkage panels other apps' pages include (no logic: selectors)."""

from django import template

from agencies import access
from linkage import rubric, selectors
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


@register.inclusion_tag("linkage/_rubric_panel.html", takes_context=True)
def rubric_panel(context, project) -> dict:
    """{% rubric_panel project %}: the quality rubric, automatic and reviewed, with the radar
    chart and, for the project's reviewers, a form per criterion."""
    user = context["request"].user
    return {
        "rubric": selectors.project_rubric(project),
        "can_review": access.can_review_quality(user, project),
        "project": project,
        "csrf_token": context.get("csrf_token"),
        "scores": range(rubric.MAX_SCORE + 1),
        "pass_min": rubric.PASS_MIN,
        "version": rubric.RUBRIC_VERSION,
    }


@register.simple_tag
def rubric_summaries(page) -> dict:
    """{% rubric_summaries page as rubrics %}: the rubrics of a list page's projects in two
    queries (the approver's queue)."""
    return selectors.rubric_summaries([p.pk for p in page])


@register.inclusion_tag("linkage/_rubric_mini.html")
def rubric_mini(rubrics: dict, project_id: int) -> dict:
    """{% rubric_mini rubrics p.pk %}: the small radar of one row of the queue."""
    return {"rubric": rubrics.get(project_id)}
