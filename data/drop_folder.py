"""The drop folder: feedback files that land in a folder are imported by themselves (`python -m data import-dir`).

Each file is taken under a lock on the folder (fcntl.flock on DIR/.vartti-import-dir.lock, so two watchers
on one machine never take the same file), read, and imported with the rules of `import`
(`data.imports.import_file`). The file's SHA-256 is stored on the import run in the same transaction as
its rows, so a watcher killed after the commit but before the move finds the content known on restart and
only moves the file. A kill at any other moment leaves the file untouched in the folder and nothing of it
in the database. Then the file is moved to done/, partial/ or unreadable/.

The watcher that runs this (`python -m data import-dir`) is data/drop_watcher.py.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from auth.access import AccessDenied, Viewer
from auth.roles import Permission
from board.drop_folder import (
    OUTCOME_FOLDERS,
    PARTIAL,
    UNREADABLE,
    Seen,
    free_name,
    outcome_folder,
    ready_files,
    unchanged,
)
from board.identity import screen
from board.periods import as_utc_naive
from data.audit import record
from data.db import session_scope
from data.file_reading import FileUnusable, ImportLimits, check_file_size
from data.import_pipeline import ImportSummary
from data.import_worker import PrepareFailed, import_file
from data.imports import may_import
from data.models import AuditEvent, ImportRun

LOCK_NAME = ".vartti-import-dir.lock"
ACTOR = "drop-folder"
NOTICE_ACTION = "drop_folder.problem"
NOTICE_ENTITY = "drop_folder"
# What the admin page lists of partial/ and unreadable/: a folder may hold thousands of old files.
WAITING_SHOWN = 100
WAITING_SCANNED = 5_000

# Problems, as text keys the admin page translates (admin.drop.problem.<key>) and the CLI words.
MISSING, NOT_WRITABLE, VANISHED, VANISHED_AFTER, CANNOT_MOVE = (
    "missing", "not_writable", "vanished", "vanished_after", "cannot_move")
# Why a file was set aside unread (the watcher could not read it), as FileUnusable's reason.
CANNOT_READ = "drop.cannot_read"
# Or its preparing process died (out of memory, killed): kept aside rather than retried at every look.
PREPARE_FAILED = "drop.prepare_failed"


class FolderUnusable(OSError):
    """The drop folder is missing, not a folder, or not writable: no file can be taken from it."""

    def __init__(self, reason: str, folder: Path) -> None:
        super().__init__(f"{reason}: {folder}")
        self.reason = reason
        self.folder = folder


@dataclass
class Taken:
    """One file taken from the folder: its import summary, its (screened) name, where it went and any problem."""

    file: str
    summary: ImportSummary
    moved_to: str | None
    problem: str | None = None
    unusable: FileUnusable | None = None
    known: bool = False

    def as_json(self) -> dict:
        """The `import` summary plus "file" and "moved_to" (CONTRACTS.md, import-dir)."""
        return {**self.summary.as_json(), "file": self.file, "moved_to": self.moved_to}


@dataclass(frozen=True)
class WaitingFile:
    folder: str
    name: str
    modified: datetime


@dataclass(frozen=True)
class LastRun:
    started_at: datetime
    file_name: str
    read: int
    inserted: int
    duplicates: int
    conflicts: int
    rejected: int


@dataclass(frozen=True)
class Notice:
    at: datetime
    problem: str
    file: str


@dataclass(frozen=True)
class DropFolderView:
    """What /admin shows of the drop folder: its state now, the last file taken, files waiting for a person."""

    folder: str
    problem: str | None
    last_run: LastRun | None
    last_notice: Notice | None
    waiting: list[WaitingFile]
    incoming: int


# --- The folder ----------------------------------------------------------------------------------

def check_folder(folder: Path) -> None:
    """A drop folder must be a writable folder (every file is moved out of it); done/, partial/ and
    unreadable/ are made in it when missing."""
    if not folder.is_dir():
        raise FolderUnusable(MISSING, folder)
    try:
        for name in OUTCOME_FOLDERS:
            (folder / name).mkdir(exist_ok=True)
    except OSError:
        raise FolderUnusable(NOT_WRITABLE, folder) from None
    for place in (folder, *(folder / name for name in OUTCOME_FOLDERS)):
        if not os.access(place, os.W_OK | os.X_OK):
            raise FolderUnusable(NOT_WRITABLE, folder)


def _seen(path: Path) -> Seen:
    status = path.stat(follow_symlinks=False)
    return Seen(path.name, status.st_size, status.st_mtime)


def files_in(folder: Path, limit: int | None = None) -> list[Seen]:
    """The regular files directly in a folder. A symbolic link is never followed: a drop folder's writer
    must not make the watcher read a file elsewhere on the server."""
    with os.scandir(folder) as entries:
        files = (entry for entry in entries if entry.is_file(follow_symlinks=False))
        return [Seen(e.name, e.stat(follow_symlinks=False).st_size, e.stat(follow_symlinks=False).st_mtime)
                for e in islice(files, limit)]


@contextmanager
def folder_lock(folder: Path) -> Iterator[bool]:
    """Hold the folder's lock while one file is taken; False when another watcher holds it now.
    The kernel lets go of a flock when its holder dies, even by kill -9."""
    handle = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


class _NamesIn:
    """The names in a folder, asked one at a time (done/ may hold years of files; it is never listed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __contains__(self, name: str) -> bool:
        return os.path.lexists(self.folder / name)


def _move(folder: Path, name: str, to: str) -> str:
    """Move a file into one of the outcome folders (os.replace: atomic on one file system); a name
    already there gets a number (the folder's lock keeps another watcher from taking it meanwhile)."""
    target = folder / to
    os.replace(folder / name, target / free_name(name, _NamesIn(target)))
    return to


# --- Taking one file -----------------------------------------------------------------------------

def _known_run(engine: Engine, digest: str) -> ImportRun | None:
    with session_scope(engine) as session:
        return session.exec(select(ImportRun).where(ImportRun.content_hash == digest)
                            .order_by(ImportRun.id).limit(1)).first()


def _as_again(run: ImportRun) -> ImportSummary:
    """A known file's summary as importing it again would give it: what was inserted is now a duplicate."""
    return ImportSummary(read=run.read, inserted=0, duplicates=run.inserted + run.duplicates,
                         conflicts=run.conflicts, rejected=run.rejected, redacted=run.redacted,
                         run_id=run.id, profile=run.profile)


def _finish(folder: Path, name: str, to: str, taken: Taken) -> Taken:
    try:
        taken.moved_to = _move(folder, name, to)
    except FileNotFoundError:
        # Someone removed it after it was read: what was imported stays, nothing is lost.
        taken.problem = VANISHED_AFTER if taken.unusable is None else VANISHED
    except OSError:
        # Left where it is: the next round finds its content known and moves it then.
        taken.problem = CANNOT_MOVE
    return taken


def take_file(engine: Engine, *, folder: Path, seen: Seen, profile: str, limits: ImportLimits,
              now: datetime) -> Taken | None:
    """Import one file of the folder and move it; None when it is gone or changing (another look later).

    A file whose content was imported before is moved where that import put it, without work."""
    shown = screen(seen.name).text
    path = folder / seen.name
    try:
        before = _seen(path)
    except FileNotFoundError:
        return None   # another watcher moved it, or its writer took it back
    if not unchanged(seen, before):
        return None
    empty = ImportSummary(profile=profile)
    try:
        check_file_size(before.size, limits)
        content = path.read_bytes()
        after = _seen(path)
    except FileUnusable as problem:
        return _finish(folder, seen.name, UNREADABLE, Taken(shown, empty, None, unusable=problem))
    except FileNotFoundError:
        return Taken(shown, empty, None, problem=VANISHED)
    except OSError as failure:
        # Not readable by the watcher (permissions, an I/O error): nothing written, set aside for a person.
        unreadable = FileUnusable(CANNOT_READ, failure.strerror or type(failure).__name__)
        return _finish(folder, seen.name, UNREADABLE, Taken(shown, empty, None, unusable=unreadable))
    if not unchanged(before, after):
        return None   # written to while it was read
    digest = hashlib.sha256(content).hexdigest()
    earlier = _known_run(engine, digest)
    if earlier is not None:
        again = _as_again(earlier)
        return _finish(folder, seen.name, outcome_folder(rejected=again.rejected, conflicts=again.conflicts),
                       Taken(shown, again, None, known=True))
    try:
        summary = import_file(engine, actor=None, content=content, file_name=seen.name, profile=profile, now=now,
                              limits=limits, content_hash=digest)
    except FileUnusable as problem:
        return _finish(folder, seen.name, UNREADABLE, Taken(shown, empty, None, unusable=problem))
    except PrepareFailed as failure:
        failed = FileUnusable(PREPARE_FAILED, str(failure))
        return _finish(folder, seen.name, UNREADABLE, Taken(shown, empty, None, unusable=failed))
    return _finish(folder, seen.name, outcome_folder(rejected=summary.rejected, conflicts=summary.conflicts),
                   Taken(shown, summary, None))


def scan(engine: Engine, *, folder: Path, profile: str, limits: ImportLimits, clock: Callable[[], datetime],
         stopping: Callable[[], bool], wall_clock: Callable[[], float]) -> Iterator[Taken]:
    """Take every ready file of the folder, oldest first, one at a time under the folder's lock; stops
    between files when asked, and leaves the rest to a watcher that holds the lock now."""
    check_folder(folder)
    for seen in ready_files(files_in(folder), wall_clock()):
        if stopping():
            return
        with folder_lock(folder) as held:
            if not held:
                return
            taken = take_file(engine, folder=folder, seen=seen, profile=profile, limits=limits, now=clock())
        if taken is not None:
            yield taken


# --- Notices and what /admin shows ---------------------------------------------------------------

def note_problem(session: Session, *, folder: Path, problem: str, file: str, now: datetime) -> bool:
    """Record a problem of the drop folder for /admin (audited); the same problem twice in a row is noted once."""
    file = screen(file).text
    latest = _latest_notice(session)
    if latest is not None and (latest.problem, latest.file) == (problem, file):
        return False
    record(session, actor=ACTOR, action=NOTICE_ACTION, entity=NOTICE_ENTITY, entity_id=str(folder), now=now,
           after={"problem": problem, "file": file})
    return True


def _latest_notice(session: Session) -> Notice | None:
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == NOTICE_ENTITY,
                                                  AuditEvent.action == NOTICE_ACTION)
                         .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1)).first()
    if event is None:
        return None
    after = event.after or {}
    return Notice(event.at, str(after.get("problem", "")), str(after.get("file", "")))


