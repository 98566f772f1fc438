"""Preparing a feedback file in a separate process, and importing a file (`import_file`).

The web app's upload is read, screened and classified (`prepare_import`) in a child process that is
killed when it runs over its time limit (`VARTTI_IMPORT_SECONDS`), when it asks for more memory than
`VARTTI_IMPORT_MB`, or when the caller's `waiting` callback raises (the admin pressed Cancel or left).
The prepared rows come back to the caller, who stores them in one short write transaction.

The command line and the drop folder import a big file on PostgreSQL part by part: a child process
prepares batch after batch while this one stores the parts it has sent, so the Python work of reading
and checking runs beside the database's work of writing. SQLite has one write lock for the whole
database, so there the file is prepared first and the lock taken only to store it (README, *Imports
don't lock anyone out*).
"""
from __future__ import annotations

import multiprocessing
import resource
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from auth.access import AccessDenied, Viewer
from data.db import make_engine, session_scope
from data.feedback_files import UnknownProfile
from data.file_reading import FileUnusable, ImportLimits
from data.import_pipeline import ImportSummary
from data.imports import PreparedImport, prepare_import, prepared_parts, store_parts

POLL_SECONDS = 0.2
# A file of fewer bytes than this has one or two batches: nothing to overlap, not worth a process.
PARTED_BYTES = 2_000_000
# A file is prepared again when another import stored some of its keys meanwhile; more than that is a fault.
STORE_ATTEMPTS = 3


