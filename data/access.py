"""Access and grants: the viewer of a sign-in, grants given and taken, sign-in and denial records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from auth.access import AccessDenied, Grant, Viewer, require
from auth.roles import Permission, Role
from data.audit import record
from data.models import AccessGrant, Unit
from data.organisation import unit_by_code
from data.units import scope_units


CLI_ACTOR = "cli"
ROLE_NAMES = frozenset(role.value for role in Role)


class GrantError(ValueError):
    """A grant that cannot be made: unknown role or unit, or an empty principal.

    The message is for the command line and the log; `reason` is a word the pages say in the reader's language.
    """

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class GrantRow:
    id: int
    principal: str
    role: Role
    unit_code: str
    unit_name: str
    created_at: datetime
    created_by: str


def viewer_for(session: Session, *, subject: str, name: str, principals: list[str],
               groups: tuple[str, ...] = (), demo: bool = False, emails: list[str] | tuple[str, ...] = ()) -> Viewer:
    """The viewer with every grant whose principal is one of theirs (e-mails in any case), on active units only."""
    wanted = sorted({p for p in principals if p})
    wanted_emails = sorted({e.lower() for e in emails if e})
    matches = []
    if wanted:
        matches.append(AccessGrant.principal.in_(wanted))
    if wanted_emails:
        # An admin may type "Maija.M@Hyvinvointialue.fi"; the token may say "maija.m@hyvinvointialue.fi".
        matches.append(func.lower(AccessGrant.principal).in_(wanted_emails))
    rows = session.exec(
        select(AccessGrant.role, Unit.code, Unit.path).distinct()
        .join(Unit, Unit.id == AccessGrant.unit_id)
        .where(or_(*matches), Unit.active)
        .order_by(Unit.path, AccessGrant.role)
    ).all() if matches else []
    grants = tuple(Grant(Role(role), code, path) for role, code, path in rows if role in ROLE_NAMES)
    return Viewer(subject=subject, name=name, grants=grants, demo=demo, groups=groups, emails=tuple(wanted_emails))


def record_sign_in(session: Session, *, viewer: Viewer, now: datetime) -> None:
    """Every sign-in leaves an audit row with the grants it gave."""
    record(session, actor=viewer.label, action="auth.sign_in", entity="user", entity_id=viewer.subject,
           now=now, after={"grants": [f"{g.role.value}@{g.unit_code}" for g in viewer.grants],
                           "demo": viewer.demo})


def record_denial(session: Session, *, viewer: Viewer, denied: AccessDenied, now: datetime) -> None:
    """Every refused read or write leaves an audit row: who tried what, where."""
    record(session, actor=viewer.label, action="auth.denied", entity="access", entity_id=denied.target,
           now=now, after={"permission": denied.permission.value, "kiosk": viewer.is_kiosk})


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise GrantError(f"unknown role {role!r}: one of {', '.join(r.value for r in Role)}",
                         reason="unknown_role") from None


def add_grant(session: Session, *, actor: Viewer | None, principal: str, role: str, unit_code: str,
              now: datetime) -> AccessGrant:
    """Give a principal a role on a unit's subtree; admins of that unit may, and the CLI (actor None)."""
    principal = principal.strip()
    if not principal or len(principal) > 200:
        raise GrantError("the principal must be 1–200 characters", reason="principal_length")
    parsed_role = _parse_role(role)
    unit = unit_by_code(session, unit_code.strip())
    if unit is None or not unit.active:
        raise GrantError(f"unknown unit {unit_code!r}", reason="unknown_unit")
    if actor is not None:
        require(actor, Permission.MANAGE_GRANTS, unit.path, target=unit.code)
    existing = session.exec(select(AccessGrant).where(
        AccessGrant.principal == principal, AccessGrant.role == parsed_role.value,
        AccessGrant.unit_id == unit.id)).first()
    if existing:
        return existing
    actor_label = actor.label if actor else CLI_ACTOR
    grant = AccessGrant(principal=principal, role=parsed_role.value, unit_id=unit.id, created_at=now,
                        created_by=actor_label)
    session.add(grant)
    session.flush()
    record(session, actor=actor_label, action="grant.add", entity="access_grant", entity_id=str(grant.id),
           unit_id=unit.id, now=now, after={"principal": principal, "role": parsed_role.value, "unit": unit.code})
    return grant


def remove_grant(session: Session, *, actor: Viewer, grant_id: int, now: datetime) -> None:
    """Take a grant away; only an admin of its unit may, and the last admin grant always stays."""
    row = session.exec(select(AccessGrant, Unit).join(Unit, Unit.id == AccessGrant.unit_id)
                       .where(AccessGrant.id == grant_id)).first()
    if row is None:
        raise GrantError("the grant no longer exists", reason="grant_gone")
    grant, unit = row
    require(actor, Permission.MANAGE_GRANTS, unit.path, target=unit.code)
    if grant.role == Role.ADMIN.value and _admin_grants(session) <= 1:
        raise GrantError("the last admin grant cannot be removed", reason="last_admin")
    # Only an admin of the root can manage the whole county (and end anyone's sessions): keep one.
    if grant.role == Role.ADMIN.value and unit.parent_id is None and _admin_grants(session, root_only=True) <= 1:
        raise GrantError("the last admin grant of the whole county cannot be removed",
                         reason="last_county_admin")
    before = {"principal": grant.principal, "role": grant.role, "unit": unit.code}
    session.delete(grant)
    record(session, actor=actor.label, action="grant.remove", entity="access_grant", entity_id=str(grant_id),
           unit_id=unit.id, now=now, before=before)


def _admin_grants(session: Session, *, root_only: bool = False) -> int:
    query = select(func.count()).select_from(AccessGrant).where(AccessGrant.role == Role.ADMIN.value)
    if root_only:
        query = query.join(Unit, Unit.id == AccessGrant.unit_id).where(Unit.parent_id.is_(None))
    return session.exec(query).one()


def list_grants(session: Session, *, viewer: Viewer, language: str = "fi") -> list[GrantRow]:
    """The grants on units where the viewer manages access."""
    scope = scope_units(viewer, Permission.MANAGE_GRANTS)
    if scope is None:
        return []
    rows = session.exec(
        select(AccessGrant, Unit).join(Unit, Unit.id == AccessGrant.unit_id).where(scope)
        .order_by(Unit.path, AccessGrant.principal)
    ).all()
    return [GrantRow(g.id, g.principal, Role(g.role), u.code, u.name(language), g.created_at, g.created_by)
            for g, u in rows]
