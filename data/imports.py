"""Importing feedback: one file is one transaction; every row is stored, a duplicate,
a conflict or a kept reject; identity codes and contacts never reach a table (CONTRACTS.md).

Preparing and storing are apart: `prepared_parts` reads the file in batches (parse and screen the rows,
resolve units by code or through the admins' unit mappings, look the keys up in one query per batch)
without writing, each batch's rows ready for the driver; `store_parts` inserts them, the rejects and the
run in one write transaction. `prepare_import` joins the parts in one (the upload's preview, SQLite's
import); data/import_worker.py runs the preparing in a second process, all at once or part by part while
the first process stores (`import_file`). Importing the same file again finds every key and changes nothing.

The row pipeline is data/import_pipeline.py; kept rejects are data/rejects.py, unit mappings
data/unit_mappings.py and the export data/export.py.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, select

from auth.access import AccessDenied, Viewer, can
from auth.roles import Permission
from board.identity import screen
from data.aggregates import count_inserted
from data.audit import record
from data.feedback_checks import parse_rows
from data.feedback_files import load_profile, map_columns, reject_data
from data.file_reading import ImportLimits, read_table
from data.import_pipeline import (
    BATCH,
    ImportSummary,
    Pipeline,
    RejectRow,
    batches,
    joined_runs,
    reject_values,
    staged_rows,
    write_new_rows,
)
from data.models import ImportReject, ImportRun, Unit

SYSTEM_ACTOR = "cli"
SQLITE_CACHE_KIB = 65_536
PREVIEW_REJECTS = 200


class ImportRefused(ValueError):
    """An import action that can't be done: the message says why (unknown reject, bad mapping)."""


# --- Access ------------------------------------------------------------------------------------

def actor_label(actor: Viewer | None) -> str:
    """Who did it, for the audit and the run: the viewer, or the system for the CLI."""
    return actor.label if actor else SYSTEM_ACTOR


def require_import(session: Session, actor: Viewer | None) -> None:
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
        require_import(session, viewer)
    except AccessDenied:
        return False
    return True


# --- Storing a file ---------------------------------------------------------------------------

def start_run(session: Session, actor: Viewer | None, file_name: str, profile: str, now: datetime,
              content_hash: str | None = None) -> ImportRun:
    """Start an import run (flushed, so it has an id); its counts come at the finish."""
    # A file is often named after its customer ("asiakas_131052-308T.csv"): the name is kept masked.
    run = ImportRun(started_at=now, actor=actor_label(actor), file_name=screen(file_name).text[:300] or "?",
                    profile=profile, content_hash=content_hash)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: ImportRun, summary: ImportSummary, actor: Viewer | None,
               now: datetime, action: str) -> None:
    """Write the summary's counts on the run and audit it."""
    for name, value in summary.as_json().items():
        setattr(run, name, value)
    run.notes = list(summary.notes) or None
    summary.run_id = run.id
    session.flush()
    record(session, actor=actor_label(actor), action=action, entity="import_run", entity_id=str(run.id),
           now=now, after={"file": run.file_name, "profile": run.profile, **summary.as_json()})


@dataclass
class PreparedImport:
    """A file, or one part of it, read, screened and classified, its rows ready to insert; the summary is the
    file's so far (all of it in the last part)."""

    file_name: str
    profile: str
    dialect: str
    summary: ImportSummary
    rows: list[tuple] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)


def prepared_parts(session: Session, *, actor: Viewer | None, content: bytes, file_name: str,
                   profile: str = "native", limits: ImportLimits | None = None) -> Iterator[PreparedImport]:
    """Read, screen and classify a feedback file batch by batch without writing (a read transaction will do):
    each part holds one batch's new rows and rejects, and the summary of the file so far; FileUnusable when
    it can't be read or breaks a limit."""
    require_import(session, actor)
    chosen = load_profile(profile)
    table = read_table(content, file_name, limits)
    columns = map_columns(chosen, table.header)
    pipeline = Pipeline(session, chosen, writes=False)
    dialect = session.connection().dialect
    raws = ((number, columns.raw(cells, chosen.constants)) for number, cells in table.rows)
    shown_name = screen(file_name).text
    yielded = False
    for chunk in batches(raws):
        part = PreparedImport(file_name, chosen.name, dialect.name, pipeline.summary)
        # Parsed and screened a batch at a time: one pass over the batch's texts finds the few to mask.
        outcomes, new = pipeline.feed(parse_rows(chosen, chunk))
        part.rows = staged_rows(dialect, new)
        problems = [row for row, outcome in outcomes if outcome in ("rejected", "conflict")]
        part.rejects = [reject_values(row) for row in problems]
        room = PREVIEW_REJECTS - len(pipeline.summary.rejects)
        for row in problems[:max(room, 0)]:
            pipeline.summary.rejects.append(RejectRow(0, 0, row.number, row.problem.column, row.problem.reason,
                                                      reject_data(row.raw), 1, shown_name, chosen.name))
        yielded = True
        yield part
    if not yielded:
        yield PreparedImport(file_name, chosen.name, dialect.name, pipeline.summary)


def prepare_import(session: Session, *, actor: Viewer | None, content: bytes, file_name: str,
                   profile: str = "native", limits: ImportLimits | None = None) -> PreparedImport:
    """A whole feedback file read, screened and classified without writing (`prepared_parts` joined in one)."""
    whole = None
    for part in prepared_parts(session, actor=actor, content=content, file_name=file_name, profile=profile,
                               limits=limits):
        if whole is None:
            whole = part
        else:
            whole.rows.extend(part.rows)
            whole.rejects.extend(part.rejects)
    return whole


def store_import(session: Session, *, actor: Viewer | None, prepared: PreparedImport,
                 now: datetime, content_hash: str | None = None) -> ImportSummary:
    """Store a prepared file: its new rows, its rejects and the run, audited (IntegrityError when a key was stored meanwhile)."""
    return store_parts(session, actor=actor, parts=[prepared], now=now, content_hash=content_hash)


def store_parts(session: Session, *, actor: Viewer | None, parts: Iterable[PreparedImport],
                now: datetime, content_hash: str | None = None) -> ImportSummary:
    """Store a file's prepared parts as they come, in the caller's transaction: their new rows (counted into the
    aggregates), their rejects and the run with the last part's summary, audited (IntegrityError when a key was
    stored meanwhile)."""
    require_import(session, actor)
    run = last = None
    written: list[tuple[int, int]] = []
    for part in parts:
        if run is None:
            run = _begin_storing(session, actor, part, now, content_hash)
        if part.rows:
            written += write_new_rows(session, part.rows)
        for start in range(0, len(part.rejects), BATCH):
            session.execute(insert(ImportReject.__table__),
                            [{**reject, "run_id": run.id} for reject in part.rejects[start:start + BATCH]])
        last = part
    if last is None:
        raise ImportRefused("the file was not prepared")
    # Counted once for the whole file: a part's days recur in the next parts.
    count_inserted(session, joined_runs(written))
    finish_run(session, run, last.summary, actor, now, "import.run")
    return last.summary


def _begin_storing(session: Session, actor: Viewer | None, part: PreparedImport, now: datetime,
                   content_hash: str | None) -> ImportRun:
    if session.connection().dialect.name != part.dialect:
        raise ImportRefused("the file was prepared for another database")
    if part.dialect == "sqlite":
        # The default 2 MB page cache thrashes on the five feedback indexes of a big import;
        # this connection keeps 64 MB for as long as it lives (the pool reuses it).
        session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
    return start_run(session, actor, part.file_name, part.profile, now, content_hash)


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
