"""Which period a report opens on, and what a running (incomplete) period is compared with.

A director's report is about a finished period: the roll-up opens on the last complete month, quarter or
year. The running period is shown up to today and compared with the same days of the periods before it,
never with the whole of them — otherwise two days of December look like a collapse against all of November.
"""

from datetime import date, timedelta

from board.periods import Period, calendar_period, month_period, previous_of, year_earlier

CALENDAR_KINDS = ("week", "month", "quarter", "year")


def last_complete(kind: str, today: date) -> Period:
    """The last calendar week, month, quarter or year that ended before today (on 1 December: November)."""
    return previous_of(calendar_period(kind, today), kind)


def is_whole(period: Period, kind: str) -> bool:
    """The period is a whole calendar week, month, quarter or year (a custom range always is whole)."""
    return kind not in CALENDAR_KINDS or calendar_period(kind, period.first) == period


def up_to(period: Period, today: date) -> Period:
    """A period cut at today: the running period's days so far; a period already over is returned whole."""
    if period.first <= today < period.last:
        return Period(period.first, today)
    return period


def is_running(period: Period, kind: str) -> bool:
    """The period is a calendar period cut short: it has not ended yet."""
    return not is_whole(period, kind)


def _same_day_in(month_first: date, day: int) -> date:
    """The day-of-month in the month that starts on month_first, or its last day when the month is shorter."""
    return min(month_first.replace(day=1) + timedelta(days=day - 1), month_period(month_first.year, month_first.month).last)


def same_days_of(running: Period, kind: str, earlier: Period) -> Period:
    """The days of an earlier whole period that match a running one: from its start to the same point in it.

    Weeks match by weekday; months, quarters and years by month and day of month (31 March becomes
    the last day of February, 29 February the 28th in a common year).
    """
    if kind == "week" or kind not in CALENDAR_KINDS:
        return Period(earlier.first, min(earlier.first + (running.last - running.first), earlier.last))
    months_in = (running.last.year - running.first.year) * 12 + running.last.month - running.first.month
    month_index = earlier.first.month - 1 + months_in
    month_first = date(earlier.first.year + month_index // 12, month_index % 12 + 1, 1)
    return Period(earlier.first, min(_same_day_in(month_first, running.last.day), earlier.last))


def compared_with(period: Period, kind: str) -> tuple[Period, Period]:
    """The period before and the same period a year earlier; for a running period only their same days."""
    whole = calendar_period(kind, period.first) if kind in CALENDAR_KINDS else period
    previous, year_ago = previous_of(whole, kind), year_earlier(whole, kind)
    if whole == period:
        return previous, year_ago
    return same_days_of(period, kind, previous), same_days_of(period, kind, year_ago)
