"""Hooks that put progress reporting on pages of other apps (the project page, the project
list, the home dashboard) without those apps importing this one: each tag asks the selectors."""

from __future__ import annotations

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("progress/_project_section.html", takes_context=True)
def progress_section(context, project) -> dict:
    """{% progress_section project %}: schedule, charts and history on the project page."""
    user = context["request"].user
    return {"project": project, "csrf_token": context.get("csrf_token"),
            **selectors.project_section(user, project)}  # fmt: skip


@register.simple_tag
def progress_flags(projects) -> dict:
    """{% progress_flags page as flags %}: overdue/completed per project of a list page."""
    return selectors.flags_for(list(projects))


@register.inclusion_tag("progress/_list_flag.html")
def progress_flag(flags: dict, project) -> dict:
    return {"flag": flags.get(project.pk)}


@register.inclusion_tag("progress/_dashboard.html", takes_context=True)
def progress_dashboard(context) -> dict:
    """{% progress_dashboard %}: overdue reports and reports to accept, on the home page."""
    user = context["request"].user
    return {"overdue": selectors.overdue_for(user, limit=10),
            "queue": list(selectors.review_queue(user)[:10])}  # fmt: skip