class PrepareTimedOut(RuntimeError):
    """The file took longer than its time limit to prepare; the process was ended and nothing was written."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"preparing the file took over {seconds} s")
        self.seconds = seconds


class PrepareFailed(RuntimeError):
    """The preparing process ran out of memory or crashed; nothing was written."""


class DatabaseUnavailable(RuntimeError):
    """What the preparing process was told when it could not use the database (OperationalError's cause here)."""


def _limit_memory(memory_mb: int | None) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _failure(problem: BaseException) -> tuple:
    """What went wrong in the child, as a message the caller turns back into its exception (`_unpacked`)."""
    if isinstance(problem, FileUnusable):
        return ("unusable", problem.reason, problem.detail)
    if isinstance(problem, UnknownProfile):
        return ("unknown_profile", str(problem))
    if isinstance(problem, AccessDenied):
        return ("denied", problem.permission, problem.target)
    if isinstance(problem, MemoryError):
        return ("failed", "out of memory")
    if isinstance(problem, OperationalError):
        # The database, not the file (too many clients, a restart): the caller tries again later, as with its own.
        return ("database", str(getattr(problem, "orig", problem))[:500])
    return ("failed", repr(problem)[:500])


def _prepare_in_child(pipe, url: str, actor: Viewer | None, content: bytes, file_name: str, profile: str,
                      limits: ImportLimits | None, memory_mb: int | None) -> None:
    _limit_memory(memory_mb)
    try:
        engine = make_engine(url)
        with session_scope(engine) as session:
            result = ("ok", prepare_import(session, actor=actor, content=content, file_name=file_name,
                                           profile=profile, limits=limits))
        engine.dispose()
    except Exception as problem:  # anything the file provokes: told to the caller
        result = _failure(problem)
    pipe.send(result)
    pipe.close()


def _parts_in_child(sender, receiver, url: str, actor: Viewer | None, content: bytes, file_name: str, profile: str,
                    limits: ImportLimits | None) -> None:
    # The reading end is the parent's alone. With this process's copy closed, a parent that dies makes the next send
    # fail, which ends this process: a fork shares the parent's descriptors (the drop folder's lock, the socket of
    # the import's transaction), and they are let go only when both processes have ended.
    receiver.close()
    sent = 0
    try:
        engine = make_engine(url)
        with session_scope(engine) as session:
            for part in prepared_parts(session, actor=actor, content=content, file_name=file_name,
                                       profile=profile, limits=limits):
                sender.send(("part", part))
                sent += 1
        engine.dispose()
        message = ("done", sent)
    except BrokenPipeError:
        return
    except Exception as problem:  # anything the file provokes: told to the caller
        message = _failure(problem)
    try:
        sender.send(message)
    except BrokenPipeError:
        return
    sender.close()


def prepare_apart(engine: Engine, *, actor: Viewer | None, content: bytes, file_name: str, profile: str,
                  seconds: float, limits: ImportLimits | None = None, memory_mb: int | None = None,
                  waiting: Callable[[float], None] | None = None) -> PreparedImport:
    """Prepare a file in a child process, ended after `seconds`, or when `waiting(elapsed)` raises."""
    # "spawn": a fork of a threaded server could inherit locks held by other threads.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    url = engine.url.render_as_string(hide_password=False)
    process = context.Process(target=_prepare_in_child, daemon=True,
                              args=(sender, url, actor, content, file_name, profile, limits, memory_mb))
    started = time.monotonic()
    process.start()
    sender.close()
    try:
        while not receiver.poll(POLL_SECONDS):
            elapsed = time.monotonic() - started
            if elapsed > seconds:
                raise PrepareTimedOut(seconds)
            if not process.is_alive() and not receiver.poll(0):
                raise PrepareFailed(f"the preparing process ended with code {process.exitcode}")
            if waiting is not None:
                waiting(elapsed)
        try:
            result = receiver.recv()
        except EOFError:
            raise PrepareFailed(f"the preparing process ended with code {process.exitcode}") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    return _unpacked(result)


def _unpacked(result: tuple) -> PreparedImport:
    kind, *rest = result
    if kind == "ok":
        return rest[0]
    if kind == "unusable":
        raise FileUnusable(*rest)
    if kind == "unknown_profile":
        raise UnknownProfile(*rest)
    if kind == "denied":
        raise AccessDenied(*rest)
    if kind == "database":
        raise OperationalError("preparing the file", None, DatabaseUnavailable(*rest))
    raise PrepareFailed(*rest)


def parts_prepared_apart(engine: Engine, *, actor: Viewer | None, content: bytes, file_name: str, profile: str,
                         limits: ImportLimits | None = None) -> Iterator[PreparedImport]:
    """A file prepared part by part in a child process, each part given as soon as it is ready (the caller stores
    one while the child prepares the next); PrepareFailed when the child ends without saying that all were sent.
    The child is ended when the caller stops taking parts."""
    # A fork starts at once, where spawning imports the app again (~1 s); but a fork of a process with other
    # threads could inherit a lock one of them held, so such a process spawns.
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    receiver, sender = context.Pipe(duplex=False)
    url = engine.url.render_as_string(hide_password=False)
    process = context.Process(target=_parts_in_child, daemon=True,
                              args=(sender, receiver, url, actor, content, file_name, profile, limits))
    process.start()
    # The child's copy is the only writing end left: when the child ends, even half-way through a part, the
    # next receive here ends too.
    sender.close()
    taken = 0
    try:
        while True:
            message = _received(receiver, process)
            if message[0] == "done":
                if message[1] != taken:
                    raise PrepareFailed(f"{message[1]} parts were sent, {taken} arrived")
                return
            if message[0] != "part":
                _unpacked(message)
            taken += 1
            yield message[1]
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()


def _received(receiver, process) -> tuple:
    try:
        return receiver.recv()
    except (EOFError, OSError):
        process.join(5)
        raise PrepareFailed(f"the preparing process ended with code {process.exitcode}") from None


def parted(engine: Engine, content: bytes) -> bool:
    """Whether a file is prepared part by part beside the writer: a big file, on a database whose writers don't
    take one lock for the whole database (PostgreSQL); on SQLite the lock would be held while the file is read."""
    return engine.dialect.name == "postgresql" and len(content) >= PARTED_BYTES


def import_file(engine: Engine, *, actor: Viewer | None, content: bytes, file_name: str, profile: str = "native",
                now: datetime, limits: ImportLimits | None = None,
                prepare: Callable[[], Iterable[PreparedImport]] | None = None,
                content_hash: str | None = None) -> ImportSummary:
    """Import a file in one write transaction: a big file on PostgreSQL stored part by part as a child process
    prepares it, else prepared in a read transaction first (or with `prepare`) and then stored."""
    for attempt in range(STORE_ATTEMPTS):
        if prepare is not None and attempt == 0:
            parts = prepare()
        elif parted(engine, content):
            parts = parts_prepared_apart(engine, actor=actor, content=content, file_name=file_name,
                                         profile=profile, limits=limits)
        else:
            with session_scope(engine) as session:
                parts = [prepare_import(session, actor=actor, content=content, file_name=file_name,
                                        profile=profile, limits=limits)]
        try:
            with session_scope(engine, write=True) as session:
                return store_parts(session, actor=actor, parts=parts, now=now, content_hash=content_hash)
        except IntegrityError:
            # Another import stored some of these keys since they were looked up: prepare again,
            # and they are duplicates or conflicts now.
            if attempt + 1 == STORE_ATTEMPTS:
                raise
        finally:
            if hasattr(parts, "close"):
                parts.close()
    raise AssertionError("unreachable")
