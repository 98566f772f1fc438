"""Keeping the daily and monthly aggregates (data/aggregate_tables.py) exactly in step with `feedback`, and rebuilding them.

Every write of feedback calls in here in its own transaction: an import's new rows, counted by the database
(`count_inserted`), other new rows (`count_new`), a reply mark set or undone (`count_reply_mark`). `rebuild`
recomputes everything from the raw rows with `count_inserted`'s statements (`python -m data aggregates rebuild`).
A day is the Helsinki calendar day of `received_at`; a reply's hours are its whole hours taken, the seconds
rounded as the databases round them (half away from zero), never below 0; a channel or collection outside the
national lists counts as not said. A month's row is the sum of its days' rows: every change is written to both
in the same upsert pass.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, case, cast, delete, func, or_, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from board.likert import AGREE_MIN, STATEMENT_KEYS
from board.nps import DETRACTOR_MAX, PROMOTER_MIN
from board.periods import HELSINKI, helsinki_date
from data.aggregate_tables import (AGGREGATE_TABLES, COUNT_COLUMNS, DAY_COLUMNS, DAY_TABLES, MIX_COLUMNS, MIX_VALUES,
                                   MONTH_TABLES)
from data.models import Feedback

SECONDS_PER_HOUR = 3600
MICROSECONDS = 1_000_000
UPSERT_BATCH = 2_000


@lru_cache(maxsize=65_536)
def _day_of_hour(hour: datetime) -> date:
    return helsinki_date(hour)


def helsinki_day(received_at: datetime | str) -> date:
    """The Helsinki calendar day of a naive-UTC moment (or SQLite's stored text of one); offsets are whole hours."""
    if isinstance(received_at, str):
        received_at = datetime.fromisoformat(received_at)
    return _day_of_hour(received_at.replace(minute=0, second=0, microsecond=0))


def reply_hours(received_at: datetime, replied_at: datetime) -> int:
    """Whole hours from arrival to reply: seconds rounded half away from zero, truncated to hours, at least 0."""
    micro = (replied_at - received_at) // timedelta(microseconds=1)
    seconds = (abs(micro) + MICROSECONDS // 2) // MICROSECONDS
    return 0 if micro < 0 else seconds // SECONDS_PER_HOUR


def _moment(value: datetime | str | None) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# Where each dimension's value is counted in a row of COUNT_COLUMNS, and where its "not said" column is.
_MIX_AT = {dimension: {value: COUNT_COLUMNS.index(column) for value, column in zip(MIX_VALUES[dimension], columns)}
           for dimension, columns in MIX_COLUMNS.items()}


class Deltas:
    """Changes to the aggregates, summed per key in memory and written in one upsert per table."""

    def __init__(self) -> None:
        self.days: dict[tuple[int, date], list[int]] = {}
        self.hours: dict[tuple[int, date, int], int] = {}

    def _day(self, key: tuple[int, date]) -> list[int]:
        counts = self.days.get(key)
        if counts is None:
            counts = self.days[key] = [0] * len(COUNT_COLUMNS)
        return counts

    def feedback(self, row: Mapping[str, Any], sign: int = 1) -> None:
        """A whole feedback row enters (sign 1) the aggregates."""
        received = _moment(row["received_at"])
        key = (row["unit_id"], helsinki_day(received))
        counts = self._day(key)
        counts[0] += sign
        score = row["nps"]
        if score is not None:
            counts[1 if score >= PROMOTER_MIN else 3 if score <= DETRACTOR_MAX else 2] += sign
        for i, name in enumerate(STATEMENT_KEYS):
            answer = row[name]
            if answer is not None:
                at = 4 + 3 * i
                counts[at] += sign
                counts[at + 1] += sign * answer
                if answer >= AGREE_MIN:
                    counts[at + 2] += sign
        for dimension, at in _MIX_AT.items():
            counts[at.get(row[dimension] or "", at[""])] += sign
        if row["reply_requested"]:
            counts[len(DAY_COLUMNS) - 3] += sign
            self.reply_state(key, received, _moment(row["replied_at"]), row["no_reply_reason"], sign)

    def reply_state(self, key: tuple[int, date], received: datetime, replied_at: datetime | None,
                    reason: str | None, sign: int) -> None:
        """A requested reply's state (sent, not needed, awaiting) enters (1) or leaves (-1) the aggregates."""
        counts = self._day(key)
        if replied_at is not None:
            counts[len(DAY_COLUMNS) - 2] += sign
            hours_key = (*key, reply_hours(received, replied_at))
            self.hours[hours_key] = self.hours.get(hours_key, 0) + sign
        if reason is not None:
            counts[len(DAY_COLUMNS) - 1] += sign

    def write(self, session: Session) -> None:
        """Add the changes to the daily and monthly tables in the caller's transaction, keys in order (no deadlocks)."""
        for grain, (counts, hours) in (("day", DAY_TABLES), ("month", MONTH_TABLES)):
            days, taken = (self.days, self.hours) if grain == "day" else (_by_month(self.days), _by_month(self.hours))
            _upsert(session, counts, ("unit_id", grain),
                    [{"unit_id": k[0], grain: k[1], **dict(zip(COUNT_COLUMNS, v))} for k, v in sorted(days.items())
                     if any(v)])
            _upsert(session, hours, ("unit_id", grain, "hours"),
                    [{"unit_id": k[0], grain: k[1], "hours": k[2], "count": v} for k, v in sorted(taken.items()) if v])


def _by_month(deltas: dict[tuple, Any]) -> dict[tuple, Any]:
    """Daily deltas summed per month: the key's day (its second part) becomes the first day of its month."""
    months: dict[tuple, Any] = {}
    for key, value in deltas.items():
        month_key = (key[0], key[1].replace(day=1), *key[2:])
        before = months.get(month_key)
        if before is None:
            months[month_key] = list(value) if isinstance(value, list) else value
        elif isinstance(value, list):
            months[month_key] = [a + b for a, b in zip(before, value)]
        else:
            months[month_key] = before + value
    return months


def _upsert(session: Session, table, keys: tuple[str, ...], rows: list[dict]) -> None:
    if not rows:
        return
    dialect = session.connection().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = maker(table)
    counted = [c.name for c in table.c if c.name not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in counted})
    # Run by the driver: SQLAlchemy's processing of every row's parameters was a fifth of an import's time.
    # The values are plain ints, strings and dates (SQLite stores a date as its ISO text).
    connection = session.connection()
    driver = connection.connection.driver_connection
    if dialect == "postgresql":
        statement, names = _unnest_upsert(connection.dialect, table, keys, counted, list(rows[0]))
    else:
        compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = rows[start:start + UPSERT_BATCH]
        if dialect == "postgresql":
            with driver.cursor() as cursor:
                cursor.execute(statement, {f"c{i}": [row[name] for row in batch] for i, name in enumerate(names)})
        else:
            driver.executemany(compiled.string, [tuple(_stored(row[name]) for name in compiled.positiontup)
                                                 for row in batch])


def _unnest_upsert(dialect, table, keys: tuple[str, ...], counted: list[str],
                   names: list[str]) -> tuple[str, list[str]]:
    """PostgreSQL: one INSERT … SELECT FROM unnest(column arrays) ON CONFLICT … per batch (one statement, not one a
    row); the keys are distinct within a batch (the deltas are summed per key), as ON CONFLICT requires."""
    quote = dialect.identifier_preparer.quote
    arrays = ", ".join(f"%(c{i})s::{table.c[name].type.compile(dialect=dialect)}[]" for i, name in enumerate(names))
    added = ", ".join(f"{quote(name)} = {quote(table.name)}.{quote(name)} + excluded.{quote(name)}" for name in counted)
    statement = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
                 f"SELECT * FROM unnest({arrays}) ON CONFLICT ({', '.join(quote(key) for key in keys)}) "
                 f"DO UPDATE SET {added}")
    return statement, names


