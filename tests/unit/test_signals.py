"""What the wall screen may claim: reply states, whole-week volume windows, staleness, distinct quotes."""
from datetime import date, datetime

import pytest

from board.periods import Period
from board.signals import ReplyState, Staleness, distinct_texts, reply_state, staleness, volume_windows

# Wednesday 25 November 2026, 10.00 in Helsinki (EET, UTC+2).
WEDNESDAY = datetime(2026, 11, 25, 8, 0)


@pytest.mark.parametrize(("overdue", "due_soon", "awaiting", "state"), [
    (1, 1, 5, ReplyState.OVERDUE),
    (0, 2, 2, ReplyState.DUE_SOON),
    (0, 0, 2, ReplyState.AWAITING),
    (0, 0, 0, ReplyState.ALL_ANSWERED),
])
def test_the_replies_tile_shows_a_tick_only_when_nothing_is_awaited(overdue, due_soon, awaiting, state):
    assert reply_state(overdue=overdue, due_soon=due_soon, awaiting=awaiting) is state


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 29), date(2027, 1, 1)])
def test_volume_compares_two_whole_weeks_of_days_ending_yesterday_whatever_the_weekday(today):
    recent, before = volume_windows(today)
    assert recent.days == before.days == 7
    assert recent.last == date.fromordinal(today.toordinal() - 1)
    assert before.last == date.fromordinal(recent.first.toordinal() - 1)


def test_on_a_wednesday_the_windows_are_the_seven_days_to_tuesday_and_the_seven_before():
    assert volume_windows(date(2026, 11, 25)) == (Period(date(2026, 11, 18), date(2026, 11, 24)),
                                                  Period(date(2026, 11, 11), date(2026, 11, 17)))


@pytest.mark.parametrize(("newest", "stale_days", "expected"), [
    (None, 3, None),  # no feedback at all is not staleness
    (datetime(2026, 11, 25, 6, 0), 3, None),  # this morning
    (datetime(2026, 11, 22, 21, 59), 3, None),  # Sunday 23.59 in Helsinki: 3 calendar days
    (datetime(2026, 11, 21, 21, 59), 3, Staleness(date(2026, 11, 21), 4)),  # Saturday 23.59: 4 days
    (datetime(2026, 11, 21, 22, 0), 3, None),  # Sunday 00.00 in Helsinki, though Saturday in UTC
    (datetime(2026, 11, 20, 12, 0), 7, None),  # a unit that set a week
])
def test_feedback_is_stale_after_more_than_the_set_calendar_days_in_helsinki(newest, stale_days, expected):
    assert staleness(newest, now=WEDNESDAY, stale_days=stale_days) == expected


def test_a_friday_answer_is_still_fresh_on_monday_with_the_default_three_days():
    friday_evening = datetime(2026, 11, 20, 16, 0)
    monday_morning = datetime(2026, 11, 23, 6, 0)
    assert staleness(friday_evening, now=monday_morning, stale_days=3) is None


@pytest.mark.parametrize(("texts", "limit", "kept"), [
    (["Jono oli pitkä.", "jono  oli pitkä.", "Hyvä hoitaja."], 2, [0, 2]),
    (["", "  ", "Kiitos"], 2, [2]),
    (["a", "b", "c"], 2, [0, 1]),
    ([], 2, []),
])
def test_the_same_words_are_quoted_once_ignoring_case_and_spacing(texts, limit, kept):
    assert distinct_texts(texts, limit) == kept
