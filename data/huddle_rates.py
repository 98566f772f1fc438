"""Huddles held over working days for every unit of a roll-up, in one grouped query (issue 14).

A unit's figure is (working days with at least one huddle begun on that Helsinki day, working days of
the period up to today): the same rule as `data.huddle.huddles_held`, counted in SQL for all units at once.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import BigInteger, Integer, case, cast, func
from sqlmodel import Session, select

from board.huddle import utc_offsets, working_days
from board.periods import Period, helsinki_midnight_utc
from data.huddle_tables import Huddle

SECONDS_PER_DAY = 86400
THURSDAY = 3  # 1 January 1970, day 0 of the epoch, was a Thursday (Monday = 0)


def _epoch_seconds(session: Session):
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", Huddle.started_at), Integer)
    return cast(func.floor(func.extract("epoch", Huddle.started_at)), BigInteger)


def _helsinki_day_number(session: Session, first: date, last: date):
    """Days since 1970-01-01 of the Helsinki day a huddle began on, with the summer-time changes of the period."""
    initial, changes = utc_offsets(first, last)
    if changes:
        offset = case(*[(Huddle.started_at < moment, before) for moment, before in
                        zip([m for m, _ in changes], [initial] + [o for _, o in changes[:-1]])],
                      else_=changes[-1][1])
    else:
        offset = initial
    return (_epoch_seconds(session) + offset) // SECONDS_PER_DAY


def held_period(period: Period, today: date) -> Period | None:
    """The days of a period a huddle could have been held on: none after today; None when it all lies ahead."""
    last = min(period.last, today)
    return Period(period.first, last) if last >= period.first else None


def huddle_days(session: Session, unit_ids, period: Period, today: date) -> tuple[dict[int, int], int]:
    """({unit id: working days with a huddle}, working days) over the period up to today; `unit_ids` is a subquery."""
    days = held_period(period, today)
    if days is None:
        return {}, 0
    day = _helsinki_day_number(session, days.first, days.last)
    rows = session.exec(
        select(Huddle.unit_id, func.count(func.distinct(day)))
        .where(Huddle.unit_id.in_(unit_ids),
               Huddle.started_at >= helsinki_midnight_utc(days.first),
               Huddle.started_at < helsinki_midnight_utc(days.last + timedelta(days=1)),
               (day + THURSDAY) % 7 < 5)
        .group_by(Huddle.unit_id)
    ).all()
    return {int(unit_id): int(count) for unit_id, count in rows}, len(working_days(days.first, days.last))
