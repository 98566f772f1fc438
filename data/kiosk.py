"""Wall screens: revocable, read-only, unit-scoped kiosk links (only the token's hash is kept)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from board.handling import screened_text
from auth.access import Viewer, require
from auth.roles import Permission
from data.audit import record
from data.models import KioskLink, Unit
from data.access import GrantError
from data.units import scope_units, unit_for


KIOSK_TOKEN_BYTES = 32


@dataclass(frozen=True)
class KioskRow:
    id: int
    unit_code: str
    unit_name: str
    label: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None

    def is_valid(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_kiosk_link(session: Session, *, viewer: Viewer, unit_code: str, label: str, now: datetime,
                      valid_days: int | None) -> str:
    """Issue a wall screen's link for one unit; the token is returned once and only its hash is kept."""
    unit = unit_for(session, viewer, Permission.MANAGE_KIOSK, unit_code)
    label = screened_text(label)
    if not label or len(label) > 200:
        raise GrantError("the screen needs a name of 1–200 characters", reason="screen_name")
    if valid_days is not None and valid_days < 1:
        raise GrantError("a link must be valid for at least one day", reason="link_days")
    token = secrets.token_urlsafe(KIOSK_TOKEN_BYTES)
    link = KioskLink(unit_id=unit.id, label=label, token_hash=_token_hash(token), created_at=now,
                     created_by=viewer.label,
                     expires_at=now + timedelta(days=valid_days) if valid_days else None)
    session.add(link)
    session.flush()
    record(session, actor=viewer.label, action="kiosk.create", entity="kiosk_link", entity_id=str(link.id),
           unit_id=unit.id, now=now, after={"unit": unit.code, "label": label, "expires_at": link.expires_at})
    return token


def revoke_kiosk_link(session: Session, *, viewer: Viewer, link_id: int, now: datetime) -> None:
    """Revoke a kiosk link; the screen stops showing data at its next refresh."""
    row = session.exec(select(KioskLink, Unit).join(Unit, Unit.id == KioskLink.unit_id)
                       .where(KioskLink.id == link_id)).first()
    if row is None:
        raise GrantError("the link no longer exists", reason="link_gone")
    link, unit = row
    require(viewer, Permission.MANAGE_KIOSK, unit.path, target=unit.code)
    if link.revoked_at is not None:
        return
    link.revoked_at, link.revoked_by = now, viewer.label
    record(session, actor=viewer.label, action="kiosk.revoke", entity="kiosk_link", entity_id=str(link.id),
           unit_id=unit.id, now=now, before={"revoked_at": None}, after={"revoked_at": now})


def list_kiosk_links(session: Session, *, viewer: Viewer, language: str = "fi") -> list[KioskRow]:
    """The kiosk links of units where the viewer manages screens, newest first."""
    scope = scope_units(viewer, Permission.MANAGE_KIOSK)
    if scope is None:
        return []
    rows = session.exec(select(KioskLink, Unit).join(Unit, Unit.id == KioskLink.unit_id).where(scope)
                        .order_by(KioskLink.created_at.desc())).all()
    return [KioskRow(k.id, u.code, u.name(language), k.label, k.created_at, k.created_by, k.expires_at, k.revoked_at)
            for k, u in rows]


def kiosk_viewer(session: Session, *, token: str, now: datetime) -> Viewer | None:
    """The read-only viewer of a valid kiosk link (not revoked, not expired, unit active), else None."""
    if not token or len(token) > 200:
        return None
    row = session.exec(select(KioskLink, Unit).join(Unit, Unit.id == KioskLink.unit_id)
                       .where(KioskLink.token_hash == _token_hash(token))).first()
    if row is None:
        return None
    link, unit = row
    if link.revoked_at is not None or (link.expires_at and now >= link.expires_at) or not unit.active:
        return None
    return Viewer(subject=f"kiosk:{link.id}", name=link.label, kiosk_unit_path=unit.path)
