"""Importing and exporting feedback: one file is one transaction; every row is stored, a duplicate,
a conflict or a kept reject; identity codes and contacts never reach a table (CONTRACTS.md).

An import has two steps, so the database's write lock is held only for the insert itself:
`prepare_import` reads the file in batches (parse and screen the rows, resolve units by code or
through the admins' unit mappings, look the keys up in one query per batch) in a read transaction,
and keeps the rows to insert, ready for the driver, in memory; `store_import` then inserts them,
the rejects and the run in one short write transaction. `import_file` does both and prepares again
if another import stored some of the same keys in between. Importing the same file again finds
every key and changes nothing.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import IO, Any

from sqlalchemy import Boolean, Date, DateTime, Engine, func, insert, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from auth.access import AccessDenied, Viewer, can
from auth.roles import Permission
from board.identity import screen
from board.likert import STATEMENT_KEYS
from board.periods import HELSINKI, Period
from board.replies import ReplyPolicy, reply_due
from data.audit import record
from data.db import session_scope
from data.feedback_files import (
    NATIVE_FIELDS,
    ImportLimits,
    ParsedRow,
    Problem,
    Profile,
    load_profile,
    map_columns,
    parse_row,
    read_table,
    reject_data,
    screen_raw,
)
from data.models import Feedback, ImportReject, ImportRun, Unit, UnitMapping
from data.organisation import unit_by_code
from data.editing import StaleEdit, UnknownItem, row_state
from data.inbox import reply_status
from data.units import UnknownUnit, find_unit

SYSTEM_ACTOR = "cli"
BATCH = 5_000
KEY_LOOKUP = 500
ANALYZE_FIRST = 10_000
SQLITE_CACHE_KIB = 65_536
PREVIEW_REJECTS = 200
REJECTS_PAGE = 100
UNMAPPED_SHOWN = 500
REIMPORT_FILE = "korjatut rivit"
# What makes two rows with the same key "the same feedback". Reply tracking (replied_at and what a
# supervisor did in Vartti) is not content: it changes after the import.
COMPARED = ("unit_id", "received_at", "service_date", "channel", "collection", "nps", *STATEMENT_KEYS,
            "open_answer", "free_text", "reply_requested", "service_code", "language")
STORED = (*COMPARED, "source", "source_id", "replied_at")
FEEDBACK_COLUMNS = (*STORED, "redacted", "version", "quote_picked_at", "replied_by", "no_reply_reason")
# A file is prepared again when another import stored some of its keys meanwhile; more than that is a fault.
STORE_ATTEMPTS = 3
EXPORT_COLUMNS = (*NATIVE_FIELDS, "status", "due_at")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REJECT_STATE = ("column", "reason", "data", "resolved_at")


class ImportRefused(ValueError):
    """An import action that can't be done: the message says why (unknown reject, bad mapping)."""


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


@dataclass(frozen=True)
class ImportRunRow:
    id: int
    started_at: datetime
    actor: str
    file_name: str
    profile: str
    read: int
    inserted: int
    duplicates: int
    conflicts: int
    rejected: int
    redacted: int
    open_rejects: int
    notes: tuple[str, ...]


@dataclass(frozen=True)
class MappingRow:
    id: int
    source: str
    source_name: str
    unit_code: str
    unit_name: str


# --- Access ------------------------------------------------------------------------------------

def _actor_label(actor: Viewer | None) -> str:
    return actor.label if actor else SYSTEM_ACTOR


def _require_import(session: Session, actor: Viewer | None) -> None:
    """Imports span the whole county (a file's rows may name any unit, or none known yet), so the
    import tools need the import permission on every root of the tree; the CLI (None) is the system."""
    if actor is None:
        return
    roots = session.exec(select(Unit.path).where(Unit.parent_id.is_(None), Unit.active)).all()
    if not roots or not all(can(actor, Permission.IMPORT_FEEDBACK, path) for path in roots):
        raise AccessDenied(Permission.IMPORT_FEEDBACK, "import")


def may_import(session: Session, *, viewer: Viewer) -> bool:
    """Whether the viewer may use the import tools (the page offers the tab only then)."""
    try:
        _require_import(session, viewer)
    except AccessDenied:
        return False
    return True


# --- The row pipeline --------------------------------------------------------------------------

