"""Handling one feedback item: marking the reply, "no reply needed", themes, public texts, inbox filters.

All datetimes are naive UTC.
"""

from datetime import datetime, timedelta

from board.identity import looks_personal, screen
from board.nps import DETRACTOR_MAX, PROMOTER_MIN
from board.periods import as_utc_naive

CLOCK_SKEW = timedelta(minutes=5)
NO_REPLY_REASON_MAX = 400
THEME_TITLE_MAX = 200
PUBLIC_TEXT_MAX = 1000
LOW_STATEMENT_MAX = 2

_NPS_MIN = 0
_NPS_MAX = 10
_LIKERT_MIN = 1
_LIKERT_MAX = 5


class InvalidHandling(ValueError):
    """Input that handling refuses; `reason` is a stable key the UI turns into a message in its language."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{detail} ({reason})")
        self.reason = reason


def check_reply_sent(*, replied_at: datetime, received_at: datetime, now: datetime) -> None:
    """A reply is dated no earlier than the feedback's arrival and no later than now plus five minutes of clock skew."""
    replied_at, received_at, now = as_utc_naive(replied_at), as_utc_naive(received_at), as_utc_naive(now)
    if replied_at < received_at:
        raise InvalidHandling("reply_before_feedback", f"a reply at {replied_at} precedes feedback of {received_at}")
    if replied_at > now + CLOCK_SKEW:
        raise InvalidHandling("reply_in_future", f"a reply at {replied_at} is later than now, {now}")


def check_no_reply_reason(reason: str) -> str:
    """Marking "no reply needed" needs a reason of at most 400 characters; returned stripped and screened."""
    return _checked_text(reason, most=NO_REPLY_REASON_MAX, missing="reason_missing", what="the reason")


def check_theme_title(title: str) -> str:
    """A theme needs a title of at most 200 characters; returned stripped and screened."""
    return _checked_text(title, most=THEME_TITLE_MAX, missing="title_missing", what="the title")


def check_public_text(text: str | None) -> str:
    """Publishing needs a public text of at most 1000 characters; returned stripped and screened."""
    return _checked_text(text, most=PUBLIC_TEXT_MAX, missing="public_text_missing", what="the public text")


def check_publishable(text: str | None) -> str:
    """A text the public may read: a public text (check_public_text) with nothing personal in it, not even masked."""
    text = check_public_text(text)
    if looks_personal(text):
        raise InvalidHandling("public_text_personal", "the public text holds an identity code, a contact or the like")
    return text


def screened_text(text: str | None) -> str:
    """What a person typed as it may be stored: stripped, identity codes and contacts masked."""
    return screen((text or "").strip()).text


def nps_group_filter_values(group: str) -> range:
    """The NPS answers of a group: promoter 9-10, passive 7-8, detractor 0-6."""
    ranges = {
        "promoter": range(PROMOTER_MIN, _NPS_MAX + 1),
        "passive": range(DETRACTOR_MAX + 1, PROMOTER_MIN),
        "detractor": range(_NPS_MIN, DETRACTOR_MAX + 1),
    }
    if group not in ranges:
        raise ValueError(f"an NPS group is promoter, passive or detractor, got {group!r}")
    return ranges[group]


def is_low_statement(value: int | None) -> bool:
    """A statement is answered low with 1-2; an unanswered one is not."""
    if value is None:
        return False
    if isinstance(value, bool) or not isinstance(value, int) or not _LIKERT_MIN <= value <= _LIKERT_MAX:
        raise ValueError(f"a statement is answered with an integer 1-5, got {value!r}")
    return value <= LOW_STATEMENT_MAX


def _checked_text(text: str | None, *, most: int, missing: str, what: str) -> str:
    # Screened before the length check: the stored (masked) text is what must fit.
    text = screened_text(text)
    if not text:
        raise InvalidHandling(missing, f"{what} is empty")
    if len(text) > most:
        raise InvalidHandling("too_long", f"{what} has {len(text)} characters, more than {most}")
    return text
