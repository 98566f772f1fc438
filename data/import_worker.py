"""Preparing an uploaded file in a separate process, so a hostile file cannot pin the server.

The web app's upload is read, screened and classified (`prepare_import`) in a child process that is
killed when it runs over its time limit (`VARTTI_IMPORT_SECONDS`), when it asks for more memory than
`VARTTI_IMPORT_MB`, or when the caller's `waiting` callback raises (the admin pressed Cancel or left).
The prepared rows come back to the caller, who stores them in one short write transaction.
"""
from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable

from sqlalchemy import Engine

from auth.access import AccessDenied, Viewer
from data.db import make_engine, session_scope
from data.feedback_files import UnknownProfile
from data.file_reading import FileUnusable, ImportLimits
from data.imports import PreparedImport, prepare_import

POLL_SECONDS = 0.2


class PrepareTimedOut(RuntimeError):
    """The file took longer than its time limit to prepare; the process was ended and nothing was written."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"preparing the file took over {seconds} s")
        self.seconds = seconds


class PrepareFailed(RuntimeError):
    """The preparing process ran out of memory or crashed; nothing was written."""


def _prepare_in_child(pipe, url: str, actor: Viewer | None, content: bytes, file_name: str, profile: str,
                      limits: ImportLimits | None, memory_mb: int | None) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        engine = make_engine(url)
        with session_scope(engine) as session:
            result = ("ok", prepare_import(session, actor=actor, content=content, file_name=file_name,
                                           profile=profile, limits=limits))
        engine.dispose()
    except FileUnusable as problem:
        result = ("unusable", problem.reason, problem.detail)
    except UnknownProfile as problem:
        result = ("unknown_profile", str(problem))
    except AccessDenied as denied:
        result = ("denied", denied.permission, denied.target)
    except MemoryError:
        result = ("failed", "out of memory")
    except Exception as problem:  # anything else the file provokes: told to the caller as a failure
        result = ("failed", repr(problem)[:500])
    pipe.send(result)
    pipe.close()


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
    raise PrepareFailed(*rest)
