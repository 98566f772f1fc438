"""Use cases: one function per thing a user does, each one transaction."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import String, and_, case, cast, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from board.handling import (
    LOW_STATEMENT_MAX,
    InvalidHandling,
    check_no_reply_reason,
    check_public_text,
    check_publishable,
    check_reply_sent,
    check_theme_title,
    nps_group_filter_values,
    screened_text,
)
from board.identity import looks_personal
from board.kanban import WipLimits, check_move
from board.likert import AGREE_MIN, STATEMENT_KEYS, LikertSummary, likert_summary
from board.periods import (
    Period,
    as_utc_naive,
    current_and_previous_week,
    helsinki_date,
    last_days,
    last_weeks,
    previous_period,
)
from board.nps import NpsResult, nps, nps_change
from board.replies import days_left, due_soon_cutoff, is_due_soon, is_overdue, overdue_cutoff, reply_due
from board.stages import EXITS, FLOW, IN_DEVELOPMENT, Stage, days_in_stage
from data.metrics import (
    FeedbackFigures,
    UnitMetrics,
    WeekNps,
    _count_if,
    _nps_columns,
    feedback_figures,
    unit_metrics,
    volume_by_collection,
    volume_by_period,
    weekly_nps,
)
from auth.access import AccessDenied, Grant, Viewer, can, require, scope_paths
from auth.roles import Permission, Role
from data.audit import record
from data.models import AccessGrant, Action, AuditEvent, Feedback, KioskLink, Theme, ThemeFeedback, Unit
from data.organisation import active_units, in_subtree, unit_by_code
from data.settings import Settings

BOARD_DAYS = 30
TREND_WEEKS = 12
FIXED_SHOWN = 3
THEMES_SHOWN = 3
BOARD_QUOTES = 2


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
    quotes: list[Quote]
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


def _scope_units(viewer: Viewer, permission: Permission):
    """SQL condition on Unit: the subtrees where the viewer has the permission (None: nowhere)."""
    roots = scope_paths(viewer, permission)
    return or_(*[Unit.path.startswith(root) for root in roots]) if roots else None


def _unit_name(language: str):
    """The unit's name in a language as a column: its Finnish name where that language's is empty."""
    if language not in ("sv", "en"):
        return Unit.name_fi
    return func.coalesce(func.nullif(getattr(Unit, f"name_{language}"), ""), Unit.name_fi)


def board_title(session: Session, *, viewer: Viewer, unit_code: str, language: str = "fi") -> str:
    """The name, in the language, of a unit whose board the viewer may see."""
    return _unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code).name(language)


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
        quotes=huddle_quotes(session, viewer=viewer, unit_code=unit.code, limit=BOARD_QUOTES),
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
    """What the unit tells about its fixes: published actions in their public words, newest first."""
    rows = session.exec(
        select(Action.taken_on, Action.public_text, Theme.title)
        .join(Theme, Theme.id == Action.theme_id)
        .where(in_subtree(unit, Theme.unit_id), Action.published_at.is_not(None))
        .order_by(Action.taken_on.desc(), Action.id.desc())
        .limit(FIXED_SHOWN)
    ).all()
    return [FixedItem(taken_on, public_text, title) for taken_on, public_text, title in rows]


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
    if grant.role == Role.ADMIN.value and _admin_grants(session) <= 1:
        raise GrantError("the last admin grant cannot be removed")
    # Only an admin of the root can manage the whole county (and end anyone's sessions): keep one.
    if grant.role == Role.ADMIN.value and unit.parent_id is None and _admin_grants(session, root_only=True) <= 1:
        raise GrantError("the last admin grant of the whole county cannot be removed")
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
    scope = _scope_units(viewer, Permission.MANAGE_GRANTS)
    if scope is None:
        return []
    rows = session.exec(
        select(AccessGrant, Unit).join(Unit, Unit.id == AccessGrant.unit_id).where(scope)
        .order_by(Unit.path, AccessGrant.principal)
    ).all()
    return [GrantRow(g.id, g.principal, Role(g.role), u.code, u.name(language), g.created_at, g.created_by)
            for g, u in rows]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_kiosk_link(session: Session, *, viewer: Viewer, unit_code: str, label: str, now: datetime,
                      valid_days: int | None) -> str:
    """Issue a wall screen's link for one unit; the token is returned once and only its hash is kept."""
    unit = _unit_for(session, viewer, Permission.MANAGE_KIOSK, unit_code)
    label = screened_text(label)
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


def list_kiosk_links(session: Session, *, viewer: Viewer, language: str = "fi") -> list[KioskRow]:
    """The kiosk links of units where the viewer manages screens, newest first."""
    scope = _scope_units(viewer, Permission.MANAGE_KIOSK)
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


# --- Supervisor tools: the inbox, replies, themes on the kanban, the action log -------------------
#
# Every write here is optimistic: the caller passes the `version` it read, the row is updated with
# `WHERE id = :id AND version = :seen` and `version = version + 1`, and when no row matched the
# service raises StaleEdit with the row as it stands now. Input is checked before anything is
# written; a write that would change nothing is not made (no new version, no audit row).

FEEDBACK_STATE = ("replied_at", "replied_by", "no_reply_reason", "quote_picked_at")
THEME_STATE = ("title", "description", "owner", "stage", "stage_since", "escalated_to",
               "not_pursued_reason", "development_started_at")
