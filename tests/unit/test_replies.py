from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board.periods import HELSINKI, helsinki_date
from board.replies import (
    ReplyPolicy,
    days_left,
    days_overdue,
    due_soon_cutoff,
    is_due_soon,
    is_overdue,
    overdue_cutoff,
    reply_due,
)

# Naive datetimes are UTC. Helsinki is UTC+2 in winter (EET) and UTC+3 in summer (EEST).
# 2026: spring forward Sun 29 March at 01:00 UTC (03:00 EET -> 04:00 EEST, 03:00-03:59 never shown);
# fall back Sun 25 October at 01:00 UTC (04:00 EEST -> 03:00 EET, 03:00-03:59 shown twice).
SPRING_2026 = datetime(2026, 3, 29, 1, 0)
AUTUMN_2026 = datetime(2026, 10, 25, 1, 0)
TICK = timedelta(microseconds=1)
POLICY = ReplyPolicy()

# Received Monday 2 November 2026 at 10:00 Helsinki (EET); due Monday 16 November at 10:00.
RECEIVED = datetime(2026, 11, 2, 8, 0)
DUE = datetime(2026, 11, 16, 8, 0)


def _last_sunday_01_utc(year, month):
    last_day = date(year, month + 1, 1) - timedelta(days=1)
    sunday = last_day - timedelta(days=(last_day.weekday() - 6) % 7)
    return datetime(sunday.year, sunday.month, sunday.day, 1, 0)


CLOCK_CHANGES = [_last_sunday_01_utc(year, month) for year in range(2025, 2029) for month in (3, 10)]


def _helsinki_wall(moment):
    return moment.replace(tzinfo=UTC).astimezone(HELSINKI).replace(tzinfo=None)


def _overdue(received_at, now, policy=POLICY):
    return is_overdue(requested=True, replied_at=None, received_at=received_at, now=now, policy=policy)


def _due_soon(received_at, now, policy=POLICY):
    return is_due_soon(requested=True, replied_at=None, received_at=received_at, now=now, policy=policy)


@pytest.mark.parametrize("change", CLOCK_CHANGES, ids=str)
def test_the_clock_changes_used_below_are_real(change):
    def offset(moment):
        return moment.replace(tzinfo=UTC).astimezone(HELSINKI).utcoffset()

    assert abs(offset(change - TICK) - offset(change)) == timedelta(hours=1)


def test_the_default_policy_is_14_days_with_a_3_day_warning():
    assert (POLICY.days, POLICY.soon_days) == (14, 3)


@pytest.mark.parametrize(("days", "soon_days"), [(0, 3), (-14, 3), (14, -1)])
def test_a_policy_needs_a_positive_reply_time_and_a_non_negative_warning(days, soon_days):
    with pytest.raises(ValueError):
        ReplyPolicy(days=days, soon_days=soon_days)


