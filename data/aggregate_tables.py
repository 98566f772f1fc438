"""The daily aggregates (issue 16): per unit and Helsinki calendar day, the counts every period figure is summed from.

`feedback_day` holds volume, NPS groups, each statement's n / sum / agreeing and the reply requests;
`feedback_day_mix` the volume by channel and by collection; `feedback_day_reply_hours` the replies sent
by whole hours taken. data/aggregates.py keeps them in step with `feedback` and rebuilds them.
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


feedback_day = Table(
    "feedback_day", metadata,
    Column("unit_id", Integer, ForeignKey("unit.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    *_counts(DAY_COLUMNS),
    Index("ix_feedback_day_day_unit", "day", "unit_id"),
)

feedback_day_mix = Table(
    "feedback_day_mix", metadata,
    Column("unit_id", Integer, ForeignKey("unit.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("dimension", String(10), primary_key=True),
    Column("value", String(20), primary_key=True),
    *_counts(["count"]),
    Index("ix_feedback_day_mix_day_unit", "day", "unit_id"),
)

feedback_day_reply_hours = Table(
    "feedback_day_reply_hours", metadata,
    Column("unit_id", Integer, ForeignKey("unit.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("hours", Integer, primary_key=True),
    *_counts(["count"]),
    Index("ix_feedback_day_reply_hours_day_unit", "day", "unit_id"),
)

AGGREGATE_TABLES = (feedback_day, feedback_day_mix, feedback_day_reply_hours)


def in_days(table: Table, period):
    """SQL condition: the aggregate row's day is one of the period's Helsinki calendar days."""
    return table.c.day.between(period.first, period.last)