@dataclass
class _Units:
    """Unit lookups for one import: active codes and the admins' mappings."""

    by_code: dict[str, int]
    mapped: dict[tuple[str, str], int]

    @classmethod
    def load(cls, session: Session) -> "_Units":
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


class _Pipeline:
    """Classifies rows batch by batch; with `writes`, also inserts each batch's new rows at once."""

    def __init__(self, session: Session, profile: Profile, *, writes: bool) -> None:
        self.session = session
        self.profile = profile
        self.writes = writes
        self.units = _Units.load(session)
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
            content = tuple(row.values[name] for name in COMPARED)
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
            _insert_feedback(self.session, _staged(connection.dialect, [_feedback_values(row) for row in new]))
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
            ids = sorted(ids)
            for start in range(0, len(ids), KEY_LOOKUP):
                chunk = ids[start:start + KEY_LOOKUP]
                for row in self.session.execute(select(*columns).where(
                        Feedback.source == source, Feedback.source_id.in_(chunk))):
                    found[(row[0], row[1])] = tuple(row[2:])
        return found


def _staged(dialect, rows: list[dict[str, Any]]) -> list[tuple]:
    """Feedback rows as tuples in FEEDBACK_COLUMNS order, for SQLite already in the form it stores,
    so that converting values is done before the write lock is taken, not while it is held."""
    if dialect.name != "sqlite":
        return [tuple(row[name] for name in FEEDBACK_COLUMNS) for row in rows]
    table = Feedback.__table__
    converters = [_sqlite_converter(table.c[name].type, dialect) for name in FEEDBACK_COLUMNS]
    return [tuple([value if value is None or convert is None else convert(value)
                   for value, convert in zip([row[name] for name in FEEDBACK_COLUMNS], converters)])
            for row in rows]


def _insert_feedback(session: Session, rows: list[tuple]) -> None:
    """Insert staged feedback rows in the session's transaction the fastest way each database has:
    COPY on PostgreSQL, the driver's executemany in chunks on SQLite."""
    if not rows:
        return
    connection = session.connection()
    table = Feedback.__table__
    names = ", ".join(FEEDBACK_COLUMNS)
    driver = connection.connection.driver_connection
    try:
        if connection.dialect.name == "postgresql":
            with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if connection.dialect.name == "sqlite":
            statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in FEEDBACK_COLUMNS)})"
            for start in range(0, len(rows), BATCH):
                driver.executemany(statement, rows[start:start + BATCH])
            return
    except connection.dialect.loaded_dbapi.IntegrityError as problem:
        # The driver's own error, raised as SQLAlchemy's, so callers catch one kind.
        raise IntegrityError(f"INSERT INTO {table.name}", None, problem) from problem
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), [dict(zip(FEEDBACK_COLUMNS, row)) for row in rows[start:start + BATCH]])


def _sqlite_converter(column_type, dialect):
    """What SQLAlchemy's SQLite types store, done directly: "YYYY-MM-DD HH:MM:SS.ffffff", "YYYY-MM-DD", 0/1."""
    if isinstance(column_type, DateTime):
        return lambda value: value.isoformat(" ", "microseconds")
    if isinstance(column_type, Date):
        return date.isoformat
    if isinstance(column_type, Boolean):
        return int
    return column_type.bind_processor(dialect)


def _feedback_values(row: ParsedRow) -> dict[str, Any]:
    values = {name: row.values[name] for name in STORED}
    values.update(redacted=row.redacted, version=1, quote_picked_at=None, replied_by=None,
                  no_reply_reason=None)
    return values


def _reject_values(row: ParsedRow) -> dict[str, Any]:
    """A reject ready to store, but for its run."""
    data = reject_data({k: v for k, v in row.raw.items() if k in NATIVE_FIELDS})
    return {"row_number": row.number, "column": row.problem.column, "reason": row.problem.reason, "data": data,
            "resolved_at": None, "resolved_by": None, "version": 1}


