"""The organisation tree: reading the units file, creating and updating units, subtrees."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, select

from data.audit import record
from data.models import LEVELS, Unit

UNIT_COLUMNS = ("code", "parent_code", "name_fi", "name_sv", "name_en", "level")
NAME_MAX = 200  # the length of the unit.name_* columns


class UnitFileError(ValueError):
    """The units file cannot be used; nothing was written."""


@dataclass(frozen=True)
class UnitRow:
    code: str
    parent_code: str
    name_fi: str
    name_sv: str
    name_en: str
    level: str


@dataclass(frozen=True)
class UnitsSummary:
    created: int
    updated: int
    unchanged: int
    deactivated: int


def read_unit_rows(text: str) -> list[UnitRow]:
    """Parse and validate a units CSV; every problem is reported with its line number."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), dialect=_sniff(text))
    missing = [c for c in UNIT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise UnitFileError(f"missing columns: {', '.join(missing)}")
    rows, problems, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        row = UnitRow(**{c: (raw.get(c) or "").strip() for c in UNIT_COLUMNS})
        problems += [f"line {line}: {p}" for p in _row_problems(row, seen)]
        seen.add(row.code)
        rows.append(row)
    if not rows:
        raise UnitFileError("the file has no units")
    problems += _tree_problems(rows)
    if problems:
        raise UnitFileError("; ".join(problems))
    return rows


def _sniff(text: str) -> type[csv.Dialect]:
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return csv.excel if header.count(",") >= header.count(";") else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def _row_problems(row: UnitRow, seen: set[str]) -> list[str]:
    problems = []
    if not row.code or len(row.code) > 40 or "/" in row.code:
        problems.append(f"code {row.code!r} must be 1–40 characters without '/'")
    if row.code in seen:
        problems.append(f"code {row.code!r} appears twice")
    if not row.name_fi:
        problems.append("name_fi is empty")
    for column in ("name_fi", "name_sv", "name_en"):
        if len(getattr(row, column)) > NAME_MAX:
            problems.append(f"{column} is longer than {NAME_MAX} characters")
    if row.level not in LEVELS:
        problems.append(f"level {row.level!r} is not one of {', '.join(LEVELS)}")
    if row.parent_code == row.code:
        problems.append("a unit cannot be its own parent")
    return problems


def _tree_problems(rows: list[UnitRow]) -> list[str]:
    by_code = {row.code: row for row in rows}
    problems = []
    for row in rows:
        parent = by_code.get(row.parent_code)
        if row.parent_code and parent is None:
            problems.append(f"{row.code}: parent {row.parent_code!r} is not in the file")
        elif parent and parent.level in LEVELS and row.level in LEVELS:
            if LEVELS.index(parent.level) >= LEVELS.index(row.level):
                problems.append(f"{row.code}: a {row.level} cannot be under a {parent.level}")
    roots = [row.code for row in rows if not row.parent_code]
    if len(roots) != 1:
        problems.append(f"the file must have exactly one root (empty parent_code), found {len(roots)}")
    return problems


def upsert_units(session: Session, rows: list[UnitRow], *, actor: str, now: datetime) -> UnitsSummary:
    """Make the tree match the file: create or update its units, deactivate the ones it lacks."""
    existing = {unit.code: unit for unit in session.exec(select(Unit)).all()}
    created = updated = unchanged = 0
    for row in _parents_first(rows):
        unit = existing.get(row.code)
        parent_id = existing[row.parent_code].id if row.parent_code else None
        wanted = {
            "parent_id": parent_id,
            "name_fi": row.name_fi,
            "name_sv": row.name_sv,
            "name_en": row.name_en,
            "level": row.level,
            "active": True,
        }
        if unit is None:
            unit = Unit(code=row.code, **wanted)
            session.add(unit)
            session.flush()
            existing[row.code] = unit
            record(session, actor=actor, action="unit.create", entity="unit", entity_id=row.code,
                   unit_id=unit.id, after=wanted, now=now)
            created += 1
            continue
        before = {key: getattr(unit, key) for key in wanted}
        if before == wanted:
            unchanged += 1
            continue
        for key, value in wanted.items():
            setattr(unit, key, value)
        record(session, actor=actor, action="unit.update", entity="unit", entity_id=row.code,
               unit_id=unit.id, before=before, after=wanted, now=now)
        if before["parent_id"] is not None and before["parent_id"] != parent_id:
            # The row above is under the new parent; the boards of the old one lose the unit's figures too.
            record(session, actor=actor, action="unit.move_out", entity="unit", entity_id=row.code,
                   unit_id=before["parent_id"], before={"parent_id": before["parent_id"]},
                   after={"parent_id": parent_id}, now=now)
        updated += 1
    in_file = {row.code for row in rows}
    deactivated = 0
    for code, unit in existing.items():
        if code not in in_file and unit.active:
            unit.active = False
            record(session, actor=actor, action="unit.deactivate", entity="unit", entity_id=code,
                   unit_id=unit.id, before={"active": True}, after={"active": False}, now=now)
            deactivated += 1
    _refresh_paths(existing.values())
    session.flush()
    return UnitsSummary(created, updated, unchanged, deactivated)


def _parents_first(rows: list[UnitRow]) -> list[UnitRow]:
    by_code = {row.code: row for row in rows}

    def depth(row: UnitRow) -> int:
        steps = 0
        while row.parent_code and steps <= len(rows):
            row = by_code[row.parent_code]
            steps += 1
        return steps

    return sorted(rows, key=depth)


def _refresh_paths(units) -> None:
    by_id = {unit.id: unit for unit in units}

    def path_of(unit: Unit) -> str:
        parent = by_id.get(unit.parent_id)
        return (path_of(parent) if parent else "/") + f"{unit.id}/"

    for unit in by_id.values():
        unit.path = path_of(unit)


def unit_by_code(session: Session, code: str) -> Unit | None:
    """The unit with this code, or None."""
    return session.exec(select(Unit).where(Unit.code == code)).first()


def in_subtree(unit: Unit, unit_id_column) -> ColumnElement[bool]:
    """SQL condition: the row's unit is the given unit or below it."""
    return unit_id_column.in_(select(Unit.id).where(Unit.path.startswith(unit.path)))


def active_units(session: Session) -> list[Unit]:
    """All active units of the tree, ordered by their place in it."""
    return list(session.exec(select(Unit).where(Unit.active).order_by(Unit.path)).all())
