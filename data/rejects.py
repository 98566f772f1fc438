"""Kept rejects: the import runs with their open rejects, an admin's correction of a rejected row, and
importing rejects again (once a unit is mapped, say) through the same pipeline as a file.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from auth.access import Viewer
from data.audit import record
from data.editing import StaleEdit, UnknownItem, row_state
from data.feedback_checks import parse_row
from data.feedback_files import NATIVE_FIELDS, load_profile, screen_raw
from data.import_pipeline import BATCH, KEY_LOOKUP, ImportSummary, Pipeline, RejectRow
from data.imports import actor_label, finish_run, require_import, start_run
from data.models import ImportReject, ImportRun

REJECTS_PAGE = 100
UNMAPPED_SHOWN = 500
REIMPORT_FILE = "korjatut rivit"
REJECT_STATE = ("column", "reason", "data", "resolved_at")


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


def list_runs(session: Session, *, viewer: Viewer, limit: int = 50) -> list[ImportRunRow]:
    """The latest import runs, newest first, with their open rejects."""
    require_import(session, viewer)
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
    require_import(session, viewer)
    return session.exec(select(func.count()).select_from(_open_rejects(run_id).subquery())).one()


def list_rejects(session: Session, *, viewer: Viewer, run_id: int | None = None,
                 limit: int = REJECTS_PAGE, offset: int = 0) -> list[RejectRow]:
    """One page of the open rejects (of one run, or of all), oldest run first, in row order."""
    require_import(session, viewer)
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
    require_import(session, viewer)
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
    require_import(session, viewer)
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
    require_import(session, viewer)
    total = ImportSummary(profile="")
    resolved = (("resolved_at", now), ("resolved_by", actor_label(viewer)))
    for profile_name in _reject_profiles(session, reject_ids):
        profile = load_profile(profile_name)
        run = start_run(session, viewer, REIMPORT_FILE, profile.name, now)
        pipeline = Pipeline(session, profile, writes=True)
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
        finish_run(session, run, pipeline.summary, viewer, now, "import.reimport")
        for name in ("read", "inserted", "duplicates", "conflicts", "rejected", "redacted"):
            setattr(total, name, getattr(total, name) + getattr(pipeline.summary, name))
        total.run_id = run.id
    return total