def _stored(value):
    return value.isoformat() if isinstance(value, date) else value


def count_new(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """New feedback rows are added to the daily aggregates in the same transaction as their insert."""
    deltas = Deltas()
    for row in rows:
        deltas.feedback(row)
    deltas.write(session)


def count_inserted(session: Session, id_runs: list[tuple[int, int]]) -> None:
    """Feedback rows just inserted (ids in these inclusive runs, written by the caller's transaction alone) are added
    to the daily and monthly aggregates by grouped INSERT … SELECT … ON CONFLICT statements, counted by the database."""
    if id_runs:
        _count_rows(session, or_(*(Feedback.id.between(first, last) for first, last in id_runs)))


def _count_rows(session: Session, rows) -> None:
    """The feedback rows matching `rows` added to both grains' aggregates: an import's new rows, or all of them."""
    day = _rows_day(session, rows)
    if day is None:
        return
    for grain, (counts, hours) in (("day", DAY_TABLES), ("month", MONTH_TABLES)):
        at = (day if grain == "day" else _month_of(session, day)).label(grain)
        _add_grouped(session, counts, ("unit_id", grain),
                     select(Feedback.unit_id, at, *_day_counts()).where(rows).group_by(Feedback.unit_id, at)
                     .order_by(Feedback.unit_id, at))
        taken = _reply_hours_expression(session).label("hours")
        _add_grouped(session, hours, ("unit_id", grain, "hours"),
                     select(Feedback.unit_id, at, taken, func.count())
                     .where(rows, Feedback.reply_requested, Feedback.replied_at.is_not(None))
                     .group_by(Feedback.unit_id, at, taken).order_by(Feedback.unit_id, at, taken))


def _add_grouped(session: Session, table, keys: tuple[str, ...], grouped) -> None:
    """Add a grouped SELECT's counts (one row per key, as ON CONFLICT requires; in key order, so that two imports
    lock the rows they share in the same order and never deadlock) to an aggregate table."""
    maker = postgresql.insert if session.connection().dialect.name == "postgresql" else sqlite.insert
    counted = [c.name for c in table.c if c.name not in keys]
    statement = maker(table).from_select([*keys, *counted], grouped)
    session.execute(statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in counted}))