def _batches(rows: Iterable[ParsedRow], size: int | None = None) -> Iterator[list[ParsedRow]]:
    size = size or BATCH
    batch: list[ParsedRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _start_run(session: Session, actor: Viewer | None, file_name: str, profile: str, now: datetime,
               content_hash: str | None = None) -> ImportRun:
    # A file is often named after its customer ("asiakas_131052-308T.csv"): the name is kept masked.
    run = ImportRun(started_at=now, actor=_actor_label(actor), file_name=screen(file_name).text[:300] or "?",
                    profile=profile, content_hash=content_hash)
    session.add(run)
    session.flush()
    return run


def _finish_run(session: Session, run: ImportRun, summary: ImportSummary, actor: Viewer | None,
                now: datetime, action: str) -> None:
    for name, value in summary.as_json().items():
        setattr(run, name, value)
    run.notes = list(summary.notes) or None
    summary.run_id = run.id
    session.flush()
    record(session, actor=_actor_label(actor), action=action, entity="import_run", entity_id=str(run.id),
           now=now, after={"file": run.file_name, "profile": run.profile, **summary.as_json()})


@dataclass
class PreparedImport:
    """A file read, screened and classified, its rows ready to insert: what one short write transaction stores."""

    file_name: str
    profile: str
    dialect: str
    summary: ImportSummary
    rows: list[tuple] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)


def prepare_import(session: Session, *, actor: Viewer | None, content: bytes, file_name: str,
                   profile: str = "native", limits: ImportLimits | None = None) -> PreparedImport:
    """Read, screen and classify a feedback file without writing (a read transaction will do); FileUnusable when
    it can't be read or breaks a limit."""
    _require_import(session, actor)
    chosen = load_profile(profile)
    table = read_table(content, file_name, limits)
    columns = map_columns(chosen, table.header)
    pipeline = _Pipeline(session, chosen, writes=False)
    dialect = session.connection().dialect
    prepared = PreparedImport(file_name, chosen.name, dialect.name, pipeline.summary)
    parsed = (parse_row(chosen, number, columns.raw(cells, chosen.constants)) for number, cells in table.rows)
    for batch in _batches(parsed):
        outcomes, new = pipeline.feed(batch)
        prepared.rows.extend(_staged(dialect, [_feedback_values(row) for row in new]))
        problems = [row for row, outcome in outcomes if outcome in ("rejected", "conflict")]
        prepared.rejects.extend(_reject_values(row) for row in problems)
        room = PREVIEW_REJECTS - len(pipeline.summary.rejects)
        for row in problems[:max(room, 0)]:
            pipeline.summary.rejects.append(RejectRow(0, 0, row.number, row.problem.column, row.problem.reason,
                                                      reject_data(row.raw), 1, screen(file_name).text, chosen.name))
    return prepared


def store_import(session: Session, *, actor: Viewer | None, prepared: PreparedImport,
                 now: datetime, content_hash: str | None = None) -> ImportSummary:
    """Store a prepared file: its new rows, its rejects and the run, audited (IntegrityError when a key was stored meanwhile)."""
    _require_import(session, actor)
    if session.connection().dialect.name != prepared.dialect:
        raise ImportRefused("the file was prepared for another database")
    if prepared.dialect == "sqlite":
        # The default 2 MB page cache thrashes on the five feedback indexes of a big import;
        # this connection keeps 64 MB for as long as it lives (the pool reuses it).
        session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
    run = _start_run(session, actor, prepared.file_name, prepared.profile, now, content_hash)
    _insert_feedback(session, prepared.rows)
    for start in range(0, len(prepared.rejects), BATCH):
        session.execute(insert(ImportReject.__table__),
                        [{**reject, "run_id": run.id} for reject in prepared.rejects[start:start + BATCH]])
    _finish_run(session, run, prepared.summary, actor, now, "import.run")
    return prepared.summary


def import_feedback(session: Session, *, actor: Viewer | None, content: bytes, file_name: str,
                    profile: str = "native", dry_run: bool = False, now: datetime,
                    limits: ImportLimits | None = None) -> ImportSummary:
    """Import a feedback file in the caller's transaction (a dry run writes nothing); FileUnusable when
    it can't be read or breaks a limit (then the caller's rollback leaves nothing of it)."""
    prepared = prepare_import(session, actor=actor, content=content, file_name=file_name, profile=profile,
                              limits=limits)
    if dry_run:
        return prepared.summary
    return store_import(session, actor=actor, prepared=prepared, now=now)


