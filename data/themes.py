"""Themes: creating and editing them, moving them along the kanban, what feedback can join, their history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, or_
from sqlmodel import Session, select

from board.handling import check_theme_title, screened_text
from board.kanban import WipLimits, check_move
from board.stages import IN_DEVELOPMENT, Stage
from auth.access import Viewer, require
from auth.roles import Permission
from data.audit import record
from data.models import Action, AuditEvent, Theme, Unit
from data.editing import OWNER_MAX, RowState, changes, check_seen, checked_text, load_with_unit, row_state
from data.editing import versioned_update
from data.units import scope_units, unit_for


THEME_STATE = ("title", "title_sv", "title_en", "description", "owner", "stage", "stage_since", "escalated_to",
               "not_pursued_reason", "development_started_at")
# A theme's title in Swedish and English for wall boards in those languages (optional; Finnish is `title`).
TITLE_COLUMNS = {"sv": "title_sv", "en": "title_en"}
DESCRIPTION_MAX = 4000


class OverWipLimit(Exception):
    """The move would take a stage of the unit over its work-in-progress limit; confirm to go over."""

    def __init__(self, stage: Stage, limit: int, count: int) -> None:
        super().__init__(f"{stage} already holds {count} cards, its limit is {limit}")
        self.stage = stage
        self.limit = limit
        self.count = count


def theme_for(session: Session, viewer: Viewer, theme_id: int, permission: Permission) -> tuple[Theme, Unit]:
    theme, unit = load_with_unit(session, Theme, "theme", theme_id)
    require(viewer, permission, unit.path, target=unit.code)
    return theme, unit


def _theme_fields(title: str, description: str | None, owner: str | None) -> dict[str, Any]:
    return {
        "title": check_theme_title(title),
        "description": checked_text(description, most=DESCRIPTION_MAX, missing=None, what="the description") or "",
        "owner": checked_text(owner, most=OWNER_MAX, missing=None, what="the owner"),
    }


def new_theme(session: Session, viewer: Viewer, unit: Unit, *, title: str, description: str | None,
               owner: str | None, now: datetime, permission: Permission = Permission.EDIT_THEMES) -> Theme:
    require(viewer, permission, unit.path, target=unit.code)
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
    unit = unit_for(session, viewer, Permission.EDIT_THEMES, unit_code)
    return new_theme(session, viewer, unit, title=title, description=description, owner=owner, now=now)


def _title_translations(translations: dict[str, str | None] | None) -> dict[str, str | None]:
    fields = {}
    for language, text in (translations or {}).items():
        if language not in TITLE_COLUMNS:
            raise ValueError(f"no title column for {language!r}")
        fields[TITLE_COLUMNS[language]] = check_theme_title(text) if (text or "").strip() else None
    return fields


def edit_theme(session: Session, *, viewer: Viewer, theme_id: int, seen_version: int, title: str,
               description: str, owner: str | None, translations: dict[str, str | None] | None = None,
               now: datetime) -> RowState:
    """Change a theme's title (Finnish needed; Swedish, English optional), description and owner."""
    theme, unit = theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    check_seen(theme, "theme", THEME_STATE, seen_version)
    fields = {**_theme_fields(title, description, owner), **_title_translations(translations)}
    before, after = changes(theme, fields)
    if after:
        versioned_update(session, theme, "theme", THEME_STATE, seen_version, after)
        record(session, actor=viewer.label, action="theme.edit", entity="theme", entity_id=str(theme.id),
               unit_id=unit.id, now=now, before=before, after=after)
    return row_state(theme, "theme", THEME_STATE)


def _cards_in_stage(session: Session, unit_id: int, stage: Stage) -> int:
    return session.exec(select(func.count()).select_from(Theme)
                        .where(Theme.unit_id == unit_id, Theme.stage == stage.value)).one()


def _screened_note(note: str | None) -> str | None:
    return None if note is None else screened_text(note)


def move_theme(session: Session, *, viewer: Viewer, theme_id: int, seen_version: int, target: Stage,
               escalated_to: str | None = None, reason: str | None = None, confirm_over_limit: bool = False,
               wip: WipLimits, now: datetime) -> RowState:
    """Move a theme along a move the kanban allows; over a unit's WIP limit only when confirmed."""
    theme, unit = theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    check_seen(theme, "theme", THEME_STATE, seen_version)
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
    before, after = changes(theme, wanted)
    before["stage"], after["stage"] = theme.stage, target.value
    if wip.would_exceed(target, count):
        after["over_wip_limit"] = {"limit": wip.limit(target), "cards_before": count}
    versioned_update(session, theme, "theme", THEME_STATE, seen_version,
                      {k: v for k, v in after.items() if k != "over_wip_limit"})
    record(session, actor=viewer.label, action="theme.move", entity="theme", entity_id=str(theme.id),
           unit_id=unit.id, now=now, before=before, after=after)
    return row_state(theme, "theme", THEME_STATE)


@dataclass(frozen=True)
class ThemeChoice:
    id: int
    title: str
    stage: Stage
    unit_code: str


def theme_choices(session: Session, *, viewer: Viewer) -> list[ThemeChoice]:
    """The themes not yet closed in the subtrees where the viewer edits themes: what feedback can be attached to."""
    scope = scope_units(viewer, Permission.EDIT_THEMES)
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
    theme_for(session, viewer, theme_id, Permission.VIEW_KANBAN)
    action_ids = select(cast(Action.id, String)).where(Action.theme_id == theme_id)
    events = session.exec(
        select(AuditEvent)
        .where(or_(and_(AuditEvent.entity == "theme", AuditEvent.entity_id == str(theme_id)),
                   and_(AuditEvent.entity == "action", AuditEvent.entity_id.in_(action_ids))))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [HistoryEntry(e.at, e.actor, e.action, e.entity, e.entity_id, e.before, e.after) for e in events]
