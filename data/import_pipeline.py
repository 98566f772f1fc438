"""The row pipeline of an import: classify parsed rows batch by batch (unit resolved by code or through the
admins' unit mappings, keys looked up in one query per batch) and insert the new ones the fastest way each
database has. `data.imports` (a file) and `data.rejects` (kept rejects imported again) both feed it.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    String,
    any_,
    bindparam,
    func,
    insert,
    literal_column,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from board.likert import STATEMENT_KEYS
from data.aggregates import count_inserted
from data.feedback_files import NATIVE_FIELDS, ParsedRow, Problem, Profile, reject_data
from data.models import Feedback, Unit, UnitMapping

BATCH = 5_000
KEY_LOOKUP = 500  # ids a statement when updating kept rejects
ANALYZE_FIRST = 10_000
# What makes two rows with the same key "the same feedback". Reply tracking (replied_at and what a
# supervisor did in Vartti) is not content: it changes after the import.
COMPARED = ("unit_id", "received_at", "service_date", "channel", "collection", "nps", *STATEMENT_KEYS,
            "open_answer", "free_text", "reply_requested", "service_code", "language")
STORED = (*COMPARED, "source", "source_id", "replied_at")
FEEDBACK_COLUMNS = (*STORED, "redacted", "version", "quote_picked_at", "replied_by", "no_reply_reason")
_CONTENT = itemgetter(*COMPARED)
_STORED = itemgetter(*STORED)


@dataclass(frozen=True)
class RejectRow:
    """A kept reject as the admin page shows it."""

    id: int
    run_id: int
    row_number: int
    column: str
    reason: str
    data: dict[str, str]
    version: int
    file_name: str
    profile: str


@dataclass
class ImportSummary:
    """The counts of one import; `read` = inserted + duplicates + conflicts + rejected."""

    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    redacted: int = 0
    run_id: int | None = None
    profile: str = "native"
    notes: tuple[str, ...] = ()
    rejects: list[RejectRow] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        """The one-line summary of CONTRACTS.md, exactly these keys."""
        return {"read": self.read, "inserted": self.inserted, "duplicates": self.duplicates,
                "conflicts": self.conflicts, "rejected": self.rejected, "redacted": self.redacted}

    @property
    def all_taken(self) -> bool:
        """Every row was inserted or already there (exit 0); else some were rejected or in conflict (exit 3)."""
        return self.rejected == 0 and self.conflicts == 0


@dataclass
class Units:
    """Unit lookups for one import: active codes and the admins' mappings."""

    by_code: dict[str, int]
    mapped: dict[tuple[str, str], int]

    @classmethod
    def load(cls, session: Session) -> "Units":
        by_code = dict(session.exec(select(Unit.code, Unit.id).where(Unit.active)).all())
        active = set(by_code.values())
        mapped = {(s, n.lower()): u for s, n, u in
                  session.exec(select(UnitMapping.source, UnitMapping.source_name, UnitMapping.unit_id)).all()
                  if u in active}
        return cls(by_code, mapped)

    def resolve(self, profile: Profile, source: str, name: str) -> int | None:
        mapped = self.mapped.get((source, name.lower()))
        if mapped is not None:
            return mapped
        return self.by_code.get(name) if profile.unit_by == "code" or name in self.by_code else None