def import_file(engine: Engine, *, actor: Viewer | None, content: bytes, file_name: str, profile: str = "native",
                now: datetime, limits: ImportLimits | None = None,
                prepare: Callable[[], PreparedImport] | None = None, content_hash: str | None = None) -> ImportSummary:
    """Import a file in two steps: prepare it in a read transaction (or with `prepare`), then store it in one short write."""
    for attempt in range(STORE_ATTEMPTS):
        if prepare is not None and attempt == 0:
            prepared = prepare()
        else:
            with session_scope(engine) as session:
                prepared = prepare_import(session, actor=actor, content=content, file_name=file_name,
                                          profile=profile, limits=limits)
        try:
            with session_scope(engine, write=True) as session:
                return store_import(session, actor=actor, prepared=prepared, now=now, content_hash=content_hash)
        except IntegrityError:
            # Another import stored some of these keys since they were looked up: prepare again,
            # and they are duplicates or conflicts now.
            if attempt + 1 == STORE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


# --- Rejects: listing, correcting, importing again ---------------------------------------------

def list_runs(session: Session, *, viewer: Viewer, limit: int = 50) -> list[ImportRunRow]:
    """The latest import runs, newest first, with their open rejects."""
    _require_import(session, viewer)
    open_rejects = (select(ImportReject.run_id, func.count().label("n")).where(ImportReject.resolved_at.is_(None))
                    .group_by(ImportReject.run_id).subquery())
    rows = session.exec(select(ImportRun, open_rejects.c.n).outerjoin(open_rejects, open_rejects.c.run_id == ImportRun.id)
                        .order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(limit)).all()
    return [ImportRunRow(r.id, r.started_at, r.actor, r.file_name, r.profile, r.read, r.inserted, r.duplicates,
                         r.conflicts, r.rejected, r.redacted, n or 0, tuple(r.notes or ())) for r, n in rows]


def _open_rejects(run_id: int | None):
    query = select(ImportReject.id).where(ImportReject.resolved_at.is_(None))
    return query.where(ImportReject.run_id == run_id) if run_id is not None else query


def count_rejects(session: Session, *, viewer: Viewer, run_id: int | None = None) -> int:
    """How many rejects are open (of one run, or of all)."""
    _require_import(session, viewer)
    return session.exec(select(func.count()).select_from(_open_rejects(run_id).subquery())).one()


def list_rejects(session: Session, *, viewer: Viewer, run_id: int | None = None,
                 limit: int = REJECTS_PAGE, offset: int = 0) -> list[RejectRow]:
    """One page of the open rejects (of one run, or of all), oldest run first, in row order."""
    _require_import(session, viewer)
    query = (select(ImportReject, ImportRun.file_name, ImportRun.profile)
             .join(ImportRun, ImportRun.id == ImportReject.run_id).where(ImportReject.resolved_at.is_(None)))
    if run_id is not None:
        query = query.where(ImportReject.run_id == run_id)
    rows = session.exec(query.order_by(ImportReject.run_id, ImportReject.row_number, ImportReject.id)
                        .offset(offset).limit(limit)).all()
    return [RejectRow(r.id, r.run_id, r.row_number, r.column, r.reason, dict(r.data), r.version, name, profile)
            for r, name, profile in rows]


def unmapped_unit_names(session: Session, *, viewer: Viewer, limit: int = UNMAPPED_SHOWN) -> list[tuple[str, str]]:
    """(source, unit name) pairs of open rejects whose unit was not found: what to map (the first `limit`)."""
    _require_import(session, viewer)
    # The database picks the distinct pairs out of the JSON; millions of rejects are never loaded.
    source = ImportReject.data["source"].as_string()
    name = ImportReject.data["unit_code"].as_string()
    rows = session.exec(select(source, name).where(ImportReject.resolved_at.is_(None),
                                                   ImportReject.reason == "import.reason.unknown_unit",
                                                   source != "", name != "")
                        .distinct().order_by(source, name).limit(limit)).all()
    return [(str(s), str(n)) for s, n in rows]


