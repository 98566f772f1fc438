"""Audit trail: every change of state writes who, what, when (UTC), before and after."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from data.models import AuditEvent


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: value.isoformat() if isinstance(value, (date, datetime)) else value
            for key, value in values.items()}


def record(session: Session, *, actor: str, action: str, entity: str, entity_id: str | None,
           now: datetime, unit_id: int | None = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    """Add an audit row in the caller's transaction, so it commits or rolls back with the change."""
    session.add(AuditEvent(at=now, actor=actor, action=action, entity=entity, entity_id=entity_id,
                           unit_id=unit_id, before=_plain(before), after=_plain(after)))
