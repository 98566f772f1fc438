"""The raw computation of the period figures, straight from `feedback` rows (the code before the daily
aggregates of issue 16): the oracle the aggregate-based figures are checked against, never used by the app."""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from sqlalchemy import Integer, and_, case, cast, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from board.likert import AGREE_MIN, STATEMENT_KEYS, likert_summary
from board.nps import DETRACTOR_MAX, PROMOTER_MIN, nps
from board.periods import HELSINKI, Period
from data.aggregate_tables import AGGREGATE_TABLES
from data.metrics import FeedbackFigures
from data.models import CHANNELS, COLLECTIONS, Feedback, Unit
from data.organisation import in_subtree


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_period(period: Period):
    start, end = period.utc_bounds()
    return and_(Feedback.received_at >= start, Feedback.received_at < end)


def _nps_columns():
    return (_count_if(Feedback.nps >= PROMOTER_MIN),
            _count_if(and_(Feedback.nps > DETRACTOR_MAX, Feedback.nps < PROMOTER_MIN)),
            _count_if(Feedback.nps <= DETRACTOR_MAX))


def _likert_columns(parts=("n", "sum", "agree")):
    columns = []
    for key in STATEMENT_KEYS:
        column = getattr(Feedback, key)
        made = {"n": func.count(column), "sum": func.coalesce(func.sum(column), 0),
                "agree": _count_if(column >= AGREE_MIN)}
        columns += [made[part] for part in parts]
    return columns


def feedback_figures(session: Session, unit: Unit, period: Period, *, min_n: int) -> FeedbackFigures:
    row = session.exec(select(func.count(), *_nps_columns(), *_likert_columns())
                       .where(in_subtree(unit, Feedback.unit_id), _in_period(period))).one()
    volume, promoters, passives, detractors, *values = (int(v) for v in row)
    likert = {key: likert_summary(key, n=values[3 * i], total=values[3 * i + 1], agreeing=values[3 * i + 2])
              for i, key in enumerate(STATEMENT_KEYS)}
    return FeedbackFigures(period=period, volume=volume, likert=likert,
                           nps=nps(promoters=promoters, passives=passives, detractors=detractors, min_n=min_n))


def _scope(root: Unit):
    return Feedback.unit_id.in_(select(Unit.id).where(Unit.path.startswith(root.path)))


def period_counts(session: Session, root: Unit, period: Period) -> dict[int, list[int]]:
    rows = session.exec(select(Feedback.unit_id, func.count(), *_nps_columns(), *_likert_columns())
                        .where(_scope(root), _in_period(period)).group_by(Feedback.unit_id)).all()
    return {row[0]: [int(v) for v in row[1:]] for row in rows}


def reply_counts(session: Session, root: Unit, period: Period) -> dict[int, tuple[int, int, int]]:
    rows = session.exec(
        select(Feedback.unit_id, func.count(), _count_if(Feedback.replied_at.is_not(None)),
               _count_if(Feedback.no_reply_reason.is_not(None)))
        .where(_scope(root), _in_period(period), Feedback.reply_requested).group_by(Feedback.unit_id)).all()
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows}


def compared_counts(session: Session, root: Unit, periods) -> dict:
    found = {}
    for period in dict.fromkeys(periods):
        replies = reply_counts(session, root, period)
        found[period] = {unit_id: [*counts, *replies.get(unit_id, (0, 0, 0))]
                         for unit_id, counts in period_counts(session, root, period).items()}
    return found


def channel_counts(session: Session, root: Unit, period: Period) -> dict[int, dict[str, int]]:
    channels: dict[int, dict[str, int]] = {}
    for unit_id, channel, count in session.exec(
            select(Feedback.unit_id, Feedback.channel, func.count())
            .where(_scope(root), _in_period(period)).group_by(Feedback.unit_id, Feedback.channel)).all():
        said = channel if channel in CHANNELS else ""
        channels.setdefault(unit_id, {})[said] = channels.get(unit_id, {}).get(said, 0) + int(count)
    return channels


def _reply_seconds(session: Session):
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.round((func.julianday(Feedback.replied_at) - func.julianday(Feedback.received_at)) * 86400),
                    Integer)
    return cast(func.extract("epoch", Feedback.replied_at - Feedback.received_at), Integer)


def reply_hours(session: Session, root: Unit, period: Period) -> list[tuple[int, int, int]]:
    hour = (_reply_seconds(session) / 3600).label("hour")
    rows = session.exec(
        select(Feedback.unit_id, hour, func.count())
        .where(_scope(root), _in_period(period), Feedback.reply_requested, Feedback.replied_at.is_not(None))
        .group_by(Feedback.unit_id, hour)).all()
    found: dict[tuple[int, int], int] = {}
    for unit_id, hours, count in rows:
        bucket = (unit_id, max(0, int(hours)))
        found[bucket] = found.get(bucket, 0) + int(count)
    rows = [(unit_id, bucket, count) for (unit_id, bucket), count in sorted(found.items())]
    return tuple(np.array(column, dtype=np.int64) for column in (zip(*rows) if rows else ((),) * 3))


