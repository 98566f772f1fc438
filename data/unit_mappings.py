"""Unit mappings: the admins' answers to "which of our units is this source system's unit name"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from auth.access import Viewer
from board.identity import screen
from data.audit import record
from data.imports import ImportRefused, actor_label, require_import
from data.models import Unit, UnitMapping
from data.units import find_unit


@dataclass(frozen=True)
class MappingRow:
    id: int
    source: str
    source_name: str
    unit_code: str
    unit_name: str


def map_unit(session: Session, *, viewer: Viewer | None, source: str, source_name: str, unit_code: str,
             now: datetime) -> UnitMapping:
    """Remember that a source system's unit name means this unit (changing an earlier answer is audited)."""
    require_import(session, viewer)
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
                              created_by=actor_label(viewer))
        session.add(mapping)
    elif mapping.unit_id == unit.id:
        return mapping
    else:
        before = {"unit_id": mapping.unit_id}
        mapping.unit_id, mapping.created_at, mapping.created_by = unit.id, now, actor_label(viewer)
    session.flush()
    record(session, actor=actor_label(viewer), action="import.map_unit", entity="unit_mapping",
           entity_id=str(mapping.id), unit_id=unit.id, now=now, before=before,
           after={"source": source, "source_name": source_name, "unit": unit.code})
    return mapping


def list_unit_mappings(session: Session, *, viewer: Viewer) -> list[MappingRow]:
    """The remembered unit mappings."""
    require_import(session, viewer)
    rows = session.exec(select(UnitMapping, Unit).join(Unit, Unit.id == UnitMapping.unit_id)
                        .order_by(UnitMapping.source, UnitMapping.source_name)).all()
    return [MappingRow(m.id, m.source, m.source_name, u.code, u.name_fi) for m, u in rows]