class Pipeline:
    """Classifies rows batch by batch; with `writes`, also inserts each batch's new rows at once."""

    def __init__(self, session: Session, profile: Profile, *, writes: bool) -> None:
        self.session = session
        self.profile = profile
        self.writes = writes
        self.units = Units.load(session)
        self.seen: dict[str, int] = {}
        self.summary = ImportSummary(profile=profile.name, notes=profile.notes)
        # PostgreSQL plans the key lookups from the table's statistics. When rows are inserted as the
        # batches go, the table grows inside this transaction, unseen by them, and a lookup planned for
        # "a few rows of this source" would read every row of the source for each batch. ANALYZE counts
        # the transaction's own rows, so it runs at the start and whenever the inserted rows double.
        dialect = session.connection().dialect.name
        self.analyze = dialect == "postgresql" and writes
        self.next_analyze = ANALYZE_FIRST
        if self.analyze:
            session.execute(text("ANALYZE feedback"))

    def feed(self, rows: list[ParsedRow]) -> tuple[list[tuple[ParsedRow, str]], list[ParsedRow]]:
        """Classify one batch: each row with its outcome, in the order of `rows`, and the rows to insert."""
        outcome_of: dict[int, str] = {}
        candidates: list[ParsedRow] = []
        for row in rows:
            self.summary.read += 1
            if row.redacted:
                self.summary.redacted += 1
            if row.problem is None:
                unit_id = self.units.resolve(self.profile, row.values["source"], row.values["unit_code"])
                if unit_id is None:
                    row.problem = Problem("unit_code", "import.reason.unknown_unit")
                else:
                    row.values["unit_id"] = unit_id
            if row.problem is not None:
                outcome_of[id(row)] = "rejected"
                continue
            candidates.append(row)
        existing = self._existing([(r.values["source"], r.values["source_id"]) for r in candidates])
        new: list[ParsedRow] = []
        for row in candidates:
            key = (row.values["source"], row.values["source_id"])
            content = _CONTENT(row.values)
            # Rows seen earlier in this file are remembered by a hash of their content, not the content.
            seen_key = f"{key[0]}\x1f{key[1]}"
            if key in existing:
                same = existing[key] == content
            elif seen_key in self.seen:
                same = self.seen[seen_key] == hash(content)
            else:
                self.seen[seen_key] = hash(content)
                new.append(row)
                outcome_of[id(row)] = "inserted"
                continue
            if same:
                outcome_of[id(row)] = "duplicate"
            else:
                row.problem = Problem("source_id", "import.reason.conflict")
                outcome_of[id(row)] = "conflict"
        outcomes = [(row, outcome_of[id(row)]) for row in rows]
        for _, outcome in outcomes:
            if outcome == "inserted":
                self.summary.inserted += 1
            elif outcome == "duplicate":
                self.summary.duplicates += 1
            elif outcome == "conflict":
                self.summary.conflicts += 1
            else:
                self.summary.rejected += 1
        if new and self.writes:
            connection = self.session.connection()
            insert_feedback(self.session, staged_rows(connection.dialect, new))
            if self.analyze and self.summary.inserted >= self.next_analyze:
                self.session.execute(text("ANALYZE feedback"))
                self.next_analyze = 2 * self.summary.inserted
        return outcomes, new

    def _existing(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
        by_source: dict[str, set[str]] = {}
        for source, source_id in keys:
            if f"{source}\x1f{source_id}" not in self.seen:
                by_source.setdefault(source, set()).add(source_id)
        found: dict[tuple[str, str], tuple] = {}
        columns = [getattr(Feedback, name) for name in ("source", "source_id", *COMPARED)]
        for source, ids in by_source.items():
            for row in self.session.execute(select(*columns).where(
                    Feedback.source == source, _one_of(self.session, Feedback.source_id, sorted(ids)))):
                found[(row[0], row[1])] = tuple(row[2:])
        return found


def _one_of(session: Session, column, values: list[str]):
    """`column IN values` as one bound parameter, not one a value: a PostgreSQL array (`= ANY`, hashed even when
    the plan scans), a JSON array on SQLite (`json_each`); SQLAlchemy's expanded IN compiled 500 parameters a query."""
    if session.connection().dialect.name == "postgresql":
        return column == any_(bindparam("keys", values, type_=postgresql.ARRAY(String)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(values))))


def staged_rows(dialect, rows: list[ParsedRow]) -> list[tuple]:
    """New parsed rows as `staged` gives them (`feedback_values` of each), built column by column in one go."""
    if not rows:
        return []
    table = Feedback.__table__
    tail = (False, 1, None, None, None)  # redacted (set below), version, quote_picked_at, replied_by, no_reply_reason
    out = [(*_STORED(row.values), row.redacted, *tail[1:]) for row in rows]
    if dialect.name != "sqlite":
        return out
    # Only the columns whose stored form differs (times, dates, booleans) are converted.
    converting = [(i, convert) for i, convert in
                  ((i, sqlite_converter(table.c[name].type, dialect)) for i, name in enumerate(FEEDBACK_COLUMNS))
                  if convert is not None]
    staged_out = []
    for row in out:
        values = list(row)
        for i, convert in converting:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        staged_out.append(tuple(values))
    return staged_out


def insert_feedback(session: Session, rows: list[tuple]) -> None:
    """Insert staged feedback rows in the session's transaction the fastest way each database has (COPY on
    PostgreSQL, the driver's executemany on SQLite); the aggregates count them in SQL in the same transaction."""
    if not rows:
        return
    count_inserted(session, write_new_rows(session, rows))


