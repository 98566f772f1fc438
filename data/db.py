"""Engine and sessions: SQLite tuned for a small app (WAL, busy timeout, FKs), PostgreSQL as is."""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

WRITE_OPTION = "vartti_write"
# How long a write waits for another writer's lock before it gives up with "busy": a page says
# "try again" after this, never later (imports hold the lock only for their final insert).
LOCK_WAIT_SECONDS = 10
# PostgreSQL: lock_not_available (lock_timeout), serialization_failure, deadlock_detected.
BUSY_STATES = {"55P03", "40001", "40P01"}
# Statements that change nothing; anything else marks its connection as having written.
_READS = re.compile(r"\s*(SELECT|PRAGMA|SHOW|EXPLAIN|SET|BEGIN|SAVEPOINT|RELEASE|ROLLBACK|COMMIT)\b", re.IGNORECASE)
_WRITES = itertools.count(1)
_generation = 0


def make_engine(url: str) -> Engine:
    """Create the engine for a SQLAlchemy URL; a SQLite file's folder is created on demand."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        _tune_postgres(engine)
        _watch_writes(engine)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": LOCK_WAIT_SECONDS})
    _tune_sqlite(engine)
    _watch_writes(engine)
    return engine


def write_generation() -> int:
    """A number that changes whenever this process writes to any database: when it is as before, nothing this
    process wrote has become visible meanwhile (another process's writes it can't see)."""
    return _generation


def _bump() -> None:
    global _generation
    _generation = next(_WRITES)


def changed_data(session: Session) -> bool:
    """Whether the session's open transaction has changed data, run or still pending in the session (its next query
    flushes them): what it reads may yet roll back."""
    if session.new or session.dirty or session.deleted:
        return True
    return session.in_transaction() and bool(session.connection().info.get("changed"))


def _watch_writes(engine: Engine) -> None:
    # Bumped when a write runs (its own transaction sees it at once) and again when its connection goes back to the
    # pool, after the commit or rollback: a reader that read the number before that may hold the old data.
    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.info["wrote"] = True
            _bump()

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, _parameters, _context, _many) -> None:
        if not _READS.match(statement):
            connection.info["wrote"] = connection.info["changed"] = True
            _bump()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:
        if record is not None:
            record.info.pop("changed", None)
            if record.info.pop("wrote", False):
                _bump()


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A writer takes the write lock up front, so two writers queue instead of deadlocking.
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def _tune_postgres(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # A row lock held by another transaction is waited for this long, then "busy", not forever.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{LOCK_WAIT_SECONDS}s'")
        dbapi_connection.commit()


def is_busy(problem: BaseException) -> bool:
    """Whether a database error means "another writer holds the lock now, try again later"."""
    if not isinstance(problem, OperationalError):
        return False
    if getattr(problem.orig, "sqlstate", None) in BUSY_STATES:
        return True
    message = str(problem.orig).lower()
    return "database is locked" in message or "database is busy" in message


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error, always close."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
