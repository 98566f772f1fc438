"""What the wall screen may claim: reply states, comparable volume windows, quiet sources, distinct quotes."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from board.periods import Period, helsinki_date

VOLUME_DAYS = 7


class ReplyState(StrEnum):
    """The replies tile's one state; only ALL_ANSWERED may show a ✓."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    AWAITING = "awaiting"
    ALL_ANSWERED = "all_answered"


def reply_state(*, overdue: int, due_soon: int, awaiting: int) -> ReplyState:
    """Overdue wins, then due soon, then any reply still awaited; all answered only when nothing awaits."""
    if overdue:
        return ReplyState.OVERDUE
    if due_soon:
        return ReplyState.DUE_SOON
    if awaiting:
        return ReplyState.AWAITING
    return ReplyState.ALL_ANSWERED


def volume_windows(today: date) -> tuple[Period, Period]:
    """The 7 whole days that ended yesterday and the 7 before: two full weeks, whatever weekday today is."""
    recent = Period(today - timedelta(days=VOLUME_DAYS), today - timedelta(days=1))
    before = Period(recent.first - timedelta(days=VOLUME_DAYS), recent.first - timedelta(days=1))
    return recent, before


@dataclass(frozen=True)
class Staleness:
    """The unit's newest answer is older than the board accepts: imports have probably stopped."""

    newest_on: date
    days_quiet: int


def days_quiet(newest: datetime, now: datetime) -> int:
    """Calendar days (Helsinki) from the day of the newest answer to today: 0 when one came today."""
    return (helsinki_date(now) - helsinki_date(newest)).days


def staleness(newest: datetime | None, *, now: datetime, stale_days: int) -> Staleness | None:
    """Stale when the newest answer of all the unit's sources is more than `stale_days` calendar days old.

    Calendar days, not working days: with the default of 3, Friday's answers still count as fresh on
    Monday, and a unit that has heard nothing since Friday is flagged on Tuesday. No feedback at all is
    not staleness (the board says "no feedback yet" instead).
    """
    if newest is None:
        return None
    quiet = days_quiet(newest, now)
    return Staleness(helsinki_date(newest), quiet) if quiet > stale_days else None


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def distinct_texts(texts: list[str], limit: int) -> list[int]:
    """Positions of the first `limit` texts that differ (ignoring case and spacing) and are not empty."""
    seen: set[str] = set()
    kept: list[int] = []
    for position, text in enumerate(texts):
        key = _normalised(text)
        if not key or key in seen:
            continue
        seen.add(key)
        kept.append(position)
        if len(kept) == limit:
            break
    return kept
