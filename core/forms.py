"""Form fields for Thai users: dates typed in the Buddhist era, amounts with separators."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .fiscal import BE_OFFSET
from .thai import THAI_DIGITS

_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class BuddhistDateInput(forms.TextInput):
    """Shows a date as dd/mm/yyyy in the Buddhist era (1/10/2566)."""

    def __init__(self, attrs=None) -> None:
        base = {"placeholder": "วว/ดด/ปปปป (พ.ศ.)", "inputmode": "numeric", "class": "date"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return f"{value.day}/{value.month}/{value.year + BE_OFFSET}"
        return value


class BuddhistDateField(forms.DateField):
    """Accepts dd/mm/yyyy with a Buddhist-era year (or ISO yyyy-mm-dd in the Common era,
    as browsers and APIs send); Thai digits allowed."""

    widget = BuddhistDateInput
    default_error_messages = {
        "invalid": _("Enter the date as day/month/Buddhist year, e.g. 1/10/2566."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        text = str(value).translate(THAI_DIGITS)
        try:
            if match := _DATE.match(text):
                day, month, year = (int(g) for g in match.groups())
                if year < 2400:  # a Common-era year typed by habit
                    raise ValidationError(
                        _("Use the Buddhist-era year (e.g. %(be)s, not %(ce)s).")
                        % {"be": year + BE_OFFSET, "ce": year},
                        code="invalid",
                    )
                return date(year - BE_OFFSET, month, day)
            if match := _ISO.match(text):
                year, month, day = (int(g) for g in match.groups())
                return date(year, month, day)
        except ValueError:
            pass
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class MoneyField(forms.DecimalField):
    """Baht with up to 2 decimals; accepts "1,500,000.50" and Thai digits."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal",
                                                           "class": "money"}))  # fmt: skip
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(THAI_DIGITS).replace(",", "").replace(" ", "")
        try:
            return super().to_python(value)
        except InvalidOperation as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
