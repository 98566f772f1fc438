"""The roll-up's counts of a period per unit of a subtree, summed from the daily aggregates (data/aggregate_tables.py)."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from board.periods import Period
from data.aggregate_tables import (CHANNEL, PERIOD_COLUMNS, REPLY_COLUMNS, feedback_day, feedback_day_mix,
                                   feedback_day_reply_hours, in_days)
from data.models import Unit


def _aggregate_scope(root: Unit, table):
    return table.c.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))


def _period_counts(session: Session, root: Unit, period: Period) -> dict[int, list[int]]:
    """Per unit of the subtree: the period's counts in the layout above, summed from the daily aggregates."""
    day = feedback_day
    rows = session.exec(
        select(day.c.unit_id, *[func.sum(day.c[name]) for name in PERIOD_COLUMNS])
        .where(_aggregate_scope(root, day), in_days(day, period)).group_by(day.c.unit_id)
    ).all()
    return {row[0]: [int(v) for v in row[1:]] for row in rows if row[1]}


def _reply_counts(session: Session, root: Unit, period: Period) -> dict[int, tuple[int, int, int]]:
    """Per unit: the period's requests for a reply, of those sent, of those marked not needed."""
    day = feedback_day
    rows = session.exec(
        select(day.c.unit_id, *[func.sum(day.c[name]) for name in REPLY_COLUMNS])
        .where(_aggregate_scope(root, day), in_days(day, period)).group_by(day.c.unit_id)
    ).all()
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows if row[1]}


def _channel_counts(session: Session, root: Unit, period: Period) -> dict[int, dict[str, int]]:
    """Per unit: the period's feedback by channel ("" when the source did not say)."""
    mix = feedback_day_mix
    total = func.sum(mix.c.count)
    rows = session.exec(
        select(mix.c.unit_id, mix.c.value, total)
        .where(_aggregate_scope(root, mix), in_days(mix, period), mix.c.dimension == CHANNEL)
        .group_by(mix.c.unit_id, mix.c.value).having(total != 0)
    ).all()
    channels: dict[int, dict[str, int]] = {}
    for unit_id, channel, count in rows:
        channels.setdefault(unit_id, {})[channel or ""] = int(count)
    return channels


def _reply_hours(session: Session, root: Unit, period: Period) -> dict[int, dict[int, int]]:
    """Replies sent to feedback of the period, counted by unit and by whole hours taken (a histogram)."""
    hours = feedback_day_reply_hours
    total = func.sum(hours.c.count)
    rows = session.exec(
        select(hours.c.unit_id, hours.c.hours, total)
        .where(_aggregate_scope(root, hours), in_days(hours, period))
        .group_by(hours.c.unit_id, hours.c.hours).having(total != 0)
    ).all()
    found: dict[int, dict[int, int]] = {}
    for unit_id, hour, count in rows:
        found.setdefault(unit_id, {})[int(hour)] = int(count)
    return found