def write_new_rows(session: Session, rows: list[tuple]) -> list[tuple[int, int]]:
    """Write staged rows and say which ids they got, as inclusive runs (for `count_inserted`). On SQLite the write lock (BEGIN IMMEDIATE, or
    a deferred transaction that fails rather than write on a stale snapshot) keeps every other writer out, so the
    new rows are exactly the ids above the maximum before. On PostgreSQL other transactions insert at the same time
    and may commit ids above it before the aggregates are counted, so the ids are taken from the sequence first
    (nextval's values are never handed to anyone else) and written with the rows; `xmin` would also miss rows
    written in a savepoint and count rows an earlier batch of the same transaction wrote."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        before = session.execute(text("SELECT coalesce(max(id), 0) FROM feedback")).scalar_one()
        write_feedback_rows(session, rows)
        return [(before + 1, session.execute(text("SELECT max(id) FROM feedback")).scalar_one())]
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('feedback', 'id')) FROM generate_series(1, %s)",
                       (len(rows),))
        ids = [row[0] for row in cursor.fetchall()]
    write_feedback_rows(session, [(id_, *row) for id_, row in zip(ids, rows)], ("id", *FEEDBACK_COLUMNS))
    return _runs(sorted(ids))


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as inclusive runs of consecutive ones (one run unless other imports took ids meanwhile)."""
    return joined_runs([(id_, id_) for id_ in ids])


def joined_runs(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inclusive id runs in order, each joined to the one before when they meet (a file's parts written one by one)."""
    joined: list[tuple[int, int]] = []
    for first, last in runs:
        if joined and joined[-1][1] == first - 1:
            joined[-1] = (joined[-1][0], last)
        else:
            joined.append((first, last))
    return joined


def write_feedback_rows(session: Session, rows: list[tuple], columns: tuple[str, ...] = FEEDBACK_COLUMNS) -> None:
    """Staged rows into `feedback` as they are and nothing else (the raw insert): the caller keeps the aggregates,
    an import by counting them, a bulk load by rebuilding them afterwards."""
    if not rows:
        return
    connection = session.connection()
    table = Feedback.__table__
    names = ", ".join(columns)
    driver = connection.connection.driver_connection
    try:
        if connection.dialect.name == "postgresql":
            with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if connection.dialect.name == "sqlite":
            statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in columns)})"
            for start in range(0, len(rows), BATCH):
                driver.executemany(statement, rows[start:start + BATCH])
            return
    except connection.dialect.loaded_dbapi.IntegrityError as problem:
        # The driver's own error, raised as SQLAlchemy's, so callers catch one kind.
        raise IntegrityError(f"INSERT INTO {table.name}", None, problem) from problem
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), [dict(zip(columns, row)) for row in rows[start:start + BATCH]])


def sqlite_converter(column_type, dialect):
    """What SQLAlchemy's SQLite types store, done directly: "YYYY-MM-DD HH:MM:SS.ffffff", "YYYY-MM-DD", 0/1."""
    if isinstance(column_type, DateTime):
        return lambda value: value.isoformat(" ", "microseconds")
    if isinstance(column_type, Date):
        return date.isoformat
    if isinstance(column_type, Boolean):
        return int
    return column_type.bind_processor(dialect)


def feedback_values(row: ParsedRow) -> dict[str, Any]:
    """A new feedback row as stored: its parsed values, version 1, nothing done to it yet."""
    values = {name: row.values[name] for name in STORED}
    values.update(redacted=row.redacted, version=1, quote_picked_at=None, replied_by=None,
                  no_reply_reason=None)
    return values


def reject_values(row: ParsedRow) -> dict[str, Any]:
    """A reject ready to store, but for its run."""
    data = reject_data({k: v for k, v in row.raw.items() if k in NATIVE_FIELDS})
    return {"row_number": row.number, "column": row.problem.column, "reason": row.problem.reason, "data": data,
            "resolved_at": None, "resolved_by": None, "version": 1}


def batches(rows: Iterable[ParsedRow], size: int | None = None) -> Iterator[list[ParsedRow]]:
    """The rows in lists of `size` (BATCH), so a file of any length is held a batch at a time."""
    size = size or BATCH
    batch: list[ParsedRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
