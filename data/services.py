"""Use cases: one function per thing a user does, each one transaction."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from board.periods import Period, current_and_previous_week, helsinki_date, last_days, last_weeks, previous_period
from board.nps import nps_change
from board.stages import IN_DEVELOPMENT, days_in_stage
from data.metrics import (
    FeedbackFigures,
    UnitMetrics,
    WeekNps,
    feedback_figures,
    unit_metrics,
    volume_by_collection,
    volume_by_period,
    weekly_nps,
)
from auth.access import AccessDenied, Grant, Viewer, can, require, scope_paths
from auth.roles import Permission, Role
from data.audit import record
from data.models import AccessGrant, Action, KioskLink, Theme, Unit
from data.organisation import active_units, in_subtree, unit_by_code
from data.settings import Settings

BOARD_DAYS = 30
TREND_WEEKS = 12
FIXED_SHOWN = 3
THEMES_SHOWN = 3


class UnknownUnit(LookupError):
    """No active unit has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ThemeCard:
    title: str
    owner: str | None
    stage: str
    days_in_stage: int


@dataclass(frozen=True)
class FixedItem:
    taken_on: date
    text: str
    theme_title: str


@dataclass(frozen=True)
class HuddleBoard:
    """Everything the wall screen shows for one unit."""

    metrics: UnitMetrics
    previous: FeedbackFigures
    weeks: list[WeekNps]
    volume_this_week: int
    volume_last_week: int
    by_collection: dict[str, int]
    themes: list[ThemeCard]
    fixed: list[FixedItem]

    @property
    def unit(self) -> Unit:
        return self.metrics.unit

    @property
    def nps_change(self) -> float | None:
        return nps_change(self.metrics.figures.nps, self.previous.nps)


def find_unit(session: Session, code: str) -> Unit:
    """The active unit with this code; an unknown or inactive code raises UnknownUnit."""
    unit = unit_by_code(session, code.strip())
    if unit is None or not unit.active:
        raise UnknownUnit(code)
    return unit


def list_units(session: Session, *, viewer: Viewer, permission: Permission = Permission.VIEW_HUDDLE) -> list[Unit]:
    """The active units in the viewer's scope for a permission, in tree order."""
    return [u for u in active_units(session) if can(viewer, permission, u.path)]


def _unit_for(session: Session, viewer: Viewer, permission: Permission, unit_code: str) -> Unit:
    unit = find_unit(session, unit_code)
    require(viewer, permission, unit.path, target=unit.code)
    return unit


def board_title(session: Session, *, viewer: Viewer, unit_code: str) -> str:
    """The name of a unit whose board the viewer may see."""
    return _unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code).name_fi


def metrics_for(session: Session, *, unit_code: str, period: Period | None, now: datetime,
                settings: Settings) -> UnitMetrics:
    """A unit subtree's figures for a period of Helsinki days (default: the last 30 days)."""
    unit = find_unit(session, unit_code)
    period = period or last_days(helsinki_date(now), BOARD_DAYS)
    return unit_metrics(session, unit, period, now=now, policy=settings.reply_policy,
                        min_n=settings.min_n)


def huddle_board(session: Session, *, viewer: Viewer, unit_code: str, now: datetime,
                 settings: Settings) -> HuddleBoard:
    """The huddle board of a unit the viewer may see: the figures of `metrics`, trend, themes, fixes."""
    unit = _unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    today = helsinki_date(now)
    metrics = unit_metrics(session, unit, last_days(today, BOARD_DAYS), now=now,
                           policy=settings.reply_policy, min_n=settings.min_n)
    this_week, last_week = current_and_previous_week(today)
    volume_this_week, volume_last_week = volume_by_period(session, unit, [this_week, last_week])
    return HuddleBoard(
        metrics=metrics,
        previous=feedback_figures(session, unit, previous_period(metrics.figures.period),
                                  min_n=settings.min_n),
        weeks=weekly_nps(session, unit, last_weeks(today, TREND_WEEKS), min_n=settings.min_n),
        volume_this_week=volume_this_week,
        volume_last_week=volume_last_week,
        by_collection=volume_by_collection(session, unit, metrics.figures.period),
        themes=_themes_in_development(session, unit, now),
        fixed=_latest_fixes(session, unit),
    )


def _themes_in_development(session: Session, unit: Unit, now: datetime) -> list[ThemeCard]:
    themes = session.exec(
        select(Theme)
        .where(in_subtree(unit, Theme.unit_id), Theme.stage.in_([s.value for s in IN_DEVELOPMENT]))
        .order_by(Theme.stage_since)
        .limit(THEMES_SHOWN)
    ).all()
    return [ThemeCard(t.title, t.owner, t.stage, days_in_stage(t.stage_since, now)) for t in themes]


def _latest_fixes(session: Session, unit: Unit) -> list[FixedItem]:
    rows = session.exec(
        select(Action, Theme.title)
        .join(Theme, Theme.id == Action.theme_id)
        .where(in_subtree(unit, Theme.unit_id))
        .order_by(Action.taken_on.desc(), Action.id.desc())
        .limit(FIXED_SHOWN)
    ).all()
    return [FixedItem(action.taken_on, action.public_text or action.text, title) for action, title in rows]


