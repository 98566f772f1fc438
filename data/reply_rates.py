"""Honest reply rates of a period: a request counts toward "answered in time" only once its deadline has passed.

The days wholly before the deadline line (now − reply days) and wholly after it are summed from the aggregates
(whole months and edge days, data/period_sums.py); only the one Helsinki day the line falls on reads raw rows.
The app keeps "sent" and "no reply needed" exclusive (handling.py refuses the one over the other), so the
requests that count are the requested ones minus those marked not needed, and the sent ones are the histogram.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, cast, func
from sqlmodel import Session, select

from board.periods import Period, helsinki_date
from board.replies import overdue_cutoff
from data.aggregate_tables import feedback_day, feedback_day_reply_hours
from data.metrics import _count_if, _in_period
from data.models import Feedback, Unit
from data.period_sums import period_rows
from data.settings import Settings

SECONDS_PER_DAY = 86400
HOURS_PER_DAY = 24


def _reply_seconds(session: Session):
    """Seconds from arrival to the reply sent, in the dialect's own date arithmetic (the roll-up's one definition)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.round((func.julianday(Feedback.replied_at) - func.julianday(Feedback.received_at)) * 86400),
                    Integer)
    return cast(func.extract("epoch", Feedback.replied_at - Feedback.received_at), Integer)


def _within(period: Period, first, last) -> Period | None:
    first, last = max(period.first, first), min(period.last, last)
    return Period(first, last) if first <= last else None


def _scope(root: Unit):
    return lambda table: [table.c.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))]


def _open_requests(session: Session, root: Unit, days: Period | None) -> dict[int, int]:
    """Per unit: the requests for a reply received on the days that were not marked "no reply needed"."""
    if days is None:
        return {}
    rows = period_rows(feedback_day, [days], ("replies_requested", "replies_not_needed"), _scope(root))
    found = session.exec(select(rows.c.unit_id, func.sum(rows.c.replies_requested - rows.c.replies_not_needed))
                         .group_by(rows.c.unit_id)).all()
    return {unit_id: int(count) for unit_id, count in found if count}


def _sent_in_time(session: Session, root: Unit, days: Period | None, hours: int) -> dict[int, int]:
    if days is None:
        return {}
    rows = period_rows(feedback_day_reply_hours, [days], ("hours", "count"),
                       lambda table: [*_scope(root)(table), table.c.hours < hours])
    found = session.exec(select(rows.c.unit_id, func.sum(rows.c.count)).group_by(rows.c.unit_id)).all()
    return {unit_id: int(count) for unit_id, count in found if count}


def _raw_deadlines(session: Session, root: Unit, period: Period, cutoff: datetime,
                   settings: Settings) -> dict[int, tuple[int, int, int]]:
    deadline_passed = Feedback.received_at < cutoff
    in_time = and_(deadline_passed, Feedback.replied_at.is_not(None),
                   _reply_seconds(session) < settings.reply_policy.days * SECONDS_PER_DAY)
    rows = session.exec(
        select(Feedback.unit_id, _count_if(deadline_passed), _count_if(in_time), _count_if(~deadline_passed))
        .where(Feedback.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path))), _in_period(period),
               Feedback.reply_requested, Feedback.no_reply_reason.is_(None))
        .group_by(Feedback.unit_id)
    ).all()
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows}


def reply_deadlines(session: Session, root: Unit, period: Period, *, now: datetime,
                    settings: Settings) -> dict[int, tuple[int, int, int]]:
    """Per unit of the subtree, of the period's requests for a reply: (deadline passed, of those answered in time,
    not yet due).

    A request whose deadline is still ahead is not yet due whether or not it was answered already; one marked
    "no reply needed" is neither. Answered in time = sent within the reply days × 24 h, as in the roll-up.
    """
    cutoff = overdue_cutoff(now, settings.reply_policy)
    line = helsinki_date(cutoff)
    one_day = timedelta(days=1)
    before = _within(period, period.first, line - one_day)
    after = _within(period, line + one_day, period.last)
    on_line = _within(period, line, line)
    passed = _open_requests(session, root, before)
    in_time = _sent_in_time(session, root, before, settings.reply_policy.days * HOURS_PER_DAY)
    ahead = _open_requests(session, root, after)
    raw = _raw_deadlines(session, root, on_line, cutoff, settings) if on_line else {}
    found = {}
    for unit_id in passed.keys() | ahead.keys() | raw.keys():
        edge = raw.get(unit_id, (0, 0, 0))
        found[unit_id] = (passed.get(unit_id, 0) + edge[0], in_time.get(unit_id, 0) + edge[1],
                          ahead.get(unit_id, 0) + edge[2])
    return found
