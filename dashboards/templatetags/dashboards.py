"""The dashboards' entry in the main navigation, shown to those who may see a dashboard."""

from __future__ import annotations

from django import template

from agencies import access

register = template.Library()


@register.inclusion_tag("dashboards/_nav.html", takes_context=True)
def dashboard_nav(context) -> dict:
    user = context["request"].user
    return {"show": access.can_see_a_dashboard(user)}
