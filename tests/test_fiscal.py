import itertools
from datetime import date

import pytest

from core.fiscal import (
    current_fiscal_year,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_bounds,
    quarter_bounds,
)


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2023, 9, 30), 2566),  # 30 Sep 2566 BE
        (date(2023, 10, 1), 2567),  # 1 Oct 2566 BE starts FY 2567
        (date(2024, 1, 1), 2567),
        (date(2024, 9, 30), 2567),
        (date(2024, 10, 1), 2568),
        (date(2024, 2, 29), 2567),  # leap day
    ],
)
def test_fiscal_year_boundaries(day, fy):
    assert fiscal_year(day) == fy


def test_fiscal_year_bounds_round_trip():
    assert fiscal_year_bounds(2567) == (date(2023, 10, 1), date(2024, 9, 30))
    first, last = fiscal_year_bounds(2570)
    assert fiscal_year(first) == fiscal_year(last) == 2570


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 10, 1), (2567, 1)),
        (date(2023, 12, 31), (2567, 1)),
        (date(2024, 1, 1), (2567, 2)),
        (date(2024, 3, 31), (2567, 2)),
        (date(2024, 4, 1), (2567, 3)),
        (date(2024, 7, 1), (2567, 4)),
        (date(2024, 9, 30), (2567, 4)),
    ],
)
def test_quarter_of_a_day(day, expected):
    assert fiscal_quarter(day) == expected


def test_quarter_bounds_tile_the_fiscal_year():
    quarters = [quarter_bounds(2567, q) for q in (1, 2, 3, 4)]
    assert quarters[0] == (date(2023, 10, 1), date(2023, 12, 31))
    assert quarters[1] == (date(2024, 1, 1), date(2024, 3, 31))
    assert quarters[3] == (date(2024, 7, 1), date(2024, 9, 30))
    for (_, end), (start, _) in itertools.pairwise(quarters):
        assert (start - end).days == 1
    with pytest.raises(ValueError):
        quarter_bounds(2567, 5)


def test_current_fiscal_year_uses_the_given_day():
    assert current_fiscal_year(date(2026, 11, 23)) == 2570
