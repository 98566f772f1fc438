"""The aggregates (issue 16): per unit and Helsinki calendar day, and per unit and Helsinki calendar month, the
counts every period figure is summed from.

`feedback_day` holds volume, NPS groups, each statement's n / sum / agreeing and the reply requests;
`feedback_day_mix` the volume by channel and by collection; `feedback_day_reply_hours` the replies sent
by whole hours taken. The `feedback_month*` twins hold the same columns per month (`month` is the month's
first day), so a long period reads a dozen rows per unit instead of hundreds. data/aggregates.py keeps both
in step with `feedback` and rebuilds them; data/period_sums.py reads whole months from the monthly tables
and only the ragged edges of a period from the daily ones.
"""
from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table

from board.likert import STATEMENT_KEYS
from data.models import metadata

# The order of the period counts is the roll-up's layout: volume, NPS groups, then n / sum / agreeing per statement.
PERIOD_COLUMNS = ("volume", "promoters", "passives", "detractors",
                  *(f"{key}_{part}" for key in STATEMENT_KEYS for part in ("n", "sum", "agree")))
REPLY_COLUMNS = ("replies_requested", "replies_sent", "replies_not_needed")
DAY_COLUMNS = (*PERIOD_COLUMNS, *REPLY_COLUMNS)
CHANNEL, COLLECTION = "channel", "collection"


def _counts(names) -> list[Column]:
    return [Column(name, Integer, nullable=False, server_default="0") for name in names]


def _tables(grain: str, date_name: str) -> tuple[Table, Table, Table]:
    """The three aggregate tables of one grain ("day" or "month"), keyed by unit and the grain's first day."""
    def keys(name: str) -> list[Column]:
        return [Column("unit_id", Integer, ForeignKey("unit.id"), primary_key=True),
                Column(date_name, Date, primary_key=True)]

    def index(name: str) -> Index:
        return Index(f"ix_{name}_{date_name}_unit", date_name, "unit_id")

    counts = Table(f"feedback_{grain}", metadata, *keys(grain), *_counts(DAY_COLUMNS), index(f"feedback_{grain}"))
    mix = Table(f"feedback_{grain}_mix", metadata, *keys(grain),
                Column("dimension", String(10), primary_key=True), Column("value", String(20), primary_key=True),
                *_counts(["count"]), index(f"feedback_{grain}_mix"))
    hours = Table(f"feedback_{grain}_reply_hours", metadata, *keys(grain),
                  Column("hours", Integer, primary_key=True), *_counts(["count"]),
                  index(f"feedback_{grain}_reply_hours"))
    return counts, mix, hours


# Per unit and Helsinki calendar day, and per unit and calendar month (`month` is the month's first day).
feedback_day, feedback_day_mix, feedback_day_reply_hours = DAY_TABLES = _tables("day", "day")
feedback_month, feedback_month_mix, feedback_month_reply_hours = MONTH_TABLES = _tables("month", "month")
MONTH_OF = dict(zip(DAY_TABLES, MONTH_TABLES))
AGGREGATE_TABLES = (*DAY_TABLES, *MONTH_TABLES)


def in_days(table: Table, period):
    """SQL condition: the aggregate row's day is one of the period's Helsinki calendar days."""
    return table.c.day.between(period.first, period.last)