ACTION_STATE = ("taken_on", "text", "public_text", "published_at")
OWNER_MAX = 200          # theme.owner, feedback.replied_by
DESCRIPTION_MAX = 4000
ACTION_TEXT_MAX = 2000
INBOX_PAGE = 50
QUOTES_SHOWN = 3
PUBLISHED_SHOWN = 20
STAGE_ORDER = (*FLOW, *EXITS)


class UnknownItem(LookupError):
    """No feedback, theme or action has this id."""

    def __init__(self, entity: str, item_id: int) -> None:
        super().__init__(f"{entity} {item_id} does not exist")
        self.entity = entity
        self.id = item_id


@dataclass(frozen=True)
class RowState:
    """A row as it stands in the database now; `version` is None when the row is gone."""

    entity: str
    id: int
    version: int | None
    values: dict[str, Any]


class StaleEdit(Exception):
    """Someone else changed the row after the user read it; nothing was written.

    `current` is the (first) row as it stands now, `states` every stale row of a batch and
    `stale_ids` their ids: what the UI shows under "changed by someone else".
    """

    def __init__(self, states: list[RowState]) -> None:
        self.states = tuple(states)
        super().__init__("changed by someone else: " + ", ".join(f"{s.entity} {s.id}" for s in self.states))

    @property
    def current(self) -> RowState:
        return self.states[0]

    @property
    def stale_ids(self) -> tuple[int, ...]:
        return tuple(state.id for state in self.states)


class OverWipLimit(Exception):
    """The move would take a stage of the unit over its work-in-progress limit; confirm to go over."""

    def __init__(self, stage: Stage, limit: int, count: int) -> None:
        super().__init__(f"{stage} already holds {count} cards, its limit is {limit}")
        self.stage = stage
        self.limit = limit
        self.count = count


def _state(row: Any, entity: str, fields: tuple[str, ...]) -> RowState:
    return RowState(entity, row.id, row.version, {name: getattr(row, name) for name in fields})


def _stale(session: Session, model: type, entity: str, fields: tuple[str, ...], row_id: int) -> StaleEdit:
    row = session.exec(select(model).where(model.id == row_id).execution_options(populate_existing=True)).first()
    return StaleEdit([_state(row, entity, fields) if row else RowState(entity, row_id, None, {})])


def _check_seen(row: Any, entity: str, fields: tuple[str, ...], seen_version: int) -> None:
    if row.version != seen_version:
        raise StaleEdit([_state(row, entity, fields)])


def _versioned_update(session: Session, row: Any, entity: str, fields: tuple[str, ...], seen_version: int,
                      values: dict[str, Any]) -> None:
    """UPDATE … WHERE id = :id AND version = :seen; StaleEdit with the current row when none matched."""
    table = type(row).__table__
    result = session.execute(
        update(table)
        .where(table.c.id == row.id, table.c.version == seen_version)
        .values(**values, version=table.c.version + 1)
    )
    if result.rowcount != 1:
        raise _stale(session, type(row), entity, fields, row.id)
    session.refresh(row)


