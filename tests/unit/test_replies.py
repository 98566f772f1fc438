from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from board.periods import HELSINKI, helsinki_date
from board.replies import (
    ReplyPolicy,
    days_left,
    days_overdue,
    due_soon_cutoff,
    is_due_soon,
    is_overdue,
    overdue_cutoff,
    reply_due,
)

# Naive datetimes are UTC. Helsinki is UTC+2 in winter (EET) and UTC+3 in summer (EEST).
# 2026: spring forward Sun 29 March at 01:00 UTC (03:00 EET -> 04:00 EEST, 03:00-03:59 never shown);
# fall back Sun 25 October at 01:00 UTC (04:00 EEST -> 03:00 EET, 03:00-03:59 shown twice).
SPRING_2026 = datetime(2026, 3, 29, 1, 0)
AUTUMN_2026 = datetime(2026, 10, 25, 1, 0)
TICK = timedelta(microseconds=1)
POLICY = ReplyPolicy()


def _last_sunday_at_01_utc(year, month):
    day = date(year, month + 1, 1) - timedelta(days=1)
    day -= timedelta(days=(day.weekday() - 6) % 7)
    return datetime(day.year, day.month, day.day, 1, 0)


CLOCK_CHANGES = [_last_sunday_at_01_utc(year, month) for year in range(2025, 2029) for month in (3, 10)]


def _wall(moment):
    return moment.replace(tzinfo=HELSINKI.utcoffset(moment) and None).astimezone(HELSINKI) if False else (
        _as_helsinki(moment)
    )


def _as_helsinki(moment):
    from datetime import UTC

    return moment.replace(tzinfo=UTC).astimezone(HELSINKI).replace(tzinfo=None)