def _rows_day(session: Session, rows):
    """The Helsinki day of `received_at` in SQL (None when no row matches). SQLite has no time zones: the UTC offsets
    in force between the rows' first and last moment, from zoneinfo, become a CASE over the instants they change."""
    if session.connection().dialect.name == "postgresql":
        return cast(func.timezone("Europe/Helsinki", func.timezone("UTC", Feedback.received_at)), postgresql.DATE)
    first, last = session.execute(select(func.min(Feedback.received_at), func.max(Feedback.received_at))
                                  .where(rows)).one()
    if first is None:
        return None
    offset, changes = utc_offset_changes(first, last)
    # Whole seconds only: SQLite rounds a time's fraction to milliseconds, so 21:59:59.9996 would be 22:00.
    seconds = func.substr(Feedback.received_at, 1, 19)
    if not changes:
        return func.date(seconds, _modifier(offset))
    # An offset applies from its instant on; each WHEN is "before the next change".
    whens = [(Feedback.received_at < instant, _modifier(before))
             for (instant, _), before in zip(changes, [offset, *(after for _, after in changes)])]
    return func.date(seconds, case(*whens, else_=_modifier(changes[-1][1])))


def _modifier(offset: timedelta) -> str:
    return f"{int(offset.total_seconds()):+d} seconds"


