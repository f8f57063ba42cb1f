"""The quarter calendar of the Thai fiscal year at its boundaries (Q1 = October-December)."""

from datetime import date

import pytest

from core.fiscal import fiscal_quarter, next_quarter, quarter_bounds, quarters_between


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2024, 9, 30), (2567, 4)),  # 30 Sep 2567: last day of FY 2567
        (date(2024, 10, 1), (2568, 1)),  # 1 Oct 2567 starts FY 2568, quarter 1
        (date(2024, 12, 31), (2568, 1)),
        (date(2025, 1, 1), (2568, 2)),  # the calendar year changes inside the fiscal year
        (date(2025, 3, 31), (2568, 2)),
        (date(2025, 4, 1), (2568, 3)),
        (date(2025, 7, 1), (2568, 4)),
        (date(2024, 2, 29), (2567, 2)),  # leap day
    ],
)
def test_quarter_of_a_day(day, quarter):
    assert fiscal_quarter(day) == quarter


def test_quarter_bounds_cross_the_calendar_year_only_where_they_should():
    assert quarter_bounds(2568, 1) == (date(2024, 10, 1), date(2024, 12, 31))
    assert quarter_bounds(2568, 2) == (date(2025, 1, 1), date(2025, 3, 31))
    assert quarter_bounds(2568, 4) == (date(2025, 7, 1), date(2025, 9, 30))
    assert quarter_bounds(2567, 2) == (date(2024, 1, 1), date(2024, 3, 31))  # 2024 is a leap year


def test_next_quarter_rolls_into_the_next_fiscal_year():
    assert next_quarter(2567, 4) == (2568, 1)
    assert next_quarter(2568, 1) == (2568, 2)


def test_quarters_a_project_spans():
    # A whole fiscal year: four quarters.
    assert quarters_between(date(2024, 10, 1), date(2025, 9, 30)) == [
        (2568, 1), (2568, 2), (2568, 3), (2568, 4)
    ]  # fmt: skip
    # Across the fiscal-year boundary: Q4 2567 then Q1 2568.
    assert quarters_between(date(2024, 9, 15), date(2024, 10, 2)) == [(2567, 4), (2568, 1)]
    # One day, and an empty period.
    assert quarters_between(date(2025, 1, 1), date(2025, 1, 1)) == [(2568, 2)]
    assert quarters_between(date(2025, 1, 2), date(2025, 1, 1)) == []
    # Two fiscal years: eight quarters, in order, without gaps.
    spanned = quarters_between(date(2023, 10, 1), date(2025, 9, 30))
    assert len(spanned) == 8 and spanned[0] == (2567, 1) and spanned[-1] == (2568, 4)
