"""The aggregates (issue 16): per unit and Helsinki calendar day, and per unit and Helsinki calendar month, the
counts every period figure is summed from.

`feedback_day` holds volume, NPS groups, each statement's n / sum / agreeing, the reply requests and the
volume by channel and by collection (a column for each value of the national lists, and one for "not said");
`feedback_day_reply_hours` the replies sent by whole hours taken. The `feedback_month*` twins hold the same
columns per month (`month` is the month's first day), so a long period reads a dozen rows per unit instead of
hundreds. data/aggregates.py keeps both
in step with `feedback` and rebuilds them; data/period_sums.py reads whole months from the monthly tables
and only the ragged edges of a period from the daily ones.
"""
from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, Table

from board.likert import STATEMENT_KEYS
from data.models import CHANNELS, COLLECTIONS, metadata

# The order of the period counts is the roll-up's layout: volume, NPS groups, then n / sum / agreeing per statement.
PERIOD_COLUMNS = ("volume", "promoters", "passives", "detractors",
                  *(f"{key}_{part}" for key in STATEMENT_KEYS for part in ("n", "sum", "agree")))
REPLY_COLUMNS = ("replies_requested", "replies_sent", "replies_not_needed")
DAY_COLUMNS = (*PERIOD_COLUMNS, *REPLY_COLUMNS)
CHANNEL, COLLECTION = "channel", "collection"
NOT_SAID = "none"
# Per dimension: the value each column counts ("" for the column of feedback that did not say, or said a value
# outside the list, which no import stores).
MIX_VALUES = {CHANNEL: (*CHANNELS, ""), COLLECTION: (*COLLECTIONS, "")}
MIX_COLUMNS = {dimension: tuple(f"{dimension}_{value or NOT_SAID}" for value in values)
               for dimension, values in MIX_VALUES.items()}
COUNT_COLUMNS = (*DAY_COLUMNS, *MIX_COLUMNS[CHANNEL], *MIX_COLUMNS[COLLECTION])


def _counts(names) -> list[Column]:
    return [Column(name, Integer, nullable=False, server_default="0") for name in names]


def _tables(grain: str, date_name: str) -> tuple[Table, Table]:
    """The two aggregate tables of one grain ("day" or "month"), keyed by unit and the grain's first day."""
    def keys() -> list[Column]:
        return [Column("unit_id", Integer, ForeignKey("unit.id"), primary_key=True),
                Column(date_name, Date, primary_key=True)]

    def index(name: str) -> Index:
        return Index(f"ix_{name}_{date_name}_unit", date_name, "unit_id")

    counts = Table(f"feedback_{grain}", metadata, *keys(), *_counts(COUNT_COLUMNS), index(f"feedback_{grain}"))
    hours = Table(f"feedback_{grain}_reply_hours", metadata, *keys(),
                  Column("hours", Integer, primary_key=True), *_counts(["count"]),
                  index(f"feedback_{grain}_reply_hours"))
    return counts, hours


# Per unit and Helsinki calendar day, and per unit and calendar month (`month` is the month's first day).
feedback_day, feedback_day_reply_hours = DAY_TABLES = _tables("day", "day")
feedback_month, feedback_month_reply_hours = MONTH_TABLES = _tables("month", "month")
MONTH_OF = dict(zip(DAY_TABLES, MONTH_TABLES))
AGGREGATE_TABLES = (*DAY_TABLES, *MONTH_TABLES)


def in_days(table: Table, period):
    """SQL condition: the aggregate row's day is one of the period's Helsinki calendar days."""
    return table.c.day.between(period.first, period.last)
