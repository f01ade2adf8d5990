"""Computed page breaks: pages filled in order, and never one lonely row on the last page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xlgen.layouts._base import page_breaks


def test_fills_pages_in_order() -> None:
    assert page_breaks([10] * 10, first_page=35, page=40) == [3, 7]


def test_last_row_never_alone() -> None:
    # 9 rows of 10 on 40-point pages: 4 + 4 + 1 would leave one row alone.
    assert page_breaks([10] * 9, first_page=40, page=40) == [4, 7]


def test_one_page_needs_no_break() -> None:
    assert page_breaks([10, 10], first_page=100, page=100) == []


@given(
    st.lists(st.floats(min_value=1, max_value=30), min_size=1, max_size=80),
    st.floats(min_value=30, max_value=200),
)
def test_every_page_fits_and_last_page_shared(heights: list[float], page: float) -> None:
    breaks = page_breaks(heights, first_page=page, page=page)
    bounds = [0, *breaks, len(heights)]
    assert breaks == sorted(set(breaks)) and all(0 < b < len(heights) for b in breaks)
    for start, end in zip(bounds, bounds[1:], strict=False):
        assert sum(heights[start:end]) <= page or end - start == 1
    if breaks and len(heights) - breaks[-1] == 1:
        # alone only when sharing is impossible: the two last rows do not fit one page,
        # or the page before would be left with a single row
        assert sum(heights[-2:]) > page or bounds[-2] - bounds[-3] < 3
