"""The Thai fiscal year: 1 October to 30 September, named by the Buddhist-era year it ends in.

FY 2567 runs from 1 Oct 2023 (2566 BE) to 30 Sep 2024 (2567 BE). Quarter 1 is Oct-Dec.
"""

from datetime import date

BE_OFFSET = 543


def be_year(ce_year: int) -> int:
    """Buddhist-era year of a Common-era year."""
    return ce_year + BE_OFFSET


def ce_year(be: int) -> int:
    """Common-era year of a Buddhist-era year."""
    return be - BE_OFFSET


def fiscal_year(day: date) -> int:
    """The Buddhist-era fiscal year a day falls in (30 Sep 2566 → 2566, 1 Oct 2566 → 2567)."""
    return be_year(day.year + 1 if day.month >= 10 else day.year)


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of a Buddhist-era fiscal year."""
    end_year = ce_year(fy)
    return date(end_year - 1, 10, 1), date(end_year, 9, 30)


def fiscal_quarter(day: date) -> tuple[int, int]:
    """(fiscal year, quarter 1-4) of a day; Q1 is October-December."""
    return fiscal_year(day), (day.month - 10) % 12 // 3 + 1


def quarter_bounds(fy: int, quarter: int) -> tuple[date, date]:
    """First and last day of a quarter of a fiscal year."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    start, _ = fiscal_year_bounds(fy)
    month = start.month + 3 * (quarter - 1)
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    first = date(year, month, 1)
    next_month = month + 3
    next_first = date(year + (next_month - 1) // 12, (next_month - 1) % 12 + 1, 1)
    return first, date.fromordinal(next_first.toordinal() - 1)


def current_fiscal_year(today: date | None = None) -> int:
    """The fiscal year of today (local date)."""
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    return fiscal_year(today)


Quarter = tuple[int, int]  # (Buddhist-era fiscal year, quarter 1-4)


def next_quarter(fy: int, quarter: int) -> Quarter:
    """The quarter after (fy, quarter): Q4 2567 → Q1 2568."""
    return (fy, quarter + 1) if quarter < 4 else (fy + 1, 1)


def quarters_between(first: date, last: date) -> list[Quarter]:
    """Every fiscal quarter that a period from ``first`` to ``last`` touches, in order
    (empty when ``last`` is before ``first``)."""
    if last < first:
        return []
    quarters = [fiscal_quarter(first)]
    end = fiscal_quarter(last)
    while quarters[-1] != end:
        quarters.append(next_quarter(*quarters[-1]))
    return quarters


def quarter_label(fy: int, quarter: int) -> str:
    """Short label used in charts and lists: "Q1/2568" (ไตรมาส 1 ปีงบประมาณ 2568)."""
    return f"Q{quarter}/{fy}"
