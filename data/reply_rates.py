"""Honest reply rates of a period: a request counts toward "answered in time" only once its deadline has passed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, and_, cast, func
from sqlmodel import Session, select

from board.periods import Period
from board.replies import overdue_cutoff
from data.metrics import _count_if, _in_period
from data.models import Feedback
from data.settings import Settings

SECONDS_PER_DAY = 86400


def _reply_seconds(session: Session):
    """Seconds from arrival to the reply sent, in the dialect's own date arithmetic (the roll-up's one definition)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.round((func.julianday(Feedback.replied_at) - func.julianday(Feedback.received_at)) * 86400),
                    Integer)
    return cast(func.extract("epoch", Feedback.replied_at - Feedback.received_at), Integer)


def reply_deadlines(session: Session, feedback_scope, period: Period, *, now: datetime,
                    settings: Settings) -> dict[int, tuple[int, int, int]]:
    """Per unit, of the period's requests for a reply: (deadline passed, of those answered in time, not yet due).

    A request whose deadline is still ahead is not yet due whether or not it was answered already; one marked
    "no reply needed" is neither. Answered in time = sent within the reply days × 24 h, as in the roll-up.
    """
    deadline_passed = Feedback.received_at < overdue_cutoff(now, settings.reply_policy)
    in_time = and_(deadline_passed, Feedback.replied_at.is_not(None),
                   _reply_seconds(session) < settings.reply_policy.days * SECONDS_PER_DAY)
    rows = session.exec(
        select(Feedback.unit_id, _count_if(deadline_passed), _count_if(in_time), _count_if(~deadline_passed))
        .where(feedback_scope, _in_period(period), Feedback.reply_requested, Feedback.no_reply_reason.is_(None))
        .group_by(Feedback.unit_id)
    ).all()
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows}