def correct_reject(session: Session, *, viewer: Viewer, reject_id: int, seen_version: int,
                   data: dict[str, str], now: datetime) -> ImportSummary:
    """Save an admin's correction of a rejected row (screened) and import it again at once."""
    _require_import(session, viewer)
    reject = session.exec(select(ImportReject).where(ImportReject.id == reject_id)
                          .execution_options(populate_existing=True)).first()
    if reject is None:
        raise UnknownItem("import_reject", reject_id)
    if reject.version != seen_version or reject.resolved_at is not None:
        raise StaleEdit([row_state(reject, "import_reject", REJECT_STATE)])
    wanted, _ = screen_raw({k: str(v or "") for k, v in data.items() if k in NATIVE_FIELDS})
    merged = {**reject.data, **wanted}
    changed = {k: (reject.data.get(k), v) for k, v in merged.items() if reject.data.get(k) != v}
    if changed:
        result = session.execute(update(ImportReject.__table__).where(
            ImportReject.id == reject_id, ImportReject.version == seen_version).values(
            data=merged, version=ImportReject.version + 1))
        if result.rowcount != 1:
            raise StaleEdit([row_state(reject, "import_reject", REJECT_STATE)])
        record(session, actor=viewer.label, action="import.reject.correct", entity="import_reject",
               entity_id=str(reject_id), now=now, before={k: b for k, (b, _) in changed.items()},
               after={k: a for k, (_, a) in changed.items()})
    return reimport_rejects(session, viewer=viewer, reject_ids=[reject_id], now=now)


def _reject_profiles(session: Session, reject_ids: list[int] | None) -> list[str]:
    query = (select(ImportRun.profile).join(ImportReject, ImportReject.run_id == ImportRun.id)
             .where(ImportReject.resolved_at.is_(None)))
    if reject_ids is not None:
        query = query.where(ImportReject.id.in_(reject_ids))
    return list(session.exec(query.distinct().order_by(ImportRun.profile)).all())


def _open_reject_batches(session: Session, profile: str, reject_ids: list[int] | None) -> Iterator[list]:
    """The open rejects of a profile's runs, a batch at a time in id order (memory stays bounded)."""
    last_id = 0
    while True:
        query = (select(ImportReject.id, ImportReject.row_number, ImportReject.data)
                 .join(ImportRun, ImportRun.id == ImportReject.run_id)
                 .where(ImportReject.resolved_at.is_(None), ImportRun.profile == profile, ImportReject.id > last_id))
        if reject_ids is not None:
            query = query.where(ImportReject.id.in_(reject_ids))
        batch = session.execute(query.order_by(ImportReject.id).limit(BATCH)).all()
        if not batch:
            return
        yield batch
        last_id = batch[-1].id


def _update_rejects(session: Session, changes: dict[tuple, list[int]]) -> None:
    """One UPDATE per kind of outcome and chunk of ids, not one per reject."""
    for values, ids in changes.items():
        for start in range(0, len(ids), KEY_LOOKUP):
            session.execute(update(ImportReject.__table__).where(ImportReject.id.in_(ids[start:start + KEY_LOOKUP]))
                            .values(**dict(values), version=ImportReject.version + 1))


def reimport_rejects(session: Session, *, viewer: Viewer | None, reject_ids: list[int] | None,
                     now: datetime) -> ImportSummary:
    """Import open rejects again (all, or these) in batches: stored rows and duplicates are resolved,
    the rest keep their new reason."""
    _require_import(session, viewer)
    total = ImportSummary(profile="")
    resolved = (("resolved_at", now), ("resolved_by", _actor_label(viewer)))
    for profile_name in _reject_profiles(session, reject_ids):
        profile = load_profile(profile_name)
        run = _start_run(session, viewer, REIMPORT_FILE, profile.name, now)
        pipeline = _Pipeline(session, profile, writes=True)
        for rejects in _open_reject_batches(session, profile_name, reject_ids):
            parsed = [parse_row(profile, r.row_number, {k: str(v or "") for k, v in r.data.items()})
                      for r in rejects]
            changes: dict[tuple, list[int]] = {}
            outcomes, _ = pipeline.feed(parsed)
            for (row, outcome), reject in zip(outcomes, rejects):
                if outcome in ("inserted", "duplicate"):
                    values = resolved
                else:
                    values = (("column", row.problem.column), ("reason", row.problem.reason))
                changes.setdefault(values, []).append(reject.id)
            _update_rejects(session, changes)
        pipeline.summary.notes = ()
        _finish_run(session, run, pipeline.summary, viewer, now, "import.reimport")
        for name in ("read", "inserted", "duplicates", "conflicts", "rejected", "redacted"):
            setattr(total, name, getattr(total, name) + getattr(pipeline.summary, name))
        total.run_id = run.id
    return total


