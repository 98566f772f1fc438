"""Which period a report opens on, and the same days a running period is compared with."""
from datetime import date

import pytest

from board.periods import Period, helsinki_date, parse_local_or_aware
from board.report_periods import compared_with, is_running, last_complete, same_days_of, up_to


@pytest.mark.parametrize(("kind", "today", "expected"), [
    ("month", date(2026, 12, 1), Period(date(2026, 11, 1), date(2026, 11, 30))),
    ("month", date(2026, 3, 1), Period(date(2026, 2, 1), date(2026, 2, 28))),
    ("month", date(2028, 3, 1), Period(date(2028, 2, 1), date(2028, 2, 29))),
    ("quarter", date(2026, 10, 1), Period(date(2026, 7, 1), date(2026, 9, 30))),
    ("quarter", date(2026, 12, 2), Period(date(2026, 7, 1), date(2026, 9, 30))),
    ("quarter", date(2027, 1, 1), Period(date(2026, 10, 1), date(2026, 12, 31))),
    ("year", date(2027, 1, 1), Period(date(2026, 1, 1), date(2026, 12, 31))),
    ("week", date(2026, 11, 30), Period(date(2026, 11, 23), date(2026, 11, 29))),
])
def test_the_report_opens_on_the_last_complete_period_even_on_its_first_day(kind, today, expected):
    assert last_complete(kind, today) == expected


@pytest.mark.parametrize(("moment", "expected"), [
    ("2026-10-31T22:30:00+00:00", Period(date(2026, 10, 1), date(2026, 10, 31))),  # 00:30 on 1 Nov, after DST
    ("2026-03-31T21:30:00+00:00", Period(date(2026, 3, 1), date(2026, 3, 31))),  # 00:30 on 1 Apr, summer time
    ("2026-03-31T20:30:00+00:00", Period(date(2026, 2, 1), date(2026, 2, 28))),  # 23:30 on 31 Mar: March runs
])
def test_the_last_complete_month_follows_the_helsinki_day_across_daylight_saving(moment, expected):
    assert last_complete("month", helsinki_date(parse_local_or_aware(moment))) == expected


def test_a_running_period_is_cut_at_today_and_a_finished_one_stays_whole():
    december = Period(date(2026, 12, 1), date(2026, 12, 31))
    assert up_to(december, date(2026, 12, 2)) == Period(date(2026, 12, 1), date(2026, 12, 2))
    assert up_to(december, date(2027, 1, 5)) == december
    assert is_running(Period(date(2026, 12, 1), date(2026, 12, 2)), "month")
    assert not is_running(december, "month")


@pytest.mark.parametrize(("kind", "running", "previous", "year_ago"), [
    ("month", Period(date(2026, 12, 1), date(2026, 12, 2)),
     Period(date(2026, 11, 1), date(2026, 11, 2)), Period(date(2025, 12, 1), date(2025, 12, 2))),
    ("month", Period(date(2026, 3, 1), date(2026, 3, 31)),  # whole March is not running: compared whole
     Period(date(2026, 2, 1), date(2026, 2, 28)), Period(date(2025, 3, 1), date(2025, 3, 31))),
    ("month", Period(date(2026, 3, 1), date(2026, 3, 30)),  # 30 March: February ends first
     Period(date(2026, 2, 1), date(2026, 2, 28)), Period(date(2025, 3, 1), date(2025, 3, 30))),
    ("month", Period(date(2028, 2, 1), date(2028, 2, 29)),
     Period(date(2028, 1, 1), date(2028, 1, 31)), Period(date(2027, 2, 1), date(2027, 2, 28))),
    ("month", Period(date(2028, 3, 1), date(2028, 3, 29)),  # leap February has a 29th
     Period(date(2028, 2, 1), date(2028, 2, 29)), Period(date(2027, 3, 1), date(2027, 3, 29))),
    ("quarter", Period(date(2026, 10, 1), date(2026, 11, 15)),
     Period(date(2026, 7, 1), date(2026, 8, 15)), Period(date(2025, 10, 1), date(2025, 11, 15))),
    ("year", Period(date(2028, 1, 1), date(2028, 2, 29)),
     Period(date(2027, 1, 1), date(2027, 2, 28)), Period(date(2027, 1, 1), date(2027, 2, 28))),
    ("week", Period(date(2026, 11, 30), date(2026, 12, 2)),  # Monday to Wednesday
     Period(date(2026, 11, 23), date(2026, 11, 25)), Period(date(2025, 12, 1), date(2025, 12, 3))),
])
def test_a_running_period_is_compared_with_the_same_days_of_the_periods_before(kind, running, previous, year_ago):
    assert compared_with(running, kind) == (previous, year_ago)


def test_the_same_days_never_reach_past_the_earlier_period():
    assert same_days_of(Period(date(2026, 5, 1), date(2026, 5, 31)), "month",
                        Period(date(2026, 4, 1), date(2026, 4, 30))) == Period(date(2026, 4, 1), date(2026, 4, 30))


def test_the_utc_bounds_of_the_same_days_follow_daylight_saving():
    previous, _ = compared_with(Period(date(2026, 11, 1), date(2026, 11, 2)), "month")
    assert previous == Period(date(2026, 10, 1), date(2026, 10, 2))
    start, end = previous.utc_bounds()
    assert (start.hour, end.hour) == (21, 21)  # summer time, +03:00
    start, end = Period(date(2026, 11, 1), date(2026, 11, 2)).utc_bounds()
    assert (start.hour, end.hour) == (22, 22)  # winter time, +02:00


def test_a_running_period_is_named_incomplete_on_its_last_day_too():
    from data.rollup_words import shown_name

    october = Period(date(2027, 10, 1), date(2027, 10, 31))
    assert shown_name("month", Period(date(2027, 10, 1), date(2027, 10, 3)), "fi", date(2027, 10, 3)) == \
        "10/2027 (1.–3.10., kesken)"
    assert shown_name("month", october, "fi", date(2027, 10, 31)) == "10/2027 (1.–31.10., kesken)"
    assert shown_name("month", october, "fi", date(2027, 11, 1)) == "10/2027"
    assert shown_name("custom", october, "fi", date(2027, 10, 31)) == shown_name("custom", october, "fi",
                                                                                 date(2027, 11, 1))
