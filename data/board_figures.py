"""The huddle board's signals beyond `metrics`: replies awaited, comparable volume, recent actions, quiet sources."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from auth.access import Viewer
from board.content_language import TRANSLATED
from board.periods import Period, helsinki_date
from board.signals import Staleness, distinct_texts, staleness, volume_windows
from data.actions import public_texts
from data.metrics import _awaiting_reply, volume_by_period
from data.models import Action, Feedback, Theme, Unit
from data.organisation import in_subtree
from data.huddle_board import Quote, board_title, huddle_quotes
from data.units import find_unit
from data.settings import Settings

ACTIONS_SHOWN = 3
QUOTES_SHOWN = 2
# Picked quotes read to find two that differ: the same words picked twice must not fill the panel.
QUOTE_POOL = 8


@dataclass(frozen=True)
class RecentAction:
    """An action the team logged, shown on the (internal) wall screen whether or not citizens see it."""

    taken_on: date
    text: str
    theme_title: str
    published: bool
    # The language `text` is in: a Swedish or English board shows the public text in its language where
    # there is one, otherwise the team's own (Finnish) words, marked as Finnish.
    text_language: str = "fi"


@dataclass(frozen=True)
class VolumeWindows:
    """Feedback received in the 7 whole days up to yesterday, and in the 7 before."""

    recent: Period
    recent_count: int
    before: Period
    before_count: int


@dataclass(frozen=True)
class BoardSignals:
    """What the wall screen needs besides `HuddleBoard` to tell the truth."""

    awaiting_replies: int
    volume: VolumeWindows
    actions: list[RecentAction]
    quotes: list[Quote]
    stale: Staleness | None


def board_signals(session: Session, *, viewer: Viewer, unit_code: str, now: datetime,
                  settings: Settings, language: str = "fi") -> BoardSignals:
    """The board's signals for a unit whose board the viewer may see (access checked as for the board)."""
    board_title(session, viewer=viewer, unit_code=unit_code)  # raises UnknownUnit or AccessDenied
    unit = find_unit(session, unit_code)
    recent, before = volume_windows(helsinki_date(now))
    recent_count, before_count = volume_by_period(session, unit, [recent, before])
    return BoardSignals(
        awaiting_replies=awaiting_replies(session, unit),
        volume=VolumeWindows(recent, recent_count, before, before_count),
        actions=recent_actions(session, unit, language=language),
        quotes=distinct_quotes(huddle_quotes(session, viewer=viewer, unit_code=unit.code, limit=QUOTE_POOL)),
        stale=staleness(newest_feedback(session, unit), now=now, stale_days=settings.stale_days),
    )


def awaiting_replies(session: Session, unit: Unit) -> int:
    """Replies asked for, not sent and not waived in the subtree now, whatever their due date."""
    return session.exec(select(func.count()).select_from(Feedback).where(_awaiting_reply(unit))).one()


def recent_actions(session: Session, unit: Unit, limit: int = ACTIONS_SHOWN,
                   language: str = "fi") -> list[RecentAction]:
    """The subtree's newest actions in the team's own words; in sv/en the public text of that language if any."""
    rows = session.exec(
        select(Action, Theme.title)
        .join(Theme, Theme.id == Action.theme_id)
        .where(in_subtree(unit, Theme.unit_id))
        .order_by(Action.taken_on.desc(), Action.id.desc())
        .limit(limit)
    ).all()
    result = []
    for action, title in rows:
        translated = public_texts(action).get(language) if language in TRANSLATED else None
        text, text_language = (translated, language) if (translated or "").strip() else (action.text, "fi")
        result.append(RecentAction(action.taken_on, text, title, action.published_at is not None, text_language))
    return result


def distinct_quotes(quotes: list[Quote], limit: int = QUOTES_SHOWN) -> list[Quote]:
    """The first `limit` picked quotes whose words differ: one voice is not shown twice."""
    return [quotes[i] for i in distinct_texts([q.text for q in quotes], limit)]


def newest_feedback(session: Session, unit: Unit) -> datetime | None:
    """The newest answer of the subtree from any source (None: no feedback at all); reads the (unit, received) index."""
    return session.exec(select(func.max(Feedback.received_at)).where(in_subtree(unit, Feedback.unit_id))).one()