def utc_offset_changes(first: datetime, last: datetime) -> tuple[timedelta, list[tuple[datetime, timedelta]]]:
    """Helsinki's UTC offset at naive-UTC `first`, and each (naive-UTC instant, new offset) where it changes up to
    `last`. Offsets are sampled daily and each change found to the second (Helsinki changes at most once a day)."""
    def offset_at(moment: datetime) -> timedelta:
        return moment.replace(tzinfo=UTC).astimezone(HELSINKI).utcoffset()

    start = offset_at(first)
    changes: list[tuple[datetime, timedelta]] = []
    before, moment = start, first.replace(minute=0, second=0, microsecond=0)
    while moment < last:
        following = moment + timedelta(days=1)
        after = offset_at(following)
        if after != before:
            low, high = moment, following  # the offset at low is `before`, at high `after`
            while high - low > timedelta(seconds=1):
                middle = low + timedelta(seconds=(high - low) // timedelta(seconds=2))
                low, high = (middle, high) if offset_at(middle) == before else (low, middle)
            changes.append((high, after))
            before = after
        moment = following
    return start, changes


def _reply_hours_expression(session: Session):
    """`reply_hours` in SQL: the seconds from arrival to reply rounded half away from zero, whole hours, at least 0."""
    if session.connection().dialect.name == "postgresql":
        # extract(epoch …) is numeric (PostgreSQL 14+), and round(numeric) rounds half away from zero.
        seconds = func.round(func.extract("epoch", Feedback.replied_at - Feedback.received_at))
        return case((Feedback.replied_at < Feedback.received_at, 0),
                    else_=cast(func.floor(seconds / SECONDS_PER_HOUR), Integer))
    # SQLite stores "YYYY-MM-DD HH:MM:SS.ffffff": whole seconds from strftime (given no fraction, which it would
    # round to milliseconds), microseconds from the text, all in integers.
    def micro(column):
        return (cast(func.strftime("%s", func.substr(column, 1, 19)), Integer) * MICROSECONDS
                + cast(func.substr(column, 21, 6), Integer))
    taken = micro(Feedback.replied_at) - micro(Feedback.received_at)
    return case((taken < 0, 0), else_=(taken + MICROSECONDS // 2) // MICROSECONDS // SECONDS_PER_HOUR)


def count_reply_mark(session: Session, feedback: Feedback, *, replied_at_before: datetime | None,
                     reason_before: str | None) -> None:
    """A reply mark set or undone moves a requested reply between awaiting, sent and not needed in the aggregates."""
    if not feedback.reply_requested:
        return
    if (replied_at_before, reason_before) == (feedback.replied_at, feedback.no_reply_reason):
        return
    deltas = Deltas()
    key = (feedback.unit_id, helsinki_day(feedback.received_at))
    deltas.reply_state(key, feedback.received_at, replied_at_before, reason_before, -1)
    deltas.reply_state(key, feedback.received_at, feedback.replied_at, feedback.no_reply_reason, 1)
    deltas.write(session)


# --- Rebuild ----------------------------------------------------------------------------------------

def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _day_counts():
    columns = [func.count(), _count_if(Feedback.nps >= PROMOTER_MIN),
               _count_if((Feedback.nps > DETRACTOR_MAX) & (Feedback.nps < PROMOTER_MIN)),
               _count_if(Feedback.nps <= DETRACTOR_MAX)]
    for key in STATEMENT_KEYS:
        column = getattr(Feedback, key)
        columns += [func.count(column), func.coalesce(func.sum(column), 0), _count_if(column >= AGREE_MIN)]
    requested = Feedback.reply_requested
    columns += [_count_if(requested), _count_if(requested & Feedback.replied_at.is_not(None)),
                _count_if(requested & Feedback.no_reply_reason.is_not(None))]
    for dimension, values in MIX_VALUES.items():
        said = getattr(Feedback, dimension)
        named = [value for value in values if value]
        columns += [_count_if(said == value) for value in named]
        columns.append(_count_if(or_(said.is_(None), said.not_in(named))))
    return columns


def rebuild(session: Session) -> dict[str, int]:
    """The aggregates recomputed from scratch from `feedback` in the caller's transaction, by the very statements that
    count an import's rows; rows per table."""
    for table in AGGREGATE_TABLES:
        session.execute(delete(table))
    _count_rows(session, true())
    if session.connection().dialect.name == "postgresql":
        for table in AGGREGATE_TABLES:
            session.execute(text(f"ANALYZE {table.name}"))
    return {table.name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
            for table in AGGREGATE_TABLES}


def _month_of(session: Session, day_column):
    if session.connection().dialect.name == "postgresql":
        return cast(func.date_trunc("month", day_column), postgresql.DATE)
    return func.date(day_column, "start of month")
