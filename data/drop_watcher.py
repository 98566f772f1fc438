"""The drop folder's watcher (`python -m data import-dir`): takes the folder's files once or every few
seconds until SIGTERM, prints one JSON line per file and puts problems on stderr and on /admin. Taking a
file, and what /admin shows, is data/drop_folder.py.
"""
from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from data.db import session_scope
from data.drop_folder import (
    CANNOT_MOVE,
    CANNOT_READ,
    MISSING,
    NOT_WRITABLE,
    PREPARE_FAILED,
    VANISHED,
    VANISHED_AFTER,
    FolderUnusable,
    Taken,
    note_problem,
    scan,
)
from data.file_reading import FileUnusable
from data.topics import retrain_when_due

PROBLEM_WORDS = {
    MISSING: "the drop folder {folder} does not exist or is not a folder",
    NOT_WRITABLE: ("the drop folder {folder} (or its done/, partial/ or unreadable/) is not writable by this user: "
                   "files cannot be moved out of it, so none is taken; nothing is lost"),
    VANISHED: "{file} vanished from the drop folder before it was imported; nothing of it was written",
    VANISHED_AFTER: "{file} vanished from the drop folder after it was imported; its rows are stored",
    CANNOT_MOVE: "{file} was imported but could not be moved out of the drop folder; the next look moves it",
}


class _Stop:
    """SIGTERM (systemd's stop) and Ctrl-C ask the watcher to stop after the file it is taking."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, _signal, _frame) -> None:
        self.asked = True


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _notice(engine: Engine, folder: Path, problem: str, file: str, now: datetime) -> None:
    """Put a problem on /admin too; a database that can't take it now doesn't stop the watcher."""
    try:
        with session_scope(engine, write=True) as session:
            note_problem(session, folder=folder, problem=problem, file=file, now=now)
    except OperationalError as failure:
        _log(f"error: the problem could not be noted for /admin: {getattr(failure, 'orig', failure)}")


def _report(engine: Engine, folder: Path, taken: Taken, settings, unusable: Callable) -> None:
    print(json.dumps(taken.as_json(), ensure_ascii=False), flush=True)
    if taken.known:
        _log(f"{taken.file}: imported before (run #{taken.summary.run_id}); moved to {taken.moved_to}/ "
             "without importing it again")
    if taken.unusable is not None and taken.unusable.reason == CANNOT_READ:
        _log(f"error: {taken.file} could not be read by this user ({taken.unusable.detail}); nothing written, "
             "moved to unreadable/")
    elif taken.unusable is not None and taken.unusable.reason == PREPARE_FAILED:
        _log(f"error: {taken.file} could not be prepared ({taken.unusable.detail}); nothing written, moved to "
             "unreadable/ (put it back in the folder to try again)")
    elif taken.unusable is not None:
        _log(f"{taken.file}: file unusable, nothing written: {unusable(taken.unusable)}")
    if taken.problem is not None:
        _log("error: " + PROBLEM_WORDS[taken.problem].format(file=taken.file, folder=folder))
        _notice(engine, folder, taken.problem, taken.file, settings.now())


def _wait(seconds: float, stop: _Stop) -> None:
    deadline = time.monotonic() + seconds
    while not stop.asked and time.monotonic() < deadline:
        time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))


def _retrain(engine: Engine, settings) -> None:
    """Topic suggestions learn from the staff's new tags between files, never while a file is imported."""
    try:
        model = retrain_when_due(engine, now=settings.now())
    except OperationalError as failure:
        _log(f"error: topic suggestions not retrained now ({getattr(failure, 'orig', failure)})")
        return
    if model is not None:
        _log(f"topic suggestions retrained from {model.examples} tagged comments")


def watch_folder(engine: Engine, *, folder: Path, profile: str, settings, once: bool, interval: float,
                 unusable: Callable[[FileUnusable], str]) -> bool:
    """Take the folder's files (once, or every `interval` seconds until SIGTERM); False when the folder
    was unusable at the start (exit 2). Prints one JSON line per file, problems on stderr and on /admin."""
    stop = _Stop()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    started = False
    try:
        while not stop.asked:
            try:
                for taken in scan(engine, folder=folder, profile=profile, limits=settings.import_limits,
                                  clock=settings.now, stopping=lambda: stop.asked, wall_clock=time.time):
                    _report(engine, folder, taken, settings, unusable)
            except FolderUnusable as problem:
                _log("error: " + PROBLEM_WORDS[problem.reason].format(folder=folder, file=""))
                _notice(engine, folder, problem.reason, "", settings.now())
                if not started:
                    return False
            except OperationalError as failure:
                if once:
                    raise
                _log(f"error: cannot use the database now ({getattr(failure, 'orig', failure)}); "
                     f"trying again in {interval:g} s")
            started = True
            _retrain(engine, settings)
            if once:
                break
            _wait(interval, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return True
