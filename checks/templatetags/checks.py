"""{% findings_panel project %}: the open findings on the project page, without the projects
app importing this one."""

from __future__ import annotations

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("checks/_project_findings.html", takes_context=True)
def findings_panel(context, project) -> dict:
    return {"findings": selectors.open_findings_of(context["request"].user, project)}
