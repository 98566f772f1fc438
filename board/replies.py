"""Reply deadlines: a customer who asked for a reply gets one within `days` calendar days.

Deadlines run on the Helsinki wall clock: feedback received at 14:20 is due at 14:20 fourteen days
later, even across a clock change (the UTC difference is then 14 days ± 1 hour).

Twice a year the wall clock does not run straight, and plain wall-clock arithmetic would make some
later feedback fall due before earlier feedback; then no single cutoff could pick the overdue
replies in SQL. The arithmetic therefore reads a steady wall clock that never runs backwards:

- while the autumn hour 03:00-04:00 repeats, the steady clock stays at the last reading of its
  first pass, so feedback received in the second pass is due at 03:59:59.999999 on its due day;
- a due time that the spring change skips (03:00-03:59) falls due at the change, 04:00 EEST.

Every other due time is the plain wall-clock one. All datetimes are naive UTC.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from board.periods import HELSINKI, as_utc_naive, helsinki_date

_TICK = timedelta(microseconds=1)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class ReplyPolicy:
    """A reply is due `days` calendar days after the feedback arrived and due soon `soon_days` before that."""

    days: int = 14
    soon_days: int = 3

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"the reply time must be at least one day, got {self.days}")
        if self.soon_days < 0:
            raise ValueError(f"the warning time cannot be negative, got {self.soon_days}")


def reply_due(received_at: datetime, policy: ReplyPolicy) -> datetime:
    """The reply is due at the same Helsinki wall-clock time `policy.days` calendar days after receipt."""
    return _days_later(received_at, policy.days)


def overdue_cutoff(now: datetime, policy: ReplyPolicy) -> datetime:
    """A requested, unsent reply is overdue exactly when its feedback was received before this instant."""
    # Stepping one tick back and forth keeps the equivalence with reply_due exact where the clock
    # jumps or is held; elsewhere this is simply `now` moved back `policy.days` on the wall clock.
    return _first_instant(_steady_wall(now - _TICK) - timedelta(days=policy.days) + _TICK)


def due_soon_cutoff(now: datetime, policy: ReplyPolicy) -> datetime:
    """A reply that is not overdue is due soon exactly when its feedback was received before this instant."""
    return overdue_cutoff(_days_later(now, policy.soon_days), policy)


def is_overdue(
    *,
    requested: bool,
    replied_at: datetime | None,
    received_at: datetime,
    now: datetime,
    policy: ReplyPolicy,
) -> bool:
    """A requested reply that has not been sent is overdue once its due time has passed."""
    return _awaits_reply(requested, replied_at) and reply_due(received_at, policy) < now


def is_due_soon(
    *,
    requested: bool,
    replied_at: datetime | None,
    received_at: datetime,
    now: datetime,
    policy: ReplyPolicy,
) -> bool:
    """A requested, unsent reply that is not overdue is due soon when it falls due within `policy.soon_days`."""
    due = reply_due(received_at, policy)
    return _awaits_reply(requested, replied_at) and now <= due < _days_later(now, policy.soon_days)


def days_left(due: datetime, now: datetime) -> int:
    """Helsinki calendar days from today to the due day: 0 when due today, negative when late."""
    return (helsinki_date(due) - helsinki_date(now)).days


def days_overdue(received_at: datetime, now: datetime, policy: ReplyPolicy) -> int:
    """Whole Helsinki calendar days since the due day, 0 when the due day has not passed."""
    return max(0, -days_left(reply_due(received_at, policy), now))


def _awaits_reply(requested: bool, replied_at: datetime | None) -> bool:
    return requested and replied_at is None


def _days_later(moment: datetime, days: int) -> datetime:
    return _first_instant(_steady_wall(moment) + timedelta(days=days))


def _local(moment: datetime) -> datetime:
    return as_utc_naive(moment).replace(tzinfo=UTC).astimezone(HELSINKI)


def _steady_wall(moment: datetime) -> datetime:
    """The Helsinki wall-clock reading of a naive-UTC moment, held still while an hour repeats."""
    local = _local(moment)
    if not local.fold:
        return local.replace(tzinfo=None)
    repeated = local.replace(fold=0).utcoffset() - local.utcoffset()
    turned_back = _clock_change_between(moment - repeated, moment)
    return _local(turned_back - _TICK).replace(tzinfo=None)


def _first_instant(wall: datetime) -> datetime:
    """The first naive-UTC instant at which the steady wall clock reads `wall` or later."""
    moment = as_utc_naive(wall.replace(tzinfo=HELSINKI, fold=0))
    if _local(moment).replace(tzinfo=None) == wall:
        return moment
    # The spring change skipped `wall`; fold=1 reads it with the offset after the change, which
    # puts it before the change, while fold=0 put it after.
    return _clock_change_between(as_utc_naive(wall.replace(tzinfo=HELSINKI, fold=1)), moment)


def _clock_change_between(before: datetime, after: datetime) -> datetime:
    """The instant in (before, after] at which Helsinki's UTC offset changed; one change lies there."""
    # zoneinfo keeps its transition table private. Transitions fall on whole seconds, so bisecting
    # over whole seconds finds the exact instant.
    offset_before = _local(before).utcoffset()
    low, high = before.replace(microsecond=0), after.replace(microsecond=0)
    while high - low > _SECOND:
        middle = low + timedelta(seconds=(high - low) // _SECOND // 2)
        if _local(middle).utcoffset() == offset_before:
            low = middle
        else:
            high = middle
    return high
