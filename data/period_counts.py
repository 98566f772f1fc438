"""The roll-up's counts of a period per unit of a subtree, summed from the aggregates (data/aggregate_tables.py):
whole months from the monthly tables, the edge days from the daily ones (data/period_sums.py)."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from board.periods import Period
from data.aggregate_tables import (CHANNEL, PERIOD_COLUMNS, REPLY_COLUMNS, feedback_day, feedback_day_mix,
                                   feedback_day_reply_hours)
from data.models import Unit
from data.period_sums import period_rows


def _aggregate_scope(root: Unit, table):
    return table.c.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))


def _scoped(root: Unit, *more):
    return lambda table: [_aggregate_scope(root, table), *(condition(table) for condition in more)]


def _period_counts(session: Session, root: Unit, period: Period) -> dict[int, list[int]]:
    """Per unit of the subtree: the period's counts in the layout above, summed from the aggregates."""
    rows = period_rows(feedback_day, [period], PERIOD_COLUMNS, _scoped(root))
    found = session.exec(
        select(rows.c.unit_id, *[func.sum(rows.c[name]) for name in PERIOD_COLUMNS]).group_by(rows.c.unit_id)
    ).all()
    return {row[0]: [int(v) for v in row[1:]] for row in found if row[1]}


def _reply_counts(session: Session, root: Unit, period: Period) -> dict[int, tuple[int, int, int]]:
    """Per unit: the period's requests for a reply, of those sent, of those marked not needed."""
    rows = period_rows(feedback_day, [period], REPLY_COLUMNS, _scoped(root))
    found = session.exec(
        select(rows.c.unit_id, *[func.sum(rows.c[name]) for name in REPLY_COLUMNS]).group_by(rows.c.unit_id)
    ).all()
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in found if row[1]}


def _channel_counts(session: Session, root: Unit, period: Period) -> dict[int, dict[str, int]]:
    """Per unit: the period's feedback by channel ("" when the source did not say)."""
    rows = period_rows(feedback_day_mix, [period], ("value", "count"),
                       _scoped(root, lambda table: table.c.dimension == CHANNEL))
    total = func.sum(rows.c.count)
    found = session.exec(
        select(rows.c.unit_id, rows.c.value, total).group_by(rows.c.unit_id, rows.c.value).having(total != 0)
    ).all()
    channels: dict[int, dict[str, int]] = {}
    for unit_id, channel, count in found:
        channels.setdefault(unit_id, {})[channel or ""] = int(count)
    return channels


def _reply_hours(session: Session, root: Unit, period: Period) -> dict[int, dict[int, int]]:
    """Replies sent to feedback of the period, counted by unit and by whole hours taken (a histogram)."""
    rows = period_rows(feedback_day_reply_hours, [period], ("hours", "count"), _scoped(root))
    total = func.sum(rows.c.count)
    found = session.exec(
        select(rows.c.unit_id, rows.c.hours, total).group_by(rows.c.unit_id, rows.c.hours).having(total != 0)
    ).all()
    hours: dict[int, dict[int, int]] = {}
    for unit_id, hour, count in found:
        hours.setdefault(unit_id, {})[int(hour)] = int(count)
    return hours
