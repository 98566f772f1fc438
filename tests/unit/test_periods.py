from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from board.periods import (
    HELSINKI,
    IsoWeek,
    Period,
    as_utc_naive,
    current_and_previous_week,
    helsinki_date,
    helsinki_midnight_utc,
    iso_week_of,
    last_days,
    last_weeks,
    parse_local_or_aware,
    previous_period,
)

# 2026 clock changes in Helsinki: spring forward Sun 29 March 01:00 UTC (03:00 EET -> 04:00 EEST),
# fall back Sun 25 October 01:00 UTC (04:00 EEST -> 03:00 EET).


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 1, 5, 12, 0, tzinfo=UTC), datetime(2026, 1, 5, 12, 0)),
        (datetime(2026, 1, 5, 12, 0, tzinfo=HELSINKI), datetime(2026, 1, 5, 10, 0)),
        (datetime(2026, 7, 5, 12, 0, tzinfo=HELSINKI), datetime(2026, 7, 5, 9, 0)),
        (datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5))), datetime(2025, 12, 31, 20, 0)),
        (datetime(2026, 1, 5, 12, 0, 0, 7), datetime(2026, 1, 5, 12, 0, 0, 7)),
    ],
)
def test_as_utc_naive_converts_aware_moments_and_keeps_naive_ones(moment, expected):
    result = as_utc_naive(moment)
    assert result == expected
    assert result.tzinfo is None


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (datetime(2026, 1, 14, 21, 59), date(2026, 1, 14)),
        (datetime(2026, 1, 14, 22, 0), date(2026, 1, 15)),
        (datetime(2026, 7, 14, 20, 59), date(2026, 7, 14)),
        (datetime(2026, 7, 14, 21, 0), date(2026, 7, 15)),
        (datetime(2025, 12, 31, 22, 0), date(2026, 1, 1)),
        (datetime(2025, 12, 31, 21, 59, 59, 999999), date(2025, 12, 31)),
        (datetime(2026, 3, 28, 21, 59), date(2026, 3, 28)),
        (datetime(2026, 3, 28, 22, 0), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 20, 59), date(2026, 3, 29)),
        (datetime(2026, 3, 29, 21, 0), date(2026, 3, 30)),
        (datetime(2026, 10, 24, 20, 59), date(2026, 10, 24)),
        (datetime(2026, 10, 24, 21, 0), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 21, 59), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 22, 0), date(2026, 10, 26)),
    ],
)
def test_helsinki_date_is_the_local_calendar_day_of_a_utc_moment(utc, expected):
    assert helsinki_date(utc) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 15), datetime(2026, 1, 14, 22, 0)),
        (date(2026, 7, 15), datetime(2026, 7, 14, 21, 0)),
        (date(2026, 1, 1), datetime(2025, 12, 31, 22, 0)),
        (date(2026, 3, 29), datetime(2026, 3, 28, 22, 0)),  # the short day starts in winter time
        (date(2026, 3, 30), datetime(2026, 3, 29, 21, 0)),
        (date(2026, 10, 25), datetime(2026, 10, 24, 21, 0)),  # the long day starts in summer time
        (date(2026, 10, 26), datetime(2026, 10, 25, 22, 0)),
    ],
)
def test_helsinki_midnight_is_22_utc_in_winter_and_21_utc_in_summer(day, expected):
    assert helsinki_midnight_utc(day) == expected


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(date(2026, 5, 2), date(2026, 5, 1))


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [
        (date(2026, 5, 1), date(2026, 5, 1), 1),
        (date(2026, 5, 1), date(2026, 5, 31), 31),
        (date(2024, 2, 1), date(2024, 2, 29), 29),
        (date(2025, 12, 30), date(2026, 1, 2), 4),
    ],
)
def test_a_period_counts_both_of_its_end_days(first, last, days):
    assert Period(first, last).days == days


@pytest.mark.parametrize(
    ("period", "start", "end", "hours"),
    [
        (Period(date(2026, 1, 15), date(2026, 1, 15)), datetime(2026, 1, 14, 22), datetime(2026, 1, 15, 22), 24),
        (Period(date(2026, 3, 29), date(2026, 3, 29)), datetime(2026, 3, 28, 22), datetime(2026, 3, 29, 21), 23),
        (Period(date(2026, 10, 25), date(2026, 10, 25)), datetime(2026, 10, 24, 21), datetime(2026, 10, 25, 22), 25),
        (Period(date(2026, 3, 1), date(2026, 3, 31)), datetime(2026, 2, 28, 22), datetime(2026, 3, 31, 21), 743),
        (Period(date(2026, 10, 1), date(2026, 10, 31)), datetime(2026, 9, 30, 21), datetime(2026, 10, 31, 22), 745),
        (Period(date(2025, 12, 29), date(2026, 1, 4)), datetime(2025, 12, 28, 22), datetime(2026, 1, 4, 22), 7 * 24),
    ],
)
def test_period_bounds_are_helsinki_midnights_in_utc_and_half_open(period, start, end, hours):
    assert period.utc_bounds() == (start, end)
    assert end - start == timedelta(hours=hours)


