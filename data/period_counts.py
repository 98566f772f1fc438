"""The roll-up's counts of a period per unit of a subtree, summed from the aggregates (data/aggregate_tables.py):
whole months from the monthly tables, the edge days from the daily ones (data/period_sums.py)."""
from __future__ import annotations

from itertools import chain

import numpy as np
from sqlalchemy import case, func
from sqlmodel import Session, select

from board.periods import Period
from data.aggregate_tables import (CHANNEL, DAY_COLUMNS, MIX_COLUMNS, MIX_VALUES, feedback_day,
                                   feedback_day_reply_hours)
from data.models import Unit
from data.period_sums import period_rows


def _aggregate_scope(root: Unit, table):
    return table.c.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))


def _scoped(root: Unit, *more):
    return lambda table: [_aggregate_scope(root, table), *(condition(table) for condition in more)]


def _overlapping(periods: list[Period]) -> bool:
    ordered = sorted(periods, key=lambda p: p.first)
    return any(later.first <= earlier.last for earlier, later in zip(ordered, ordered[1:]))


def _compared_counts(session: Session, root: Unit, periods: list[Period]) -> dict[Period, dict[int, list[int]]]:
    """Per period and unit of the subtree: the period's counts (DAY_COLUMNS: the layout above, then the requests for
    a reply, of those sent, of those marked not needed), summed from the aggregates for all the periods in one
    grouped query; periods that overlap (a custom range longer than a year) are read one at a time."""
    wanted = list(dict.fromkeys(periods))
    if _overlapping(wanted):
        return {period: _compared_counts(session, root, [period])[period] for period in wanted}
    rows = period_rows(feedback_day, wanted, DAY_COLUMNS, _scoped(root))
    # Disjoint periods: every aggregate row (a day, or a month wholly inside one period) belongs to exactly one.
    which = case(*[(rows.c.day.between(period.first, period.last), i) for i, period in enumerate(wanted)])
    tagged = select(rows.c.unit_id, which.label("period"), *[rows.c[name] for name in DAY_COLUMNS]).subquery("tagged")
    found = session.exec(
        select(tagged.c.unit_id, tagged.c.period, *[func.sum(tagged.c[name]) for name in DAY_COLUMNS])
        .group_by(tagged.c.unit_id, tagged.c.period)
    ).all()
    counts: dict[Period, dict[int, list[int]]] = {period: {} for period in wanted}
    for unit_id, at, volume, *rest in found:
        if volume:
            counts[wanted[at]][unit_id] = [int(volume), *map(int, rest)]
    return counts


def _channel_counts(session: Session, root: Unit, period: Period) -> dict[int, dict[str, int]]:
    """Per unit: the period's feedback by channel ("" when the source did not say)."""
    columns = MIX_COLUMNS[CHANNEL]
    rows = period_rows(feedback_day, [period], columns, _scoped(root))
    found = session.exec(
        select(rows.c.unit_id, *[func.sum(rows.c[name]) for name in columns]).group_by(rows.c.unit_id)
    ).all()
    channels: dict[int, dict[str, int]] = {}
    for unit_id, *counts in found:
        said = {value: int(count) for value, count in zip(MIX_VALUES[CHANNEL], counts) if count}
        if said:
            channels[unit_id] = said
    return channels


def _reply_hours(session: Session, root: Unit, period: Period) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replies sent to feedback of the period, each unit's histogram: (unit, whole hours taken, how many) as three
    arrays of equal length, one element per non-empty bucket."""
    rows = period_rows(feedback_day_reply_hours, [period], ("hours", "count"), _scoped(root))
    total = func.sum(rows.c.count)
    grouped = select(rows.c.unit_id, rows.c.hours, total.label("count")).group_by(rows.c.unit_id, rows.c.hours) \
        .having(total != 0)
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        found = connection.execute(grouped).all()
        return tuple(np.array(column, dtype=np.int64) for column in (zip(*found) if found else ((),) * 3))
    # A year of a large county has ~100 000 (unit, hours) buckets: brought over as one row of arrays per unit, which
    # took half the time of a row per bucket (0.15 s against 0.33 s at 5 000 000 answers).
    buckets = grouped.subquery("buckets")
    found = connection.execute(select(buckets.c.unit_id, func.array_agg(buckets.c.hours), func.array_agg(buckets.c.count))
                               .group_by(buckets.c.unit_id)).all()
    units = np.repeat(np.array([row[0] for row in found], dtype=np.int64), [len(row[1]) for row in found])
    hours = np.fromiter(chain.from_iterable(row[1] for row in found), dtype=np.int64, count=len(units))
    counts = np.fromiter(chain.from_iterable(row[2] for row in found), dtype=np.int64, count=len(units))
    return units, hours, counts
