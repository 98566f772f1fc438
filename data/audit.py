"""Audit trail: every change of state writes who, what, when (UTC), before and after."""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from data.models import AuditEvent


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: value.isoformat() if isinstance(value, (date, datetime)) else value
            for key, value in values.items()}


ENTITY_ID_MOST = 80  # AuditEvent.entity_id
ACTOR_MOST = 200  # AuditEvent.actor


def _fitted(value: str, most: int) -> str:
    """A value cut to fit its column, ending in a digest of the whole so different values stay apart."""
    if len(value) <= most:
        return value
    digest = hashlib.sha256(value.encode()).hexdigest()[:16]
    return f"{value[:most - len(digest) - 1]}…{digest}"


def record(session: Session, *, actor: str, action: str, entity: str, entity_id: str | None,
           now: datetime, unit_id: int | None = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> None:
    """Add an audit row in the caller's transaction, so it commits or rolls back with the change."""
    # Ids and names can come from outside (a sign-in's subject, an address typed in the browser).
    entity_id = _fitted(entity_id, ENTITY_ID_MOST) if entity_id is not None else None
    session.add(AuditEvent(at=now, actor=_fitted(actor, ACTOR_MOST), action=action, entity=entity, entity_id=entity_id,
                           unit_id=unit_id, before=_plain(before), after=_plain(after)))