# --- Unit mappings -----------------------------------------------------------------------------

def map_unit(session: Session, *, viewer: Viewer | None, source: str, source_name: str, unit_code: str,
             now: datetime) -> UnitMapping:
    """Remember that a source system's unit name means this unit (changing an earlier answer is audited)."""
    _require_import(session, viewer)
    source, source_name = source.strip(), source_name.strip()
    if not source or not source_name or len(source) > 40 or len(source_name) > 200:
        raise ImportRefused("the source and the unit name must be 1–40 and 1–200 characters")
    if screen(source_name).redacted:
        raise ImportRefused("a unit name cannot hold an identity code or a contact")
    unit = find_unit(session, unit_code)
    mapping = session.exec(select(UnitMapping).where(UnitMapping.source == source,
                                                     UnitMapping.source_name == source_name)).first()
    before = None
    if mapping is None:
        mapping = UnitMapping(source=source, source_name=source_name, unit_id=unit.id, created_at=now,
                              created_by=_actor_label(viewer))
        session.add(mapping)
    elif mapping.unit_id == unit.id:
        return mapping
    else:
        before = {"unit_id": mapping.unit_id}
        mapping.unit_id, mapping.created_at, mapping.created_by = unit.id, now, _actor_label(viewer)
    session.flush()
    record(session, actor=_actor_label(viewer), action="import.map_unit", entity="unit_mapping",
           entity_id=str(mapping.id), unit_id=unit.id, now=now, before=before,
           after={"source": source, "source_name": source_name, "unit": unit.code})
    return mapping


def list_unit_mappings(session: Session, *, viewer: Viewer) -> list[MappingRow]:
    """The remembered unit mappings."""
    _require_import(session, viewer)
    rows = session.exec(select(UnitMapping, Unit).join(Unit, Unit.id == UnitMapping.unit_id)
                        .order_by(UnitMapping.source, UnitMapping.source_name)).all()
    return [MappingRow(m.id, m.source, m.source_name, u.code, u.name_fi) for m, u in rows]


# --- Export ------------------------------------------------------------------------------------

def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _local_iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=timezone.utc).astimezone(HELSINKI).isoformat(timespec="seconds")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def export_feedback(session: Session, *, viewer: Viewer | None, unit_code: str, period: Period | None,
                    policy: ReplyPolicy, out: IO[str]) -> int:
    """Write the subtree's feedback as native CSV plus status and due_at; returns the row count."""
    unit = unit_by_code(session, unit_code.strip())
    if unit is None or not unit.active:
        raise UnknownUnit(unit_code)
    if viewer is not None and not can(viewer, Permission.VIEW_FEEDBACK, unit.path):
        raise AccessDenied(Permission.VIEW_FEEDBACK, unit.code)
    query = (select(Feedback, Unit.code).join(Unit, Unit.id == Feedback.unit_id)
             .where(Unit.path.startswith(unit.path)))
    if period is not None:
        start, end = period.utc_bounds()
        query = query.where(Feedback.received_at >= start, Feedback.received_at < end)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for feedback, code in session.exec(query.order_by(Feedback.received_at, Feedback.id)
                                       .execution_options(yield_per=2_000)):
        row = {name: getattr(feedback, name, None) for name in NATIVE_FIELDS if name != "unit_code"}
        row["unit_code"] = code
        # Keys too: a row stored before keys were screened leaves with its code or contact masked.
        for name in ("source_id", "service_code", "open_answer", "free_text"):
            row[name] = screen(row[name]).text if row[name] else row[name]
        row["received_at"] = _local_iso(feedback.received_at)
        row["replied_at"] = _local_iso(feedback.replied_at)
        row["status"] = reply_status(reply_requested=feedback.reply_requested, replied_at=feedback.replied_at,
                                     no_reply_reason=feedback.no_reply_reason).value
        row["due_at"] = _local_iso(reply_due(feedback.received_at, policy)) if feedback.reply_requested else ""
        writer.writerow([neutralise(_plain(row[name])) for name in EXPORT_COLUMNS])
        count += 1
    return count