def _last_run(session: Session) -> LastRun | None:
    run = session.exec(select(ImportRun).where(ImportRun.content_hash.is_not(None))
                       .order_by(ImportRun.started_at.desc(), ImportRun.id.desc()).limit(1)).first()
    if run is None:
        return None
    return LastRun(run.started_at, run.file_name, run.read, run.inserted, run.duplicates, run.conflicts, run.rejected)


def _waiting(folder: Path) -> list[WaitingFile]:
    found = []
    for name in (PARTIAL, UNREADABLE):
        try:
            files = files_in(folder / name, WAITING_SCANNED)
        except OSError:
            continue
        found.extend(WaitingFile(name, screen(f.name).text,
                                 as_utc_naive(datetime.fromtimestamp(f.modified, timezone.utc))) for f in files)
    return sorted(found, key=lambda f: f.modified, reverse=True)[:WAITING_SHOWN]


def _problem_now(folder: Path) -> str | None:
    if not folder.is_dir():
        return MISSING
    if not os.access(folder, os.W_OK | os.X_OK):
        return NOT_WRITABLE
    return None


def drop_folder_view(session: Session, *, viewer: Viewer, folder: str) -> DropFolderView:
    """The drop folder for the import tools' users: its problem now, the last file taken, the last notice,
    the files in partial/ and unreadable/ (newest first, the first hundred) and how many wait in it."""
    if not may_import(session, viewer=viewer):
        raise AccessDenied(Permission.IMPORT_FEEDBACK, "import")
    path = Path(folder)
    problem = _problem_now(path)
    incoming = 0
    if problem != MISSING:
        try:
            incoming = sum(1 for f in files_in(path, WAITING_SCANNED) if not f.name.startswith("."))
        except OSError:
            problem = NOT_WRITABLE
    return DropFolderView(folder, problem, _last_run(session), _latest_notice(session),
                          [] if problem == MISSING else _waiting(path), incoming)
