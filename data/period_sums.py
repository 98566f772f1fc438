"""Reading a period from the aggregates: whole calendar months from the monthly tables, the ragged edges (the
days of a running month, of a custom range) from the daily ones, both summed in one SQL statement."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from sqlalchemy import Table, or_, union_all
from sqlmodel import select

from board.periods import Period
from data.aggregate_tables import MONTH_OF

ONE_DAY = timedelta(days=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_period(period: Period) -> tuple[Period | None, list[Period]]:
    """A period as (its whole calendar months, first day to last day, or None; the days outside them)."""
    first_month = period.first if period.first.day == 1 else _next_month(period.first)
    after_last = period.last + ONE_DAY
    end = after_last if after_last.day == 1 else after_last.replace(day=1)  # the day after the last whole month
    if first_month >= end:
        return None, [period]
    edges = [Period(period.first, first_month - ONE_DAY)] if first_month > period.first else []
    if end <= period.last:
        edges.append(Period(end, period.last))
    return Period(first_month, end - ONE_DAY), edges


def _merged(ranges: Iterable[Period]) -> list[Period]:
    merged: list[Period] = []
    for period in sorted(ranges, key=lambda p: p.first):
        if merged and period.first <= merged[-1].last + ONE_DAY:
            merged[-1] = Period(merged[-1].first, max(merged[-1].last, period.last))
        else:
            merged.append(period)
    return merged


def split_periods(periods: Iterable[Period]) -> tuple[list[Period], list[Period]]:
    """Several periods as (ranges of whole months, ranges of edge days), adjacent ranges joined."""
    months, days = [], []
    for period in periods:
        whole, edges = split_period(period)
        months += [whole] if whole else []
        days += edges
    return _merged(months), _merged(days)


def period_rows(daily: Table, periods: Iterable[Period], columns: Iterable[str],
                where: Callable[[Table], list] = lambda table: []):
    """Rows of a daily aggregate table and of its monthly twin that together cover the periods exactly once.

    The subquery has `unit_id`, `day` (a month's row carries its first day, which falls in the period that
    holds the whole month) and the named columns; `where(table)` adds conditions to both halves (scope, dimension).
    """
    columns = list(columns)
    months, days = split_periods(periods)
    halves = []
    for table, date_name, ranges in ((MONTH_OF[daily], "month", months), (daily, "day", days)):
        if ranges:
            when = table.c[date_name]
            halves.append(select(table.c.unit_id, when.label("day"), *[table.c[name] for name in columns])
                          .where(or_(*[when.between(r.first, r.last) for r in ranges]), *where(table)))
    return (halves[0] if len(halves) == 1 else union_all(*halves)).subquery("period_rows")