def reply_deadlines(session: Session, root: Unit, period: Period, *, now, settings) -> dict[int, tuple[int, int, int]]:
    from board.replies import overdue_cutoff
    deadline_passed = Feedback.received_at < overdue_cutoff(now, settings.reply_policy)
    in_time = and_(deadline_passed, Feedback.replied_at.is_not(None),
                   _reply_seconds(session) < settings.reply_policy.days * 86400)
    rows = session.exec(
        select(Feedback.unit_id, _count_if(deadline_passed), _count_if(in_time), _count_if(~deadline_passed))
        .where(_scope(root), _in_period(period), Feedback.reply_requested, Feedback.no_reply_reason.is_(None))
        .group_by(Feedback.unit_id)).all()
    return {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in rows}


def quarter_counts(session: Session, parent: Unit, children: list[Unit], quarters) -> dict[tuple[int, int], tuple]:
    places = [parent, *children]
    bounds = [q.period().utc_bounds() for q in quarters]
    bucket = case(*[(Feedback.received_at < end, i) for i, (_, end) in enumerate(bounds)])
    place, answered = aliased(Unit), aliased(Unit)
    rows = session.exec(
        select(place.id, bucket.label("bucket"), *_nps_columns(), *_likert_columns(("n", "agree")))
        .select_from(Feedback).join(answered, answered.id == Feedback.unit_id)
        .join(place, answered.path.startswith(place.path))
        .where(place.id.in_([p.id for p in places]),
               Feedback.received_at >= bounds[0][0], Feedback.received_at < bounds[-1][1])
        .group_by(place.id, "bucket")).all()
    return {(int(row[0]), int(row[1])): tuple(int(v) for v in row[2:]) for row in rows}


def bucket_counts(session: Session, unit: Unit, periods: list[Period]) -> list[list[int]]:
    """Volume and NPS groups of each period (weeks, months), straight from the rows."""
    return [[int(v) for v in session.exec(select(func.count(), *_nps_columns())
                                          .where(in_subtree(unit, Feedback.unit_id), _in_period(p))).one()]
            for p in periods]


def collection_counts(session: Session, unit: Unit, period: Period) -> dict[str, int]:
    rows = session.exec(select(Feedback.collection, func.count())
                        .where(in_subtree(unit, Feedback.unit_id), _in_period(period))
                        .group_by(Feedback.collection)).all()
    counts: dict[str, int] = defaultdict(int)
    for collection, count in rows:
        counts[collection if collection in COLLECTIONS else ""] += int(count)
    return dict(counts)


def expected_tables(session: Session) -> dict[str, dict[tuple, object]]:
    """The four aggregate tables (daily and monthly) as they must be, computed in Python from every feedback row
    (zero rows left out)."""
    width = 4 + 3 * len(STATEMENT_KEYS) + 3
    days: dict[tuple, list[int]] = defaultdict(lambda: [0] * (width + len(CHANNELS) + 1 + len(COLLECTIONS) + 1))
    hours: dict[tuple, int] = defaultdict(int)
    for row in session.exec(select(Feedback)).all():
        day = row.received_at.replace(tzinfo=UTC).astimezone(HELSINKI).date()
        counts = days[(row.unit_id, day)]
        counts[0] += 1
        if row.nps is not None:
            counts[1 if row.nps >= 9 else 3 if row.nps <= 6 else 2] += 1
        for i, key in enumerate(STATEMENT_KEYS):
            value = getattr(row, key)
            if value is not None:
                counts[4 + 3 * i] += 1
                counts[5 + 3 * i] += value
                counts[6 + 3 * i] += value >= 4
        # Then a column per listed channel, one for none (or a value off the list); the same for collections.
        counts[width + (CHANNELS.index(row.channel) if row.channel in CHANNELS else len(CHANNELS))] += 1
        counts[width + len(CHANNELS) + 1 + (COLLECTIONS.index(row.collection) if row.collection in COLLECTIONS
                                            else len(COLLECTIONS))] += 1
        if row.reply_requested:
            counts[width - 3] += 1
            counts[width - 2] += row.replied_at is not None
            counts[width - 1] += row.no_reply_reason is not None
            if row.replied_at is not None:
                seconds = Decimal((row.replied_at - row.received_at).total_seconds())
                whole = int(abs(seconds).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                hours[(row.unit_id, day, 0 if seconds < 0 else whole // 3600)] += 1
    daily = {"feedback_day": {k: tuple(v) for k, v in days.items()}, "feedback_day_reply_hours": dict(hours)}
    monthly = {}
    for name, rows in daily.items():
        months: dict[tuple, object] = {}
        for (unit_id, day, *rest), value in rows.items():
            key = (unit_id, day.replace(day=1), *rest)
            before = months.get(key)
            months[key] = value if before is None else (
                tuple(a + b for a, b in zip(before, value)) if isinstance(value, tuple) else before + value)
        monthly[name.replace("feedback_day", "feedback_month")] = months
    return {**daily, **monthly}


def stored_tables(session) -> dict[str, dict[tuple, object]]:
    """What the aggregate tables hold, rows of nothing but zeros left out (as `expected_tables` gives them)."""
    found = {}
    for table in AGGREGATE_TABLES:
        keys = [c.name for c in table.primary_key.columns]
        counted = [c.name for c in table.c if c.name not in keys]
        rows = {}
        for row in session.execute(select(table)).mappings():
            values = tuple(row[name] for name in counted)
            if any(values):
                key = tuple(date.fromisoformat(row[k]) if isinstance(row[k], str) and k in ("day", "month")
                            else row[k] for k in keys)
                rows[key] = values if len(values) > 1 else values[0]
        found[table.name] = rows
    return found
