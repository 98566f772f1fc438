"""The huddle itself: its agenda and timebox, capture links from a phone, escalation between tiers.

All datetimes are naive UTC; `now` is always an argument.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from board.periods import HELSINKI, helsinki_date, helsinki_midnight_utc

# The board's sections in the order the huddle walks through them (seed 003, DOMAIN.md "Huddle boards").
SECTIONS = ("changes", "replies", "voice", "development", "fixed")
LENGTHS = (5, 10, 15)
PROMPT_MAX = 300
PRESENT_MAX = 500

CAPTURE_MINUTES = 10       # a capture link (QR code) works this long
CAPTURE_MOST_USES = 20     # ideas one link may add
CAPTURE_PAUSE = timedelta(seconds=5)  # between two ideas through one link
CAPTURE_DETAIL_MAX = 1000
ESCALATION_NOTE_MAX = 400


class HuddleRuleBroken(ValueError):
    """Input the huddle refuses; `reason` is a stable key the UI turns into a message in its language."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{detail} ({reason})")
        self.reason = reason


@dataclass(frozen=True)
class Step:
    """One section of the agenda and the seconds it is given."""

    section: str
    seconds: int


def agenda(minutes: int) -> list[Step]:
    """A huddle of 5, 10 or 15 minutes gives each of the five sections an equal share of the time."""
    check_length(minutes)
    share = minutes * 60 // len(SECTIONS)
    return [Step(section, share) for section in SECTIONS]


def check_length(minutes: int) -> int:
    """A huddle lasts 5, 10 or 15 minutes."""
    if minutes not in LENGTHS:
        raise HuddleRuleBroken("length_not_allowed", f"a huddle lasts 5, 10 or 15 minutes, not {minutes!r}")
    return minutes


def time_left(step: Step, step_started_at: datetime, now: datetime) -> int:
    """Whole seconds the step still has; 0 once its share is used (a clock running behind counts as none used)."""
    used = max(0.0, (now - step_started_at).total_seconds())
    return max(0, step.seconds - int(used))


def check_present(count: int | None) -> int | None:
    """The number present is a count of people (0–500), never names; unknown is allowed."""
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= PRESENT_MAX:
        raise HuddleRuleBroken("present_not_a_count", f"the number present is 0–{PRESENT_MAX}, not {count!r}")
    return count


def check_section(section: str) -> str:
    """A prompt belongs to one of the board's five sections."""
    if section not in SECTIONS:
        raise HuddleRuleBroken("unknown_section", f"{section!r} is not a section of the huddle")
    return section


def check_note(text: str, *, most: int, missing: str) -> str:
    """A note (already screened) is not empty and at most `most` characters."""
    text = (text or "").strip()
    if not text:
        raise HuddleRuleBroken(missing, "the text is empty")
    if len(text) > most:
        raise HuddleRuleBroken("too_long", f"the text has {len(text)} characters, more than {most}")
    return text


def capture_expires(issued_at: datetime) -> datetime:
    """A capture link works for CAPTURE_MINUTES from when the board showed it."""
    return issued_at + timedelta(minutes=CAPTURE_MINUTES)


def check_capture(*, expires_at: datetime, uses: int, last_used_at: datetime | None, now: datetime) -> None:
    """A capture link adds an idea only before it expires, at most 20 times, and not twice within 5 seconds."""
    if now >= expires_at:
        raise HuddleRuleBroken("capture_expired", "the capture link has expired")
    if uses >= CAPTURE_MOST_USES:
        raise HuddleRuleBroken("capture_used_up", f"the capture link has added {uses} ideas already")
    if last_used_at is not None and now - last_used_at < CAPTURE_PAUSE:
        raise HuddleRuleBroken("capture_too_fast", "another idea came through this link a moment ago")


def working_days(first: date, last: date) -> list[date]:
    """Monday to Friday from first to last, both included (public holidays are not known here)."""
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def held_share(huddle_starts: list[datetime], days: list[date]) -> tuple[int, int]:
    """(working days with at least one huddle begun on that Helsinki day, working days)."""
    held = {helsinki_date(moment) for moment in huddle_starts} & set(days)
    return len(held), len(days)


def utc_offsets(first: date, last: date) -> tuple[int, list[tuple[datetime, int]]]:
    """Helsinki's UTC offset in seconds at the start of `first`, and each (naive-UTC instant, new offset) up to `last`.

    What a grouped SQL query needs to turn a stored UTC moment into a Helsinki day without a time-zone database.
    """
    start, end = helsinki_midnight_utc(first), helsinki_midnight_utc(last + timedelta(days=1))

    def offset(moment: datetime) -> int:
        return int(moment.replace(tzinfo=UTC).astimezone(HELSINKI).utcoffset().total_seconds())

    changes, current, day = [], offset(start), start
    while day < end:
        following = min(day + timedelta(days=1), end)
        if offset(following) != current:
            hour = day
            while offset(hour) == current:  # the change falls on a whole hour (01:00 UTC)
                hour += timedelta(hours=1)
            current = offset(hour)
            changes.append((hour, current))
        day = following
    return offset(start), changes

