"""The wall screen's figures shared by every screen of a unit: computed once per unit subtree, data revision
and minute, in this process, for all sessions. Access is still checked for each viewer on each refresh,
before anything cached is handed out; the cache is keyed by the unit and never by the viewer, because
the board's figures depend only on the unit (its subtree), the clock and the settings.

The data revision is scoped to the unit: the newest audit row of a unit in its subtree or above it (every
change of state writes an audit row with the unit it touched, data/audit.py), the newest audit row with no
unit that may change any board (models.BOARD_WIDE_AUDIT: all but sign-ins, sessions and preferences), and
the newest feedback row anywhere (a row inserted without an audit row — an import's, a seed's — still moves
it). So a reply marked in another service area leaves this board shared, while a file imported anywhere
costs one recomputation per board. The unit and its revision are read in one statement, and shared by the screens
that refresh within REVISION_SECONDS of it as long as this process has written nothing meanwhile (data/db.py's
write generation): a write made here is seen at the very next refresh, another process's (an import from the
command line) at most REVISION_SECONDS later. A board asked for by a transaction that has changed data and not yet
committed is computed for it alone: what it sees may roll back, and SQLite would give the next row the same id.
"""
from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from auth.access import Viewer, require
from auth.roles import Permission
from data.board_figures import BoardSignals, board_signals
from data.db import changed_data, write_generation
from data.huddle_board import HuddleBoard, huddle_board
from data.models import BOARD_WIDE_AUDIT, AuditEvent, Feedback, Unit
from data.settings import Settings
from data.units import UnknownUnit

MAX_ENTRIES = 512
REVISION_SECONDS = 2.0


@dataclass(frozen=True)
class BoardKey:
    """What the cached figures of a board depend on: the unit subtree, the data, the minute and the settings."""

    unit_id: int
    unit_path: str
    revision: tuple[int, int, int]
    minute: datetime
    settings: tuple
    language: str   # theme titles and action texts come in the board's language (or Finnish, marked)


@dataclass(frozen=True)
class CachedBoard:
    """A unit's board and signals as computed for `key`; shared by every screen of the unit (read only)."""

    key: BoardKey
    board: HuddleBoard
    signals: BoardSignals


@dataclass(frozen=True)
class BoardUnit:
    """What a refresh needs of the board's unit before anything cached is handed out (no session attached)."""

    id: int
    code: str
    path: str
    active: bool


@dataclass(frozen=True)
class _ReadRevision:
    generation: int
    read_at: float
    unit: BoardUnit | None
    revision: tuple[int, int, int]


class _Store:
    """One database's cached boards, the least recently used dropped first; one computation per key at a time."""

    def __init__(self) -> None:
        self.entries: OrderedDict[BoardKey, CachedBoard] = OrderedDict()
        self.revisions: dict[str, _ReadRevision] = {}
        self.lock = threading.Lock()
        self.computing: dict[BoardKey, threading.Lock] = {}
        self.computed = 0


_STORES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def _store(session: Session) -> _Store:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    with _STORES_LOCK:
        store = _STORES.get(engine)
        if store is None:
            store = _STORES[engine] = _Store()
        return store


# Built once: made anew on each refresh, the statement cost more in SQLAlchemy than in the database.
_BOARD_UNIT = aliased(Unit, name="board_unit")
_NEWEST_OF_UNIT = (select(func.max(AuditEvent.id)).where(AuditEvent.unit_id == Unit.id)  # one backward probe each
                   .correlate(Unit).scalar_subquery())
# A path is ids and slashes only (organisation.py makes it), so LIKE needs no escaping: the units below the
# board's unit (and itself), and the units above it.
_SCOPED = (select(func.max(_NEWEST_OF_UNIT))
           .where(or_(Unit.path.like(_BOARD_UNIT.path + "%"), _BOARD_UNIT.path.like(Unit.path + "%")))
           .correlate(_BOARD_UNIT).scalar_subquery())
_UNIT_AND_REVISION = (select(_BOARD_UNIT, _SCOPED,
                             select(func.max(AuditEvent.id)).where(text(BOARD_WIDE_AUDIT)).scalar_subquery(),
                             select(func.max(Feedback.id)).scalar_subquery())
                      .where(_BOARD_UNIT.code == bindparam("code")))