@pytest.mark.parametrize(
    ("received_at", "days", "due"),
    [
        (datetime(2026, 5, 4, 7, 20), 14, datetime(2026, 5, 18, 7, 20)),
        (datetime(2026, 1, 10, 10, 0), 14, datetime(2026, 1, 24, 10, 0)),
        (datetime(2026, 12, 25, 8, 0), 14, datetime(2027, 1, 8, 8, 0)),
        (datetime(2026, 12, 31, 22, 30), 14, datetime(2027, 1, 14, 22, 30)),  # 00:30 on New Year's Day
        (datetime(2028, 2, 20, 10, 0), 14, datetime(2028, 3, 5, 10, 0)),  # over a leap day
        # Across spring forward the wall clock keeps 12:00, so the UTC difference is 14 days − 1 hour.
        (datetime(2026, 3, 20, 10, 0), 14, datetime(2026, 4, 3, 9, 0)),
        (datetime(2026, 3, 15, 10, 0), 14, datetime(2026, 3, 29, 9, 0)),
        (datetime(2026, 3, 27, 10, 0), 5, datetime(2026, 4, 1, 9, 0)),
        # Across fall back: 14 days + 1 hour.
        (datetime(2026, 10, 20, 9, 0), 14, datetime(2026, 11, 3, 10, 0)),
        (datetime(2026, 10, 11, 9, 0), 14, datetime(2026, 10, 25, 10, 0)),
        # Received on a clock-change day, outside the odd hour: same wall time, back to 24-hour days.
        (datetime(2026, 3, 29, 9, 0), 14, datetime(2026, 4, 12, 9, 0)),
        (datetime(2026, 10, 25, 10, 0), 14, datetime(2026, 11, 8, 10, 0)),
        # Due at 02:59:59 EET, the last second before the skipped hour.
        (datetime(2026, 3, 15, 0, 59, 59), 14, datetime(2026, 3, 29, 0, 59, 59)),
        # Due at 03:00 or 03:30, which spring forward skips: due at the change, 04:00 EEST.
        (datetime(2026, 3, 15, 1, 0), 14, SPRING_2026),
        (datetime(2026, 3, 15, 1, 30), 14, SPRING_2026),
        # Due at 04:00 EEST, the first real time after the skipped hour.
        (datetime(2026, 3, 15, 2, 0), 14, SPRING_2026),
        (datetime(2026, 3, 15, 2, 1), 14, datetime(2026, 3, 29, 1, 1)),
        # Due at 03:30 on the fall-back day: the first of the two 03:30s, still summer time.
        (datetime(2026, 10, 11, 0, 30), 14, datetime(2026, 10, 25, 0, 30)),
        # Due at 04:00 on the fall-back day: that reading exists once, in winter time.
        (datetime(2026, 10, 11, 1, 0), 14, datetime(2026, 10, 25, 2, 0)),
        # Received at 03:30 EEST, the first pass of the repeated hour: due at 03:30 EET.
        (datetime(2026, 10, 25, 0, 30), 14, datetime(2026, 11, 8, 1, 30)),
        # Received at 03:00 or 03:30 EET, the second pass: the clock has shown those readings already,
        # so the deadline counts from the end of the first pass, 03:59:59.999999.
        (AUTUMN_2026, 14, datetime(2026, 11, 8, 1, 59, 59, 999999)),
        (datetime(2026, 10, 25, 1, 30), 14, datetime(2026, 11, 8, 1, 59, 59, 999999)),
        (datetime(2026, 10, 25, 2, 0), 14, datetime(2026, 11, 8, 2, 0)),
    ],
)
def test_reply_is_due_after_the_given_calendar_days_on_the_helsinki_wall_clock(received_at, days, due):
    assert reply_due(received_at, ReplyPolicy(days=days)) == due


@pytest.mark.parametrize(
    "received_at",
    [
        datetime(2026, 5, 4, 7, 20),
        datetime(2026, 3, 20, 10, 0),
        datetime(2026, 10, 20, 9, 0),
        datetime(2026, 3, 29, 9, 0),
    ],
)
def test_reply_due_keeps_the_local_time_of_day(received_at):
    assert _helsinki_wall(reply_due(received_at, POLICY)) == _helsinki_wall(received_at) + timedelta(days=14)


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        (datetime(2026, 11, 15, 21, 59), False),  # day 13, late evening
        (datetime(2026, 11, 16, 7, 59), False),  # day 14, before the hour it arrived
        (DUE, False),  # due this very instant: not yet past
        (DUE + TICK, True),
        (datetime(2026, 11, 16, 15, 0), True),  # day 14, afternoon
        (datetime(2026, 11, 16, 22, 0), True),  # day 15 begins at 00:00 Helsinki
        (datetime(2027, 1, 1, 12, 0), True),
    ],
)
def test_reply_is_overdue_once_its_due_time_has_passed(now, overdue):
    assert _overdue(RECEIVED, now) is overdue


def test_reply_is_overdue_on_day_15():
    assert _overdue(RECEIVED, datetime(2026, 11, 17, 6, 0))


def test_reply_is_not_overdue_on_day_14_before_the_hour_it_arrived():
    assert not _overdue(RECEIVED, datetime(2026, 11, 16, 7, 0))


@pytest.mark.parametrize(
    ("requested", "replied_at"),
    [(False, None), (True, datetime(2026, 11, 3, 9, 0)), (False, datetime(2026, 11, 3, 9, 0))],
)
def test_feedback_that_needs_no_reply_or_has_one_is_never_overdue_or_due_soon(requested, replied_at):
    for now in (datetime(2026, 11, 15, 8, 0), datetime(2026, 12, 31, 8, 0)):
        arguments = dict(requested=requested, replied_at=replied_at, received_at=RECEIVED, now=now, policy=POLICY)
        assert not is_overdue(**arguments)
        assert not is_due_soon(**arguments)