# --- Sign-in and access -------------------------------------------------------------------------

CLI_ACTOR = "cli"
KIOSK_TOKEN_BYTES = 32
ROLE_NAMES = frozenset(role.value for role in Role)


class GrantError(ValueError):
    """A grant that cannot be made: unknown role or unit, or an empty principal."""


@dataclass(frozen=True)
class GrantRow:
    id: int
    principal: str
    role: Role
    unit_code: str
    unit_name: str
    created_at: datetime
    created_by: str


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


def viewer_for(session: Session, *, subject: str, name: str, principals: list[str],
               groups: tuple[str, ...] = (), demo: bool = False) -> Viewer:
    """The viewer with every grant whose principal is one of theirs, on active units only."""
    wanted = sorted({p for p in principals if p})
    rows = session.exec(
        select(AccessGrant.role, Unit.code, Unit.path)
        .join(Unit, Unit.id == AccessGrant.unit_id)
        .where(AccessGrant.principal.in_(wanted), Unit.active)
        .order_by(Unit.path, AccessGrant.role)
    ).all() if wanted else []
    grants = tuple(Grant(Role(role), code, path) for role, code, path in rows if role in ROLE_NAMES)
    return Viewer(subject=subject, name=name, grants=grants, demo=demo, groups=groups)


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
        raise GrantError(f"unknown role {role!r}: one of {', '.join(r.value for r in Role)}") from None


def add_grant(session: Session, *, actor: Viewer | None, principal: str, role: str, unit_code: str,
              now: datetime) -> AccessGrant:
    """Give a principal a role on a unit's subtree; admins of that unit may, and the CLI (actor None)."""
    principal = principal.strip()
    if not principal or len(principal) > 200:
        raise GrantError("the principal must be 1–200 characters")
    parsed_role = _parse_role(role)
    unit = unit_by_code(session, unit_code.strip())
    if unit is None or not unit.active:
        raise GrantError(f"unknown unit {unit_code!r}")
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
        raise GrantError("the grant no longer exists")
    grant, unit = row
    require(actor, Permission.MANAGE_GRANTS, unit.path, target=unit.code)
    admins = session.exec(select(func.count()).select_from(AccessGrant).where(AccessGrant.role == Role.ADMIN.value)).one()
    if grant.role == Role.ADMIN.value and admins <= 1:
        raise GrantError("the last admin grant cannot be removed")
    before = {"principal": grant.principal, "role": grant.role, "unit": unit.code}
    session.delete(grant)
    record(session, actor=actor.label, action="grant.remove", entity="access_grant", entity_id=str(grant_id),
           unit_id=unit.id, now=now, before=before)


def list_grants(session: Session, *, viewer: Viewer) -> list[GrantRow]:
    """The grants on units where the viewer manages access."""
    roots = scope_paths(viewer, Permission.MANAGE_GRANTS)
    if not roots:
        return []
    rows = session.exec(
        select(AccessGrant, Unit).join(Unit, Unit.id == AccessGrant.unit_id).order_by(Unit.path, AccessGrant.principal)
    ).all()
    return [GrantRow(g.id, g.principal, Role(g.role), u.code, u.name_fi, g.created_at, g.created_by)
            for g, u in rows if any(u.path.startswith(root) for root in roots)]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_kiosk_link(session: Session, *, viewer: Viewer, unit_code: str, label: str, now: datetime,
                      valid_days: int | None) -> str:
    """Issue a wall screen's link for one unit; the token is returned once and only its hash is kept."""
    unit = _unit_for(session, viewer, Permission.MANAGE_KIOSK, unit_code)
    label = label.strip()
    if not label or len(label) > 200:
        raise GrantError("the screen needs a name of 1–200 characters")
    if valid_days is not None and valid_days < 1:
        raise GrantError("a link must be valid for at least one day")
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
        raise GrantError("the link no longer exists")
    link, unit = row
    require(viewer, Permission.MANAGE_KIOSK, unit.path, target=unit.code)
    if link.revoked_at is not None:
        return
    link.revoked_at, link.revoked_by = now, viewer.label
    record(session, actor=viewer.label, action="kiosk.revoke", entity="kiosk_link", entity_id=str(link.id),
           unit_id=unit.id, now=now, before={"revoked_at": None}, after={"revoked_at": now})


def list_kiosk_links(session: Session, *, viewer: Viewer) -> list[KioskRow]:
    """The kiosk links of units where the viewer manages screens, newest first."""
    roots = scope_paths(viewer, Permission.MANAGE_KIOSK)
    if not roots:
        return []
    rows = session.exec(select(KioskLink, Unit).join(Unit, Unit.id == KioskLink.unit_id)
                        .order_by(KioskLink.created_at.desc())).all()
    return [KioskRow(k.id, u.code, u.name_fi, k.label, k.created_at, k.created_by, k.expires_at, k.revoked_at)
            for k, u in rows if any(u.path.startswith(root) for root in roots)]


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