def _unit_and_revision(session: Session, code: str) -> tuple[Unit | None, tuple[int, int, int]]:
    found = session.execute(_UNIT_AND_REVISION, {"code": code.strip()}).first()
    if found is None:
        return None, (0, 0, 0)
    unit, scoped, wide, feedback = found
    # Kept apart: a newer scoped row below an older board-wide one must still move the revision.
    return unit, (int(scoped or 0), int(wide or 0), int(feedback or 0))


def _recent_unit_and_revision(store: _Store, session: Session, code: str) -> tuple[BoardUnit | None,
                                                                               tuple[int, int, int]]:
    """The unit and its revision as read for another screen moments ago, unless this process wrote since."""
    code = code.strip()
    if session.in_transaction() and session.connection().info.get("wrote"):
        # A transaction that has written reads through its own changes: no other screen's read is its, nor its theirs.
        unit, revision = _unit_and_revision(session, code)
        return _board_unit(unit), revision
    generation, now = write_generation(), time.monotonic()  # taken before the read: a write after it voids the read
    with store.lock:
        found = store.revisions.get(code)
    if found is not None and found.generation == generation and now - found.read_at < REVISION_SECONDS:
        return found.unit, found.revision
    unit, revision = _unit_and_revision(session, code)
    board_unit = _board_unit(unit)
    with store.lock:
        if len(store.revisions) >= MAX_ENTRIES:
            store.revisions.clear()
        store.revisions[code] = _ReadRevision(generation, now, board_unit, revision)
    return board_unit, revision


def _board_unit(unit: Unit | None) -> BoardUnit | None:
    return None if unit is None else BoardUnit(unit.id, unit.code, unit.path, unit.active)


def data_revision(session: Session, unit: Unit) -> tuple[int, int, int]:
    """The unit's data revision: the newest audit row of its subtree, its ancestors and the board-wide rows,
    and the newest feedback row — one statement of index probes."""
    return _unit_and_revision(session, unit.code)[1]


def _settings_key(settings: Settings) -> tuple:
    return settings.min_n, settings.reply_days, settings.stale_days


def cached_board(session: Session, *, viewer: Viewer, unit_code: str, now: datetime,
                 settings: Settings, language: str = "fi") -> CachedBoard:
    """The board of a unit the viewer may see (checked now, for this viewer), computed once per unit, data
    revision and minute however many screens show it."""
    # The unit and its revision in one round trip (or none); then unit_for's rules, before anything cached is handed out.
    store = _store(session)
    unit, revision = _recent_unit_and_revision(store, session, unit_code)
    if unit is None or not unit.active:
        raise UnknownUnit(unit_code)
    require(viewer, Permission.VIEW_HUDDLE, unit.path, target=unit.code)
    key = BoardKey(unit.id, unit.path, revision, now.replace(second=0, microsecond=0),
                   _settings_key(settings), language)
    if changed_data(session):
        # Its figures hold rows that may yet roll back, and SQLite hands their ids out again: never shared.
        return _computed(session, key, viewer, unit_code, settings, language)
    with store.lock:
        found = store.entries.get(key)
        if found is not None:
            store.entries.move_to_end(key)
            return found
        computing = store.computing.setdefault(key, threading.Lock())
    with computing:  # the screens that refresh together wait for the first one's computation
        with store.lock:
            found = store.entries.get(key)
        if found is not None:
            return found
        cached = _computed(session, key, viewer, unit_code, settings, language)
        with store.lock:
            store.entries[key] = cached
            store.computed += 1
            store.computing.pop(key, None)
            # An older revision or minute of the same unit is never asked for again (in any language).
            for old in [k for k in store.entries
                        if k.unit_id == key.unit_id and (k.revision, k.minute) != (key.revision, key.minute)]:
                del store.entries[old]
            while len(store.entries) > MAX_ENTRIES:
                store.entries.popitem(last=False)
        return cached


def _computed(session: Session, key: BoardKey, viewer: Viewer, unit_code: str, settings: Settings,
              language: str) -> CachedBoard:
    board = huddle_board(session, viewer=viewer, unit_code=unit_code, now=key.minute, settings=settings,
                         language=language)
    signals = board_signals(session, viewer=viewer, unit_code=unit_code, now=key.minute, settings=settings,
                            language=language)
    return CachedBoard(key, board, signals)


def computations(session: Session) -> int:
    """How many boards this process has computed for the session's database (for tests and benchmarks)."""
    return _store(session).computed


def forget_boards() -> None:
    """Drop every cached board (tests; a settings change)."""
    with _STORES_LOCK:
        _STORES.clear()