@pytest.mark.parametrize(
    ("now", "due_soon"),
    [
        (datetime(2026, 11, 12, 8, 0), False),  # four days left
        (datetime(2026, 11, 13, 8, 0), False),  # exactly three days left
        (datetime(2026, 11, 13, 8, 0) + TICK, True),
        (datetime(2026, 11, 15, 8, 0), True),
        (DUE, True),  # due this instant, not yet overdue
        (DUE + TICK, False),  # overdue instead
    ],
)
def test_reply_is_due_soon_within_three_days_of_its_due_time(now, due_soon):
    assert _due_soon(RECEIVED, now) is due_soon


def test_nothing_is_due_soon_without_a_warning_time():
    policy = ReplyPolicy(soon_days=0)
    for before in (TICK, timedelta(hours=1), timedelta(days=1)):
        assert not _due_soon(RECEIVED, DUE - before, policy)
    assert not _due_soon(RECEIVED, DUE, policy)


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [
        (datetime(2026, 5, 18, 7, 20), datetime(2026, 5, 4, 7, 20)),
        (datetime(2027, 1, 8, 8, 0), datetime(2026, 12, 25, 8, 0)),
        # now 12:00 EEST just after spring forward: received before 12:00 EET two weeks ago.
        (datetime(2026, 3, 29, 9, 0), datetime(2026, 3, 15, 10, 0)),
        (datetime(2026, 4, 3, 9, 0), datetime(2026, 3, 20, 10, 0)),
        # At the spring change, feedback of 15 March 03:00-03:59 falls due now, which is not yet past.
        (SPRING_2026, datetime(2026, 3, 15, 1, 0)),
        # A tick later they are overdue, and so is feedback of 04:00 EET, due at 04:00 EEST, the change.
        (SPRING_2026 + TICK, datetime(2026, 3, 15, 2, 0) + TICK),
        (datetime(2026, 11, 3, 10, 0), datetime(2026, 10, 20, 9, 0)),
        # Two weeks after fall back, around the repeated hour.
        (datetime(2026, 11, 8, 1, 30), datetime(2026, 10, 25, 0, 30)),
        (datetime(2026, 11, 8, 2, 0), datetime(2026, 10, 25, 2, 0)),
        (datetime(2026, 11, 8, 1, 59, 59, 999999), datetime(2026, 10, 25, 0, 59, 59, 999999)),
        # now itself in the repeated hour's second pass: the steady clock still reads 03:59:59.999999.
        (datetime(2026, 10, 25, 1, 30), datetime(2026, 10, 11, 1, 0)),
    ],
)
def test_overdue_cutoff_moves_now_back_14_days_on_the_wall_clock(now, cutoff):
    assert overdue_cutoff(now, POLICY) == cutoff


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [
        (datetime(2026, 5, 18, 7, 20), datetime(2026, 5, 7, 7, 20)),
        # 11:00 EET on 26 March: due soon until 11:00 EEST on 29 March, i.e. received before 11:00 EET on 15 March.
        (datetime(2026, 3, 26, 9, 0), datetime(2026, 3, 15, 9, 0)),
        (datetime(2026, 10, 22, 9, 0), datetime(2026, 10, 11, 9, 0)),
    ],
)
def test_due_soon_cutoff_is_the_overdue_cutoff_three_days_ahead(now, cutoff):
    assert due_soon_cutoff(now, POLICY) == cutoff


def _instants_around(centre):
    """Every 20 minutes for 3 hours either side, and a microsecond either side of each whole hour."""
    steps = [centre + timedelta(minutes=minutes) for minutes in range(-180, 181, 20)]
    hours = [centre + timedelta(hours=hours) for hours in range(-3, 4)]
    return steps + [hour + nudge for hour in hours for nudge in (-TICK, TICK)]


@pytest.mark.parametrize("change", [SPRING_2026, AUTUMN_2026], ids=["spring", "autumn"])
@pytest.mark.parametrize("days", [1, 5, 14])
def test_cutoffs_agree_with_reply_due_around_clock_changes(change, days):
    policy = ReplyPolicy(days=days)
    received = _instants_around(change) + _instants_around(change - timedelta(days=days))
    for received_at in received:
        due = reply_due(received_at, policy)
        for now in [due - TICK, due, due + TICK, *_instants_around(change)]:
            overdue = received_at < overdue_cutoff(now, policy)
            assert overdue is (due < now) is _overdue(received_at, now, policy), (received_at, now)
            due_soon = not overdue and received_at < due_soon_cutoff(now, policy)
            assert due_soon is _due_soon(received_at, now, policy), (received_at, now)


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31))
near_clock_changes = st.builds(
    lambda change, days_before, seconds, micros: change
    - timedelta(days=days_before)
    + timedelta(seconds=seconds, microseconds=micros),
    st.sampled_from(CLOCK_CHANGES),
    st.integers(0, 33),
    st.integers(-3 * 3600, 3 * 3600),
    st.sampled_from([0, 1, 999_999]),
)
instants = st.one_of(moments, near_clock_changes)
policies = st.builds(ReplyPolicy, days=st.integers(1, 30), soon_days=st.integers(0, 7))


