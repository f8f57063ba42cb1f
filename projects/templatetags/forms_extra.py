"""Template helpers for the project form: problems found at submission, shown at their field."""

from django import template

register = template.Library()


@register.filter
def problems_for(problems: dict | None, field) -> list[str]:
    """{% for p in problems|problems_for:field %}: messages for a bound field or a key."""
    if not problems:
        return []
    key = getattr(field, "html_name", field)
    return problems.get(key, [])