def test_period_bounds_include_the_first_moment_and_exclude_the_next_day():
    start, end = Period(date(2026, 10, 25), date(2026, 10, 25)).utc_bounds()
    assert helsinki_date(start) == date(2026, 10, 25)
    assert helsinki_date(end - timedelta(microseconds=1)) == date(2026, 10, 25)
    assert helsinki_date(end) == date(2026, 10, 26)


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        (date(2026, 5, 20), 1, Period(date(2026, 5, 20), date(2026, 5, 20))),
        (date(2026, 5, 20), 7, Period(date(2026, 5, 14), date(2026, 5, 20))),
        (date(2026, 5, 20), 30, Period(date(2026, 4, 21), date(2026, 5, 20))),
        (date(2026, 1, 10), 30, Period(date(2025, 12, 12), date(2026, 1, 10))),
        (date(2024, 3, 1), 2, Period(date(2024, 2, 29), date(2024, 3, 1))),
    ],
)
def test_last_days_end_with_today(today, days, expected):
    assert last_days(today, days) == expected
    assert last_days(today, days).days == days


@pytest.mark.parametrize("days", [0, -1])
def test_last_days_needs_at_least_one_day(days):
    with pytest.raises(ValueError):
        last_days(date(2026, 5, 20), days)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period(date(2026, 5, 14), date(2026, 5, 20)), Period(date(2026, 5, 7), date(2026, 5, 13))),
        (Period(date(2026, 1, 1), date(2026, 1, 31)), Period(date(2025, 12, 1), date(2025, 12, 31))),
        (Period(date(2026, 3, 1), date(2026, 3, 1)), Period(date(2026, 2, 28), date(2026, 2, 28))),
        (Period(date(2024, 3, 1), date(2024, 3, 30)), Period(date(2024, 1, 31), date(2024, 2, 29))),
    ],
)
def test_previous_period_has_the_same_length_and_ends_the_day_before(period, expected):
    assert previous_period(period) == expected


@pytest.mark.parametrize(
    ("day", "year", "week"),
    [
        (date(2026, 11, 18), 2026, 47),
        (date(2026, 1, 1), 2026, 1),  # a Thursday: week 1 of its own year
        (date(2025, 12, 29), 2026, 1),  # Monday of 2026-W01
        (date(2024, 12, 30), 2025, 1),  # 2025-W01 starts in December 2024
        (date(2025, 1, 1), 2025, 1),
        (date(2024, 12, 29), 2024, 52),
        (date(2026, 12, 28), 2026, 53),
        (date(2027, 1, 1), 2026, 53),  # January, but the ISO year 2026
        (date(2027, 1, 3), 2026, 53),
        (date(2027, 1, 4), 2027, 1),
        (date(2021, 1, 3), 2020, 53),
    ],
)
def test_iso_week_of_uses_the_iso_week_numbering_year(day, year, week):
    assert iso_week_of(day) == IsoWeek(year, week)


@pytest.mark.parametrize(
    ("week", "monday", "sunday"),
    [
        (IsoWeek(2026, 53), date(2026, 12, 28), date(2027, 1, 3)),
        (IsoWeek(2025, 1), date(2024, 12, 30), date(2025, 1, 5)),
        (IsoWeek(2026, 47), date(2026, 11, 16), date(2026, 11, 22)),
        (IsoWeek(2026, 13), date(2026, 3, 23), date(2026, 3, 29)),
    ],
)
def test_an_iso_week_runs_from_monday_to_sunday(week, monday, sunday):
    assert (week.monday, week.sunday) == (monday, sunday)
    assert week.period() == Period(monday, sunday)


@pytest.mark.parametrize(("year", "week"), [(2025, 53), (2026, 54), (2026, 0), (2027, 53)])
def test_an_iso_week_that_does_not_exist_is_refused(year, week):
    with pytest.raises(ValueError):
        IsoWeek(year, week)


