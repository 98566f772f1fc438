"""Roll-up rules: periods to compare, whether a change is real, suppression down the tree, pooled medians."""
from __future__ import annotations

from datetime import date

import pytest

from board.nps import nps
from board.periods import (
    Period,
    calendar_period,
    parse_period_key,
    period_key,
    recent_periods,
    month_period,
    months_up_to,
    previous_of,
    quarter_period,
    year_earlier,
)
from board.rollup import histogram_median, pooled_histogram, suppressed_nodes
from board.significance import nps_difference, nps_variance, proportion_difference


@pytest.mark.parametrize("kind, day, first, last", [
    ("month", date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)),
    ("month", date(2028, 2, 1), date(2028, 2, 1), date(2028, 2, 29)),
    ("month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ("quarter", date(2026, 11, 23), date(2026, 10, 1), date(2026, 12, 31)),
    ("quarter", date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
    ("year", date(2026, 6, 1), date(2026, 1, 1), date(2026, 12, 31)),
    ("week", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 29)),
    ("week", date(2027, 1, 1), date(2026, 12, 28), date(2027, 1, 3)),  # ISO week 53 of 2026
])
def test_a_calendar_period_is_the_week_month_quarter_or_year_around_a_day(kind, day, first, last):
    assert calendar_period(kind, day) == Period(first, last)


@pytest.mark.parametrize("period, kind, expected", [
    (month_period(2026, 3), "month", month_period(2026, 2)),
    (month_period(2026, 1), "month", month_period(2025, 12)),
    (quarter_period(2026, 1), "quarter", quarter_period(2025, 4)),
    (quarter_period(2026, 3), "quarter", quarter_period(2026, 2)),
    (Period(date(2026, 1, 1), date(2026, 12, 31)), "year", Period(date(2025, 1, 1), date(2025, 12, 31))),
    (Period(date(2026, 11, 23), date(2026, 11, 29)), "week", Period(date(2026, 11, 16), date(2026, 11, 22))),
    (Period(date(2026, 3, 10), date(2026, 3, 19)), "custom", Period(date(2026, 2, 28), date(2026, 3, 9))),
])
def test_the_previous_period_is_the_calendar_period_before(period, kind, expected):
    assert previous_of(period, kind) == expected


@pytest.mark.parametrize("period, kind, expected", [
    (quarter_period(2026, 4), "quarter", quarter_period(2025, 4)),
    (month_period(2028, 2), "month", Period(date(2027, 2, 1), date(2027, 2, 28))),  # leap day
    (Period(date(2026, 11, 23), date(2026, 11, 29)), "week", Period(date(2025, 11, 24), date(2025, 11, 30))),
    (Period(date(2026, 12, 28), date(2027, 1, 3)), "week", Period(date(2025, 12, 22), date(2025, 12, 28))),
])
def test_the_same_period_a_year_earlier_keeps_the_dates_or_the_week_number(period, kind, expected):
    assert year_earlier(period, kind) == expected


def test_months_up_to_a_day_end_with_its_month_oldest_first():
    months = months_up_to(date(2026, 2, 10), 3)
    assert months == [month_period(2025, 12), month_period(2026, 1), month_period(2026, 2)]


def test_nps_variance_is_the_domain_formula_on_adjusted_counts():
    # n' = 103, p' = 50.75/103, d' = 20.75/103
    p, d = 50.75 / 103, 20.75 / 103
    assert nps_variance(50, 20, 100) == pytest.approx(100 ** 2 * (p + d - (p - d) ** 2) / 103)


@pytest.mark.parametrize("now, before, significant", [
    ((80, 10, 10), (40, 20, 40), True),      # +70 points on 100 answers each: real
    ((30, 10, 10), (28, 10, 12), False),     # +8 points on 50 answers: could be chance
    ((20, 60, 20), (30, 40, 30), False),     # same NPS, different mix: no change
    ((10, 10, 80), (60, 20, 20), True),      # a real fall
])
def test_an_nps_change_is_marked_only_when_its_interval_excludes_zero(now, before, significant):
    current = nps(promoters=now[0], passives=now[1], detractors=now[2], min_n=5)
    previous = nps(promoters=before[0], passives=before[1], detractors=before[2], min_n=5)
    difference = nps_difference(current, previous)
    assert difference.change == pytest.approx(current.score - previous.score)
    assert difference.lo < difference.change < difference.hi or difference.change == 0
    assert difference.significant is significant


def test_an_nps_change_is_not_computed_when_a_period_had_too_few_answers():
    assert nps_difference(nps(promoters=3, passives=0, detractors=0, min_n=5),
                          nps(promoters=30, passives=0, detractors=0, min_n=5)) is None


