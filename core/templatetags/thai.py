"""Template filters that show dates in the Buddhist era in the active language."""

from datetime import date, datetime

from django import template
from django.utils.translation import get_language

from core import thai

register = template.Library()


@register.filter
def be_date(value: date | datetime | None) -> str:
    """{{ obj.created|be_date }} → "1 ต.ค. 2566" (Thai) or "1 Oct 2566 BE" (English)."""
    return thai.format_date(value, get_language() or "th")


@register.filter
def be_date_long(value: date | datetime | None) -> str:
    """{{ obj.created|be_date_long }} → "1 ตุลาคม 2566"."""
    return thai.format_date(value, get_language() or "th", long=True)
