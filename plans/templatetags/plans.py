"""The hook of the plans app on the project page: ``{% include "plans/_project_plans.html" %}``
asks this tag for the plans the project serves, so projects/ needs no code for it."""

from django import template

from .. import selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def project_plan_links(context, project) -> dict:
    user = context["request"].user
    return {
        "links": list(selectors.links_of_project(user, project)),
        "can_link": services.can_link_projects(user, project),
    }