@pytest.mark.parametrize("x1, n1, x2, n2, significant", [
    (90, 100, 60, 100, True),
    (46, 50, 44, 50, False),
    (10, 100, 40, 100, True),
])
def test_a_change_of_a_share_agreeing_is_marked_only_when_real(x1, n1, x2, n2, significant):
    difference = proportion_difference(x1, n1, x2, n2, min_n=5)
    assert difference.change == pytest.approx(100 * (x1 / n1 - x2 / n2))
    assert difference.significant is significant


def test_a_change_of_a_share_is_not_computed_below_the_small_number_limit():
    assert proportion_difference(3, 4, 50, 100, min_n=5) is None


TREE = {"C": ["A", "B"], "A": ["U1", "U2", "U3"], "B": ["U4", "U5"]}


@pytest.mark.parametrize("counts, hidden", [
    ({"C": 150, "A": 100, "B": 50, "U1": 40, "U2": 30, "U3": 30, "U4": 25, "U5": 25}, set()),
    # One unit with 3 answers: it and the next smallest sibling are hidden.
    ({"C": 120, "A": 73, "B": 47, "U1": 40, "U2": 30, "U3": 3, "U4": 22, "U5": 25}, {"U3", "U2"}),
    # Two small units hide each other and nothing more.
    ({"C": 76, "A": 76, "B": 0, "U1": 70, "U2": 3, "U3": 3, "U4": 0, "U5": 0}, {"U2", "U3"}),
    # A small result area is hidden with its sibling, and the hiding cascades to the units below.
    ({"C": 104, "A": 100, "B": 4, "U1": 40, "U2": 30, "U3": 30, "U4": 2, "U5": 2}, {"B", "A", "U4", "U5", "U2", "U3"}),
    # A unit without answers hides nothing.
    ({"C": 103, "A": 103, "B": 0, "U1": 40, "U2": 60, "U3": 3, "U4": 0, "U5": 0}, {"U3", "U1"}),
])
def test_small_numbers_are_hidden_with_the_next_smallest_sibling_and_down_the_tree(counts, hidden):
    assert suppressed_nodes(TREE, counts, 5, "C") == hidden


def test_a_hidden_parent_cannot_be_derived_from_its_children():
    counts = {"C": 104, "A": 100, "B": 4, "U1": 40, "U2": 30, "U3": 30, "U4": 2, "U5": 2}
    hidden = suppressed_nodes(TREE, counts, 5, "C")
    for parent in hidden & set(TREE):
        assert len(set(TREE[parent]) & hidden) >= min(2, len(TREE[parent]))


@pytest.mark.parametrize("histogram, median", [
    ({}, None),
    ({5: 1}, 5.0),
    ({1: 2, 10: 1}, 1.0),
    ({1: 1, 3: 1}, 2.0),
    ({0: 3, 2: 1, 50: 2}, 1.0),
])
def test_the_median_is_read_from_a_histogram_of_whole_buckets(histogram, median):
    assert histogram_median(histogram) == median


def test_a_parents_median_pools_its_childrens_histograms_not_their_medians():
    first, second = {1: 3}, {10: 1, 20: 1}
    pooled = pooled_histogram(first, second)
    assert pooled == {1: 3, 10: 1, 20: 1}
    assert histogram_median(pooled) == 1.0  # the mean of the medians would say 8


@pytest.mark.parametrize("kind, period, key", [
    ("week", Period(date(2026, 11, 16), date(2026, 11, 22)), "2026-W47"),
    ("month", month_period(2026, 3), "2026-03"),
    ("quarter", quarter_period(2026, 4), "2026-Q4"),
    ("year", Period(date(2025, 1, 1), date(2025, 12, 31)), "2025"),
    ("custom", Period(date(2026, 2, 3), date(2026, 5, 6)), "2026-02-03..2026-05-06"),
])
def test_a_period_goes_into_a_link_and_back(kind, period, key):
    assert period_key(kind, period) == key
    assert parse_period_key(kind, key) == period


@pytest.mark.parametrize("kind, key", [("quarter", "2026-Q5"), ("month", "2026-13"), ("week", "2026-11"),
                                       ("custom", "2026-05-06..2026-02-03"), ("year", "x")])
def test_a_link_with_a_wrong_period_is_refused(kind, key):
    with pytest.raises(ValueError):
        parse_period_key(kind, key)


def test_recent_periods_run_back_from_the_current_one():
    assert recent_periods("quarter", date(2026, 11, 23), 3) == [
        quarter_period(2026, 4), quarter_period(2026, 3), quarter_period(2026, 2)]