@pytest.mark.parametrize(
    ("week", "label", "text"),
    [
        (IsoWeek(2026, 47), "vko 47", "2026-W47"),
        (IsoWeek(2026, 5), "vko 5", "2026-W05"),
        (IsoWeek(2026, 53), "vko 53", "2026-W53"),
    ],
)
def test_an_iso_week_is_labelled_in_finnish_and_printed_in_iso_format(week, label, text):
    assert week.label == label
    assert str(week) == text


@pytest.mark.parametrize(
    ("today", "count", "expected"),
    [
        (date(2026, 11, 18), 1, ["2026-W47"]),
        (date(2026, 11, 18), 3, ["2026-W45", "2026-W46", "2026-W47"]),
        (date(2027, 1, 12), 4, ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]),
        (date(2025, 1, 5), 2, ["2024-W52", "2025-W01"]),
        (date(2026, 11, 16), 2, ["2026-W46", "2026-W47"]),  # Monday
        (date(2026, 11, 22), 2, ["2026-W46", "2026-W47"]),  # Sunday
    ],
)
def test_last_weeks_are_oldest_first_and_end_with_the_current_week(today, count, expected):
    assert [str(week) for week in last_weeks(today, count)] == expected


def test_last_weeks_needs_at_least_one_week():
    with pytest.raises(ValueError):
        last_weeks(date(2026, 11, 18), 0)


@pytest.mark.parametrize(
    ("today", "current", "previous"),
    [
        (
            date(2026, 11, 18),
            Period(date(2026, 11, 16), date(2026, 11, 18)),
            Period(date(2026, 11, 9), date(2026, 11, 15)),
        ),
        (
            date(2026, 11, 16),
            Period(date(2026, 11, 16), date(2026, 11, 16)),
            Period(date(2026, 11, 9), date(2026, 11, 15)),
        ),
        (
            date(2026, 11, 22),
            Period(date(2026, 11, 16), date(2026, 11, 22)),
            Period(date(2026, 11, 9), date(2026, 11, 15)),
        ),
        (
            date(2027, 1, 1),
            Period(date(2026, 12, 28), date(2027, 1, 1)),
            Period(date(2026, 12, 21), date(2026, 12, 27)),
        ),
        (
            date(2025, 1, 2),
            Period(date(2024, 12, 30), date(2025, 1, 2)),
            Period(date(2024, 12, 23), date(2024, 12, 29)),
        ),
    ],
)
def test_current_week_runs_to_today_and_previous_week_is_whole(today, current, previous):
    assert current_and_previous_week(today) == (current, previous)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15T12:00:00", datetime(2026, 1, 15, 10, 0)),
        ("2026-07-15T12:00:00", datetime(2026, 7, 15, 9, 0)),
        ("2026-07-15 12:00", datetime(2026, 7, 15, 9, 0)),
        ("2026-01-01T00:30:00", datetime(2025, 12, 31, 22, 30)),
        ("2026-07-15T12:00:00Z", datetime(2026, 7, 15, 12, 0)),
        ("2026-07-15T12:00:00+00:00", datetime(2026, 7, 15, 12, 0)),
        ("2026-07-15T12:00:00+05:30", datetime(2026, 7, 15, 6, 30)),
        ("2026-01-15T12:00:00.250+02:00", datetime(2026, 1, 15, 10, 0, 0, 250000)),
        ("  2026-01-15T12:00:00  ", datetime(2026, 1, 15, 10, 0)),
        ("2026-03-29T02:59:59", datetime(2026, 3, 29, 0, 59, 59)),
        ("2026-03-29T03:30:00", datetime(2026, 3, 29, 1, 30)),  # skipped: read as +02:00 (fold=0)
        ("2026-03-29T04:00:00", datetime(2026, 3, 29, 1, 0)),
        ("2026-10-25T03:30:00", datetime(2026, 10, 25, 0, 30)),  # repeated: first pass, +03:00 (fold=0)
        ("2026-10-25T03:30:00+02:00", datetime(2026, 10, 25, 1, 30)),  # the second pass needs an offset
        ("2026-10-25T04:00:00", datetime(2026, 10, 25, 2, 0)),
    ],
)
def test_parse_reads_text_without_offset_as_helsinki_time_and_returns_naive_utc(text, expected):
    result = parse_local_or_aware(text)
    assert result == expected
    assert result.tzinfo is None


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2026-13-01T10:00", "2026-02-30", "15.1.2026 12:00", "2026-01-15T25:00"]
)
def test_parse_refuses_malformed_text(text):
    with pytest.raises(ValueError):
        parse_local_or_aware(text)