def _changes(row: Any, wanted: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that would change: (before, after); both empty when nothing changes."""
    changed = [name for name, value in wanted.items() if getattr(row, name) != value]
    return {n: getattr(row, n) for n in changed}, {n: wanted[n] for n in changed}


def _load(session: Session, model: type, entity: str, item_id: int) -> tuple[Any, Unit]:
    """A row with its unit, read fresh from the database (never a stale copy in the session)."""
    row = session.exec(select(model, Unit).join(Unit, Unit.id == model.unit_id).where(model.id == item_id)
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise UnknownItem(entity, item_id)
    return row


def _load_action(session: Session, action_id: int) -> tuple[Action, Theme, Unit]:
    row = session.exec(
        select(Action, Theme, Unit).join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
        .where(Action.id == action_id).execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise UnknownItem("action", action_id)
    return row


def _text(value: str | None, *, most: int, missing: str | None, what: str) -> str | None:
    """Stripped, screened text of at most `most` characters; empty is refused when `missing` names the reason, else None."""
    value = screened_text(value)
    if not value:
        if missing:
            raise InvalidHandling(missing, f"{what} is empty")
        return None
    if len(value) > most:
        raise InvalidHandling("too_long", f"{what} has {len(value)} characters, more than {most}")
    return value


# --- The inbox ---------------------------------------------------------------------------------

class ReplyStatus(StrEnum):
    """Where a feedback's reply stands; derived from reply_requested, replied_at and no_reply_reason."""

    AWAITING = "awaiting"
    REPLIED = "replied"
    NO_REPLY_NEEDED = "no_reply_needed"
    NOT_REQUESTED = "not_requested"


class Deadline(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"


@dataclass(frozen=True)
class InboxFilters:
    """What the supervisor narrows the inbox to; None (or False, or empty) means no filter."""

    status: ReplyStatus | None = None
    reply_requested: bool | None = None
    deadline: Deadline | None = None
    unit_code: str | None = None
    channel: str | None = None
    collection: str | None = None
    nps_group: str | None = None          # promoter, passive, detractor
    low_statement: bool = False           # some national statement answered 1-2
    period: Period | None = None          # Helsinki calendar days of received_at
    text: str | None = None               # in open_answer or free_text, any case


@dataclass(frozen=True)
class InboxRow:
    id: int
    version: int
    unit_code: str
    unit_name: str
    received_at: datetime
    channel: str | None
    collection: str | None
    nps: int | None
    statements: dict[str, int | None]
    open_answer: str | None
    free_text: str | None
    reply_requested: bool
    status: ReplyStatus
    replied_at: datetime | None
    replied_by: str | None
    no_reply_reason: str | None
    due_at: datetime | None               # when a reply was requested
    days_left: int | None                 # while awaiting a reply: 0 due today, negative late
    overdue: bool
    due_soon: bool
    theme_ids: tuple[int, ...]
    theme_titles: tuple[str, ...]
    quote: bool


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int
    limit: int
    offset: int


def _status_condition(status: ReplyStatus):
    unsent = and_(Feedback.replied_at.is_(None), Feedback.no_reply_reason.is_(None))
    return {
        ReplyStatus.REPLIED: Feedback.replied_at.is_not(None),
        ReplyStatus.NO_REPLY_NEEDED: and_(Feedback.replied_at.is_(None), Feedback.no_reply_reason.is_not(None)),
        ReplyStatus.AWAITING: and_(Feedback.reply_requested, unsent),
        ReplyStatus.NOT_REQUESTED: and_(Feedback.reply_requested.is_(False), unsent),
    }[ReplyStatus(status)]


def reply_status(*, reply_requested: bool, replied_at: datetime | None, no_reply_reason: str | None) -> ReplyStatus:
    """A sent reply counts first, then "no reply needed", then whether a reply was asked for."""
    if replied_at is not None:
        return ReplyStatus.REPLIED
    if no_reply_reason is not None:
        return ReplyStatus.NO_REPLY_NEEDED
    return ReplyStatus.AWAITING if reply_requested else ReplyStatus.NOT_REQUESTED


def _like_escaped(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _glob_any_case(text: str) -> str:
    """A SQLite GLOB pattern matching `text` anywhere in any letter case, ä/Ä and å/Å included."""
    # SQLite's LIKE and lower() fold only ASCII letters; a GLOB class such as [äÄ] folds any.
    parts = []
    for char in text:
        variants = {v for v in (char, char.lower(), char.upper()) if len(v) == 1}
        if len(variants) > 1:
            parts.append("[" + "".join(sorted(variants)) + "]")
        elif char in "*?[":
            parts.append(f"[{char}]")
        else:
            parts.append(char)
    return "*" + "".join(parts) + "*"


def _text_condition(session: Session, text: str):
    columns = (Feedback.open_answer, Feedback.free_text)
    if session.get_bind().dialect.name == "sqlite":
        pattern = _glob_any_case(text)
        return or_(*[column.op("GLOB")(pattern) for column in columns])
    pattern = _like_escaped(text)
    return or_(*[column.ilike(pattern, escape="\\") for column in columns])


def _scope_condition(viewer: Viewer, permission: Permission):
    scope = _scope_units(viewer, permission)
    if scope is None:
        raise AccessDenied(permission, "scope")
    return Feedback.unit_id.in_(select(Unit.id).where(scope))


def _inbox_conditions(session: Session, viewer: Viewer, filters: InboxFilters, now: datetime,
                      settings: Settings) -> list:
    conditions = [_scope_condition(viewer, Permission.VIEW_FEEDBACK)]
    if filters.unit_code:
        conditions.append(in_subtree(_unit_for(session, viewer, Permission.VIEW_FEEDBACK, filters.unit_code),
                                     Feedback.unit_id))
    if filters.status is not None:
        conditions.append(_status_condition(filters.status))
    if filters.reply_requested is not None:
        conditions.append(Feedback.reply_requested.is_(bool(filters.reply_requested)))
    if filters.deadline is not None:
        late_before = overdue_cutoff(now, settings.reply_policy)
        soon_before = due_soon_cutoff(now, settings.reply_policy)
        window = (Feedback.received_at < late_before if Deadline(filters.deadline) is Deadline.OVERDUE
                  else and_(Feedback.received_at >= late_before, Feedback.received_at < soon_before))
        conditions += [_status_condition(ReplyStatus.AWAITING), window]
    if filters.channel:
        conditions.append(Feedback.channel == filters.channel)
    if filters.collection:
        conditions.append(Feedback.collection == filters.collection)
    if filters.nps_group:
        conditions.append(Feedback.nps.in_(list(nps_group_filter_values(filters.nps_group))))
    if filters.low_statement:
        conditions.append(or_(*[getattr(Feedback, key) <= LOW_STATEMENT_MAX for key in STATEMENT_KEYS]))
    if filters.period is not None:
        start, end = filters.period.utc_bounds()
        conditions += [Feedback.received_at >= start, Feedback.received_at < end]
    if filters.text and filters.text.strip():
        conditions.append(_text_condition(session, filters.text.strip()))
    return conditions


def inbox(session: Session, *, viewer: Viewer, filters: InboxFilters, now: datetime, settings: Settings,
          limit: int = INBOX_PAGE, offset: int = 0, language: str = "fi") -> InboxPage:
    """The feedback of every subtree where the viewer may read feedback, newest first, filtered in SQL."""
    conditions = _inbox_conditions(session, viewer, filters, now, settings)
    total = session.exec(select(func.count()).select_from(Feedback).where(*conditions)).one()
    found = session.exec(
        select(Feedback, Unit.code, _unit_name(language)).join(Unit, Unit.id == Feedback.unit_id)
        .where(*conditions)
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
        .limit(max(0, limit)).offset(max(0, offset))
    ).all()
    ids = [feedback.id for feedback, _, _ in found]
    themes: dict[int, list[tuple[int, str]]] = {}
    if ids:
        links = session.exec(select(ThemeFeedback.feedback_id, Theme.id, Theme.title)
                             .join(Theme, Theme.id == ThemeFeedback.theme_id)
                             .where(ThemeFeedback.feedback_id.in_(ids)).order_by(Theme.id)).all()
        for feedback_id, theme_id, title in links:
            themes.setdefault(feedback_id, []).append((theme_id, title))
    policy = settings.reply_policy
    rows = []
    for feedback, code, name in found:
        status = reply_status(reply_requested=feedback.reply_requested, replied_at=feedback.replied_at,
                              no_reply_reason=feedback.no_reply_reason)
        due = reply_due(feedback.received_at, policy) if feedback.reply_requested else None
        awaiting = status is ReplyStatus.AWAITING
        rows.append(InboxRow(
            id=feedback.id, version=feedback.version, unit_code=code, unit_name=name,
            received_at=feedback.received_at, channel=feedback.channel, collection=feedback.collection,
            nps=feedback.nps, statements={key: getattr(feedback, key) for key in STATEMENT_KEYS},
            open_answer=feedback.open_answer, free_text=feedback.free_text,
            reply_requested=feedback.reply_requested, status=status, replied_at=feedback.replied_at,
            replied_by=feedback.replied_by, no_reply_reason=feedback.no_reply_reason, due_at=due,
            days_left=days_left(due, now) if awaiting else None,
            overdue=awaiting and is_overdue(requested=True, replied_at=None, received_at=feedback.received_at,
                                            now=now, policy=policy),
            due_soon=awaiting and is_due_soon(requested=True, replied_at=None, received_at=feedback.received_at,
                                              now=now, policy=policy),
            theme_ids=tuple(i for i, _ in themes.get(feedback.id, ())),
            theme_titles=tuple(title for _, title in themes.get(feedback.id, ())),
            quote=feedback.quote_picked_at is not None,
        ))
    return InboxPage(rows=rows, total=int(total), limit=limit, offset=offset)


# --- Handling one feedback item ---------------------------------------------------------------

def _feedback_for(session: Session, viewer: Viewer, feedback_id: int) -> tuple[Feedback, Unit]:
    feedback, unit = _load(session, Feedback, "feedback", feedback_id)
    require(viewer, Permission.HANDLE_FEEDBACK, unit.path, target=unit.code)
    return feedback, unit


def _write_feedback(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int,
                    wanted: dict[str, Any], action: str, now: datetime) -> RowState:
    before, after = _changes(feedback, wanted)
    if after:
        _versioned_update(session, feedback, "feedback", FEEDBACK_STATE, seen_version, after)
        record(session, actor=viewer.label, action=action, entity="feedback", entity_id=str(feedback.id),
               unit_id=unit.id, now=now, before=before, after=after)
    return _state(feedback, "feedback", FEEDBACK_STATE)


def _reply_sent(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int, *,
                replied_at: datetime, replied_by: str | None, now: datetime) -> RowState:
    _check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    replied_at = as_utc_naive(replied_at)
    check_reply_sent(replied_at=replied_at, received_at=feedback.received_at, now=now)
    by = _text(replied_by if replied_by is not None else viewer.name, most=OWNER_MAX, missing=None,
               what="the replier") or viewer.label
    wanted = {"replied_at": replied_at, "replied_by": by, "no_reply_reason": None}
    return _write_feedback(session, viewer, feedback, unit, seen_version, wanted, "feedback.reply_sent", now)


def _no_reply_needed(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int, *,
                     reason: str, now: datetime) -> RowState:
    _check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    reason = check_no_reply_reason(reason)
    if feedback.replied_at is not None:
        raise InvalidHandling("already_replied", f"feedback {feedback.id} was replied to at {feedback.replied_at}")
    return _write_feedback(session, viewer, feedback, unit, seen_version, {"no_reply_reason": reason},
                           "feedback.no_reply_needed", now)


def _quote(session: Session, viewer: Viewer, feedback: Feedback, unit: Unit, seen_version: int, *,
           picked: bool, now: datetime) -> RowState:
    _check_seen(feedback, "feedback", FEEDBACK_STATE, seen_version)
    if picked and not ((feedback.open_answer or "").strip() or (feedback.free_text or "").strip()):
        raise InvalidHandling("nothing_to_quote", f"feedback {feedback.id} has no text to quote")
    if picked == (feedback.quote_picked_at is not None):
        return _state(feedback, "feedback", FEEDBACK_STATE)
    return _write_feedback(session, viewer, feedback, unit, seen_version,
                           {"quote_picked_at": now if picked else None},
                           "feedback.quote_picked" if picked else "feedback.quote_dropped", now)


def mark_replied(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, replied_at: datetime,
                 now: datetime, replied_by: str | None = None) -> RowState:
    """Mark the reply sent (by default by the viewer), dated between the feedback's arrival and now."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    return _reply_sent(session, viewer, feedback, unit, seen_version, replied_at=replied_at,
                       replied_by=replied_by, now=now)


def mark_no_reply_needed(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, reason: str,
                         now: datetime) -> RowState:
    """Close a feedback without a reply, with a reason; a feedback already replied to cannot be."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    return _no_reply_needed(session, viewer, feedback, unit, seen_version, reason=reason, now=now)


def pick_quote(session: Session, *, viewer: Viewer, feedback_id: int, seen_version: int, picked: bool,
               now: datetime) -> RowState:
    """Pick a feedback with text as a customer quote for the huddle board, or drop it."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    return _quote(session, viewer, feedback, unit, seen_version, picked=picked, now=now)


def _theme_to_link(session: Session, viewer: Viewer, units: list[Unit], theme_id: int | None,
                   new_theme_title: str | None, now: datetime) -> Theme:
    if (theme_id is None) == (new_theme_title is None):
        raise InvalidHandling("theme_choice", "give either an existing theme or the title of a new one")
    if new_theme_title is not None:
        home = _common_unit(session, units)
        return _new_theme(session, viewer, home, title=new_theme_title, description="", owner=None, now=now)
    theme, theme_unit = _load(session, Theme, "theme", theme_id)
    require(viewer, Permission.EDIT_THEMES, theme_unit.path, target=theme_unit.code)
    for unit in units:
        if not unit.path.startswith(theme_unit.path):
            raise InvalidHandling("theme_elsewhere",
                                  f"theme {theme.id} of {theme_unit.code} cannot collect feedback of {unit.code}")
    return theme


def _common_unit(session: Session, units: list[Unit]) -> Unit:
    """The deepest unit whose subtree holds all of the units."""
    paths = [unit.path.strip("/").split("/") for unit in units]
    common = []
    for ids in zip(*paths):
        if len(set(ids)) > 1:
            break
        common.append(ids[0])
    return session.get(Unit, int(common[-1]))


def _link(session: Session, viewer: Viewer, theme: Theme, feedback: Feedback, now: datetime) -> None:
    exists = session.exec(select(ThemeFeedback).where(ThemeFeedback.theme_id == theme.id,
                                                      ThemeFeedback.feedback_id == feedback.id)).first()
    if exists:
        return
    try:
        with session.begin_nested():
            session.add(ThemeFeedback(theme_id=theme.id, feedback_id=feedback.id))
    except IntegrityError:
        return  # linked by someone else a moment ago: the link is there, as wanted
    record(session, actor=viewer.label, action="theme.link_feedback", entity="theme", entity_id=str(theme.id),
           unit_id=theme.unit_id, now=now, after={"feedback_id": feedback.id})


def attach_to_theme(session: Session, *, viewer: Viewer, feedback_id: int, theme_id: int | None = None,
                    new_theme_title: str | None = None, now: datetime) -> int:
    """Link a feedback to an existing theme of its subtree or to a new theme of its unit; returns the theme id."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    theme = _theme_to_link(session, viewer, [unit], theme_id, new_theme_title, now)
    _link(session, viewer, theme, feedback, now)
    return theme.id


class HandleAction(StrEnum):
    REPLY_SENT = "reply_sent"           # details: replied_at, optional replied_by
    NO_REPLY_NEEDED = "no_reply_needed"  # details: reason
    ATTACH = "attach"                   # details: theme_id or new_theme_title
    QUOTE = "quote"                     # details: picked


def handle_many(session: Session, *, viewer: Viewer, items: list[tuple[int, int]], action: str, now: datetime,
                **details: Any) -> list[RowState]:
    """Handle several feedback items (id, seen version) alike: all or nothing; any stale item stops the batch."""
    action = HandleAction(action)
    ids = [feedback_id for feedback_id, _ in items]
    if len(set(ids)) != len(ids):
        raise ValueError("an item appears twice in the batch")
    if not items:
        return []
    seen = dict(items)
    # The rows are locked in id order (PostgreSQL), so the versions checked stay true until commit.
    found = session.exec(
        select(Feedback, Unit).join(Unit, Unit.id == Feedback.unit_id).where(Feedback.id.in_(ids))
        .order_by(Feedback.id).with_for_update(of=Feedback).execution_options(populate_existing=True)
    ).all()
    by_id = {feedback.id: (feedback, unit) for feedback, unit in found}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise UnknownItem("feedback", missing[0])
    for feedback, unit in found:
        require(viewer, Permission.HANDLE_FEEDBACK, unit.path, target=unit.code)
    stale = [_state(f, "feedback", FEEDBACK_STATE) for f, _ in found if f.version != seen[f.id]]
    if stale:
        raise StaleEdit(stale)
    results = []
    with session.begin_nested():  # an invalid item undoes the ones before it
        if action is HandleAction.ATTACH:
            theme = _theme_to_link(session, viewer, [unit for _, unit in found], details.get("theme_id"),
                                   details.get("new_theme_title"), now)
        for feedback_id in ids:
            feedback, unit = by_id[feedback_id]
            if action is HandleAction.REPLY_SENT:
                results.append(_reply_sent(session, viewer, feedback, unit, seen[feedback_id],
                                           replied_at=details["replied_at"], replied_by=details.get("replied_by"),
                                           now=now))
            elif action is HandleAction.NO_REPLY_NEEDED:
                results.append(_no_reply_needed(session, viewer, feedback, unit, seen[feedback_id],
                                                reason=details["reason"], now=now))
            elif action is HandleAction.QUOTE:
                results.append(_quote(session, viewer, feedback, unit, seen[feedback_id],
                                      picked=bool(details["picked"]), now=now))
            else:
                _link(session, viewer, theme, feedback, now)
                results.append(_state(feedback, "feedback", FEEDBACK_STATE))
    return results


@dataclass(frozen=True)
class Quote:
    feedback_id: int
    text: str
    received_at: datetime
    unit_name: str


def huddle_quotes(session: Session, *, viewer: Viewer, unit_code: str, limit: int = QUOTES_SHOWN,
                  language: str = "fi") -> list[Quote]:
    """The subtree's picked customer quotes, last picked first, in their screened stored text."""
    unit = _unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    rows = session.exec(
        select(Feedback, _unit_name(language)).join(Unit, Unit.id == Feedback.unit_id)
        .where(in_subtree(unit, Feedback.unit_id), Feedback.quote_picked_at.is_not(None))
        .order_by(Feedback.quote_picked_at.desc(), Feedback.id.desc())
        .limit(limit)
    ).all()
    return [Quote(f.id, ((f.open_answer or "").strip() or (f.free_text or "").strip()), f.received_at, name)
            for f, name in rows]


# --- Themes ------------------------------------------------------------------------------------

def _theme_for(session: Session, viewer: Viewer, theme_id: int, permission: Permission) -> tuple[Theme, Unit]:
    theme, unit = _load(session, Theme, "theme", theme_id)
    require(viewer, permission, unit.path, target=unit.code)
    return theme, unit


def _theme_fields(title: str, description: str | None, owner: str | None) -> dict[str, Any]:
    return {
        "title": check_theme_title(title),
        "description": _text(description, most=DESCRIPTION_MAX, missing=None, what="the description") or "",
        "owner": _text(owner, most=OWNER_MAX, missing=None, what="the owner"),
    }


def _new_theme(session: Session, viewer: Viewer, unit: Unit, *, title: str, description: str | None,
               owner: str | None, now: datetime) -> Theme:
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    fields = _theme_fields(title, description, owner)
    theme = Theme(unit_id=unit.id, stage=Stage.IDENTIFIED.value, stage_since=now, created_at=now,
                  created_by=viewer.label, **fields)
    session.add(theme)
    session.flush()
    record(session, actor=viewer.label, action="theme.create", entity="theme", entity_id=str(theme.id),
           unit_id=unit.id, now=now, after={**fields, "stage": theme.stage, "unit": unit.code})
    return theme


def create_theme(session: Session, *, viewer: Viewer, unit_code: str, title: str, description: str = "",
                 owner: str | None = None, now: datetime) -> Theme:
    """A new theme of a unit where the viewer edits themes, at "identified"; it needs a title."""
    unit = _unit_for(session, viewer, Permission.EDIT_THEMES, unit_code)
    return _new_theme(session, viewer, unit, title=title, description=description, owner=owner, now=now)


def edit_theme(session: Session, *, viewer: Viewer, theme_id: int, seen_version: int, title: str,
               description: str, owner: str | None, now: datetime) -> RowState:
    """Change a theme's title, description and owner; it keeps needing a title."""
    theme, unit = _theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    _check_seen(theme, "theme", THEME_STATE, seen_version)
    before, after = _changes(theme, _theme_fields(title, description, owner))
    if after:
        _versioned_update(session, theme, "theme", THEME_STATE, seen_version, after)
        record(session, actor=viewer.label, action="theme.edit", entity="theme", entity_id=str(theme.id),
               unit_id=unit.id, now=now, before=before, after=after)
    return _state(theme, "theme", THEME_STATE)


def _cards_in_stage(session: Session, unit_id: int, stage: Stage) -> int:
    return session.exec(select(func.count()).select_from(Theme)
                        .where(Theme.unit_id == unit_id, Theme.stage == stage.value)).one()


def _screened_note(note: str | None) -> str | None:
    return None if note is None else screened_text(note)


def move_theme(session: Session, *, viewer: Viewer, theme_id: int, seen_version: int, target: Stage,
               escalated_to: str | None = None, reason: str | None = None, confirm_over_limit: bool = False,
               wip: WipLimits, now: datetime) -> RowState:
    """Move a theme along a move the kanban allows; over a unit's WIP limit only when confirmed."""
    theme, unit = _theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    _check_seen(theme, "theme", THEME_STATE, seen_version)
    target = Stage(target)
    escalated_to, reason = _screened_note(escalated_to), _screened_note(reason)
    check_move(Stage(theme.stage), target, escalated_to=escalated_to, reason=reason)
    count = _cards_in_stage(session, theme.unit_id, target)
    if wip.would_exceed(target, count) and not confirm_over_limit:
        raise OverWipLimit(target, wip.limit(target), count)
    wanted = {
        "stage": target.value,
        "stage_since": now,
        "escalated_to": escalated_to.strip() if target is Stage.ESCALATED else None,
        "not_pursued_reason": reason.strip() if target is Stage.NOT_PURSUED else None,
        "development_started_at": theme.development_started_at or (now if target is Stage.IN_GROUP else None),
    }
    before, after = _changes(theme, wanted)
    before["stage"], after["stage"] = theme.stage, target.value
    if wip.would_exceed(target, count):
        after["over_wip_limit"] = {"limit": wip.limit(target), "cards_before": count}
    _versioned_update(session, theme, "theme", THEME_STATE, seen_version,
                      {k: v for k, v in after.items() if k != "over_wip_limit"})
    record(session, actor=viewer.label, action="theme.move", entity="theme", entity_id=str(theme.id),
           unit_id=unit.id, now=now, before=before, after=after)
    return _state(theme, "theme", THEME_STATE)


@dataclass(frozen=True)
class ThemeFigures:
    """The linked feedback on one side of the development start: how many, NPS and statements."""

    feedback: int
    nps: NpsResult
    likert: dict[str, LikertSummary]

    def agree_pct(self, key: str) -> float | None:
        return self.likert[key].agree_pct


@dataclass(frozen=True)
class KanbanCard:
    id: int
    version: int
    unit_code: str
    unit_name: str
    title: str
    description: str
    owner: str | None
    stage: Stage
    stage_since: datetime
    days_in_stage: int
    escalated_to: str | None
    not_pursued_reason: str | None
    development_started_at: datetime | None
    feedback_count: int
    before: ThemeFigures | None   # None until the theme has gone to the development group
    after: ThemeFigures | None


@dataclass(frozen=True)
class KanbanColumn:
    stage: Stage
    cards: list[KanbanCard]
    limit: int | None
    over: bool          # some unit of the board holds more cards in the stage than its limit

    @property
    def count(self) -> int:
        return len(self.cards)


@dataclass(frozen=True)
class KanbanView:
    unit_code: str
    unit_name: str
    columns: list[KanbanColumn]   # the four flow stages, then the two exits
    can_edit: bool

    def column(self, stage: Stage) -> KanbanColumn:
        return next(column for column in self.columns if column.stage == Stage(stage))


_BEFORE, _AFTER = 0, 1


def _theme_figures(session: Session, unit: Unit,
                   min_n: int) -> tuple[dict[int, int], dict[tuple[int, int], ThemeFigures]]:
    """Per theme of the subtree: linked feedback count, and figures before/after its development start."""
    part = case((Theme.development_started_at.is_(None), None),
                (Feedback.received_at < Theme.development_started_at, _BEFORE), else_=_AFTER).label("part")
    likert_columns = []
    for key in STATEMENT_KEYS:
        column = getattr(Feedback, key)
        likert_columns += [func.count(column), func.coalesce(func.sum(column), 0), _count_if(column >= AGREE_MIN)]
    rows = session.exec(
        select(ThemeFeedback.theme_id, part, func.count(), *_nps_columns(), *likert_columns)
        .select_from(ThemeFeedback)
        .join(Theme, Theme.id == ThemeFeedback.theme_id)
        .join(Feedback, Feedback.id == ThemeFeedback.feedback_id)
        .where(in_subtree(unit, Theme.unit_id))
        .group_by(ThemeFeedback.theme_id, "part")
    ).all()
    counts: dict[int, int] = {}
    figures: dict[tuple[int, int], ThemeFigures] = {}
    for theme_id, side, volume, promoters, passives, detractors, *likert_values in rows:
        counts[theme_id] = counts.get(theme_id, 0) + int(volume)
        if side is None:
            continue
        values = [int(v) for v in likert_values]
        figures[(theme_id, int(side))] = ThemeFigures(
            feedback=int(volume),
            nps=nps(promoters=int(promoters), passives=int(passives), detractors=int(detractors), min_n=min_n),
            likert={key: likert_summary(key, n=values[3 * i], total=values[3 * i + 1], agreeing=values[3 * i + 2])
                    for i, key in enumerate(STATEMENT_KEYS)},
        )
    return counts, figures


def _empty_figures(min_n: int) -> ThemeFigures:
    return ThemeFigures(0, nps(promoters=0, passives=0, detractors=0, min_n=min_n),
                        {key: likert_summary(key, n=0, total=0, agreeing=0) for key in STATEMENT_KEYS})


def kanban(session: Session, *, viewer: Viewer, unit_code: str, now: datetime, settings: Settings,
           language: str = "fi") -> KanbanView:
    """The themes of a unit's subtree by stage with their feedback figures and each stage's WIP limit."""
    unit = _unit_for(session, viewer, Permission.VIEW_KANBAN, unit_code)
    themes = session.exec(
        select(Theme, Unit.code, _unit_name(language)).join(Unit, Unit.id == Theme.unit_id)
        .where(in_subtree(unit, Theme.unit_id))
        .order_by(Theme.stage_since, Theme.id)
    ).all()
    counts, figures = _theme_figures(session, unit, settings.min_n)
    empty = _empty_figures(settings.min_n)
    cards: dict[Stage, list[KanbanCard]] = {stage: [] for stage in STAGE_ORDER}
    per_unit: dict[tuple[int, Stage], int] = {}
    for theme, code, name in themes:
        stage = Stage(theme.stage)
        split = theme.development_started_at is not None
        cards[stage].append(KanbanCard(
            id=theme.id, version=theme.version, unit_code=code, unit_name=name, title=theme.title,
            description=theme.description, owner=theme.owner, stage=stage, stage_since=theme.stage_since,
            days_in_stage=days_in_stage(theme.stage_since, now), escalated_to=theme.escalated_to,
            not_pursued_reason=theme.not_pursued_reason, development_started_at=theme.development_started_at,
            feedback_count=counts.get(theme.id, 0),
            before=figures.get((theme.id, _BEFORE), empty) if split else None,
            after=figures.get((theme.id, _AFTER), empty) if split else None,
        ))
        per_unit[(theme.unit_id, stage)] = per_unit.get((theme.unit_id, stage), 0) + 1
    wip = settings.wip_limits
    columns = [
        KanbanColumn(stage, cards[stage], wip.limit(stage),
                     any(wip.is_over(s, n) for (_, s), n in per_unit.items() if s == stage))
        for stage in STAGE_ORDER
    ]
    return KanbanView(unit.code, unit.name(language), columns, can(viewer, Permission.EDIT_THEMES, unit.path))


@dataclass(frozen=True)
class ThemeChoice:
    id: int
    title: str
    stage: Stage
    unit_code: str


def theme_choices(session: Session, *, viewer: Viewer) -> list[ThemeChoice]:
    """The themes not yet closed in the subtrees where the viewer edits themes: what feedback can be attached to."""
    scope = _scope_units(viewer, Permission.EDIT_THEMES)
    if scope is None:
        return []
    rows = session.exec(
        select(Theme.id, Theme.title, Theme.stage, Unit.code).join(Unit, Unit.id == Theme.unit_id)
        .where(scope,
               Theme.stage.in_([s.value for s in (Stage.IDENTIFIED, *IN_DEVELOPMENT)]))
        .order_by(Unit.path, Theme.title, Theme.id)
    ).all()
    return [ThemeChoice(i, title, Stage(stage), code) for i, title, stage, code in rows]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def theme_history(session: Session, *, viewer: Viewer, theme_id: int) -> list[HistoryEntry]:
    """Everything that happened to a theme and its actions, oldest first: who, when, what changed."""
    _theme_for(session, viewer, theme_id, Permission.VIEW_KANBAN)
    action_ids = select(cast(Action.id, String)).where(Action.theme_id == theme_id)
    events = session.exec(
        select(AuditEvent)
        .where(or_(and_(AuditEvent.entity == "theme", AuditEvent.entity_id == str(theme_id)),
                   and_(AuditEvent.entity == "action", AuditEvent.entity_id.in_(action_ids))))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [HistoryEntry(e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after) for e in events]


# --- The action log ----------------------------------------------------------------------------

def _action_fields(taken_on: date, text: str, public_text: str | None, now: datetime) -> dict[str, Any]:
    if taken_on > helsinki_date(now):
        raise InvalidHandling("date_in_future", f"an action taken on {taken_on} has not been taken yet")
    return {
        "taken_on": taken_on,
        "text": _text(text, most=ACTION_TEXT_MAX, missing="text_missing", what="the action"),
        "public_text": check_public_text(public_text) if (public_text or "").strip() else None,
    }


def add_action(session: Session, *, viewer: Viewer, theme_id: int, taken_on: date, text: str,
               public_text: str | None = None, now: datetime) -> Action:
    """Log what was done about a theme (not in the future), unpublished, with an optional public text."""
    theme, unit = _theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    fields = _action_fields(taken_on, text, public_text, now)
    action = Action(theme_id=theme.id, created_by=viewer.label, created_at=now, **fields)
    session.add(action)
    session.flush()
    record(session, actor=viewer.label, action="action.add", entity="action", entity_id=str(action.id),
           unit_id=unit.id, now=now, after={**fields, "theme_id": theme.id})
    return action


def theme_actions(session: Session, *, viewer: Viewer, theme_id: int) -> list[Action]:
    """A theme's action log, latest first."""
    _theme_for(session, viewer, theme_id, Permission.VIEW_KANBAN)
    return list(session.exec(select(Action).where(Action.theme_id == theme_id)
                             .order_by(Action.taken_on.desc(), Action.id.desc())).all())


def edit_action(session: Session, *, viewer: Viewer, action_id: int, seen_version: int, taken_on: date, text: str,
                public_text: str | None, now: datetime) -> RowState:
    """Change an action's date and texts; a published action keeps needing its public text."""
    action, _, unit = _load_action(session, action_id)
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    _check_seen(action, "action", ACTION_STATE, seen_version)
    fields = _action_fields(taken_on, text, public_text, now)
    if action.published_at is not None:
        check_publishable(fields["public_text"])
    before, after = _changes(action, fields)
    if after:
        _versioned_update(session, action, "action", ACTION_STATE, seen_version, after)
        record(session, actor=viewer.label, action="action.edit", entity="action", entity_id=str(action.id),
               unit_id=unit.id, now=now, before=before, after=after)
    return _state(action, "action", ACTION_STATE)


def publish_action(session: Session, *, viewer: Viewer, action_id: int, seen_version: int, publish: bool,
                   now: datetime) -> RowState:
    """Publish an action with its public text (keeps published_at), or take it off the public pages."""
    action, _, unit = _load_action(session, action_id)
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    _check_seen(action, "action", ACTION_STATE, seen_version)
    if publish:
        check_publishable(action.public_text)
    if publish == (action.published_at is not None):
        return _state(action, "action", ACTION_STATE)
    before, after = {"published_at": action.published_at}, {"published_at": now if publish else None}
    _versioned_update(session, action, "action", ACTION_STATE, seen_version, after)
    record(session, actor=viewer.label, action="action.publish" if publish else "action.unpublish",
           entity="action", entity_id=str(action.id), unit_id=unit.id, now=now, before=before, after=after)
    return _state(action, "action", ACTION_STATE)


@dataclass(frozen=True)
class PublishedAction:
    id: int
    unit_code: str
    unit_name: str
    taken_on: date
    published_at: datetime
    public_text: str


def published_actions(session: Session, *, unit_code: str | None = None,
                      limit: int = PUBLISHED_SHOWN, language: str = "fi") -> list[PublishedAction]:
    """The published actions (public text only) of a unit's subtree or of all units, latest first; public."""
    conditions = [Action.published_at.is_not(None), Action.public_text.is_not(None)]
    if unit_code:
        conditions.append(in_subtree(find_unit(session, unit_code), Theme.unit_id))
    rows = session.exec(
        select(Action, Unit.code, _unit_name(language))
        .join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
        .where(*conditions)
        .order_by(Action.taken_on.desc(), Action.published_at.desc(), Action.id.desc())
        .limit(limit)
    ).all()
    # A text published before public texts were screened is left out rather than shown as it was written.
    return [PublishedAction(a.id, code, name, a.taken_on, a.published_at, a.public_text) for a, code, name in rows
            if not looks_personal(a.public_text)]