@settings(max_examples=200, deadline=None)
@given(received_at=instants, now=instants, policy=policies)
def test_cutoffs_agree_with_is_overdue_and_is_due_soon_for_any_moments(received_at, now, policy):
    overdue = _overdue(received_at, now, policy)
    assert overdue is (received_at < overdue_cutoff(now, policy))
    assert _due_soon(received_at, now, policy) is (not overdue and received_at < due_soon_cutoff(now, policy))


@settings(max_examples=200, deadline=None)
@given(
    received_at=instants,
    nudge=st.one_of(
        st.sampled_from([-TICK, timedelta(0), TICK]), st.timedeltas(-timedelta(hours=2), timedelta(hours=2))
    ),
    policy=policies,
)
def test_cutoffs_agree_with_is_overdue_right_at_the_due_time(received_at, nudge, policy):
    now = reply_due(received_at, policy) + nudge
    assert _overdue(received_at, now, policy) is (nudge > timedelta(0)) is (received_at < overdue_cutoff(now, policy))


@settings(max_examples=200, deadline=None)
@given(earlier=instants, gap=st.timedeltas(timedelta(0), timedelta(hours=2)), policy=policies)
def test_later_feedback_is_never_due_before_earlier_feedback(earlier, gap, policy):
    assert reply_due(earlier, policy) <= reply_due(earlier + gap, policy)


@settings(max_examples=200, deadline=None)
@given(received_at=instants, policy=policies)
def test_reply_is_due_on_the_helsinki_day_policy_days_later_within_an_hour_of_whole_days(received_at, policy):
    due = reply_due(received_at, policy)
    assert helsinki_date(due) == helsinki_date(received_at) + timedelta(days=policy.days)
    assert abs(due - received_at - timedelta(days=policy.days)) <= timedelta(hours=1)


@pytest.mark.parametrize(
    ("due", "now", "left"),
    [
        (DUE, datetime(2026, 11, 16, 7, 0), 0),  # due later today
        (DUE, datetime(2026, 11, 16, 21, 59), 0),  # 23:59 Helsinki, late but the same day
        (DUE, datetime(2026, 11, 15, 21, 59), 1),  # 23:59 the evening before
        (DUE, datetime(2026, 11, 15, 22, 0), 0),  # 00:00 Helsinki on the due day
        (DUE, datetime(2026, 11, 16, 22, 0), -1),  # 00:00 the day after
        (DUE, datetime(2026, 11, 2, 8, 0), 14),
        (DUE, datetime(2026, 11, 26, 12, 0), -10),
        (datetime(2026, 3, 29, 21, 30), datetime(2026, 3, 29, 20, 30), 1),  # 00:30 EEST vs 23:30 EEST
        (datetime(2026, 10, 25, 21, 30), datetime(2026, 10, 25, 20, 30), 0),  # 23:30 EET vs 22:30 EET
        (datetime(2027, 1, 1, 8, 0), datetime(2026, 12, 31, 21, 0), 1),
    ],
)
def test_days_left_counts_helsinki_calendar_days_to_the_due_day(due, now, left):
    assert days_left(due, now) == left


@pytest.mark.parametrize(
    ("now", "days"),
    [
        (datetime(2026, 11, 10, 8, 0), 0),  # not due yet
        (DUE + TICK, 0),  # late, but still the due day
        (datetime(2026, 11, 16, 21, 59), 0),
        (datetime(2026, 11, 16, 22, 0), 1),  # midnight after the due day
        (datetime(2026, 11, 17, 6, 0), 1),
        (datetime(2026, 11, 26, 12, 0), 10),
    ],
)
def test_days_overdue_counts_helsinki_calendar_days_since_the_due_day(now, days):
    assert days_overdue(RECEIVED, now, POLICY) == days
