"""The action log of a theme and its publishing: what was done, and the public words for it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from board.handling import InvalidHandling, check_public_text, check_publishable
from board.identity import looks_personal
from board.periods import helsinki_date
from auth.access import Viewer, require
from auth.roles import Permission
from data.audit import record
from data.models import Action, Theme, Unit
from data.organisation import in_subtree
from data.editing import RowState, UnknownItem, changes, check_seen, checked_text, row_state, versioned_update
from data.themes import theme_for
from data.units import find_unit, unit_name_column


ACTION_STATE = ("taken_on", "text", "public_text", "published_at")
ACTION_TEXT_MAX = 2000
PUBLISHED_SHOWN = 20


@dataclass(frozen=True)
class PublishedAction:
    id: int
    unit_code: str
    unit_name: str
    taken_on: date
    published_at: datetime
    public_text: str


def load_action(session: Session, action_id: int) -> tuple[Action, Theme, Unit]:
    row = session.exec(
        select(Action, Theme, Unit).join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
        .where(Action.id == action_id).execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise UnknownItem("action", action_id)
    return row


def _action_fields(taken_on: date, text: str, public_text: str | None, now: datetime) -> dict[str, Any]:
    if taken_on > helsinki_date(now):
        raise InvalidHandling("date_in_future", f"an action taken on {taken_on} has not been taken yet")
    return {
        "taken_on": taken_on,
        "text": checked_text(text, most=ACTION_TEXT_MAX, missing="text_missing", what="the action"),
        "public_text": check_public_text(public_text) if (public_text or "").strip() else None,
    }


def add_action(session: Session, *, viewer: Viewer, theme_id: int, taken_on: date, text: str,
               public_text: str | None = None, now: datetime) -> Action:
    """Log what was done about a theme (not in the future), unpublished, with an optional public text."""
    theme, unit = theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    fields = _action_fields(taken_on, text, public_text, now)
    action = Action(theme_id=theme.id, created_by=viewer.label, created_at=now, **fields)
    session.add(action)
    session.flush()
    record(session, actor=viewer.label, action="action.add", entity="action", entity_id=str(action.id),
           unit_id=unit.id, now=now, after={**fields, "theme_id": theme.id})
    return action


def theme_actions(session: Session, *, viewer: Viewer, theme_id: int) -> list[Action]:
    """A theme's action log, latest first."""
    theme_for(session, viewer, theme_id, Permission.VIEW_KANBAN)
    return list(session.exec(select(Action).where(Action.theme_id == theme_id)
                             .order_by(Action.taken_on.desc(), Action.id.desc())).all())


def edit_action(session: Session, *, viewer: Viewer, action_id: int, seen_version: int, taken_on: date, text: str,
                public_text: str | None, now: datetime) -> RowState:
    """Change an action's date and texts; a published action keeps needing its public text."""
    action, _, unit = load_action(session, action_id)
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    check_seen(action, "action", ACTION_STATE, seen_version)
    fields = _action_fields(taken_on, text, public_text, now)
    if action.published_at is not None:
        check_publishable(fields["public_text"])
    before, after = changes(action, fields)
    if after:
        versioned_update(session, action, "action", ACTION_STATE, seen_version, after)
        record(session, actor=viewer.label, action="action.edit", entity="action", entity_id=str(action.id),
               unit_id=unit.id, now=now, before=before, after=after)
    return row_state(action, "action", ACTION_STATE)


def publish_action(session: Session, *, viewer: Viewer, action_id: int, seen_version: int, publish: bool,
                   now: datetime) -> RowState:
    """Publish an action with its public text (keeps published_at), or take it off the public pages."""
    action, _, unit = load_action(session, action_id)
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    check_seen(action, "action", ACTION_STATE, seen_version)
    if publish:
        check_publishable(action.public_text)
    if publish == (action.published_at is not None):
        return row_state(action, "action", ACTION_STATE)
    before, after = {"published_at": action.published_at}, {"published_at": now if publish else None}
    versioned_update(session, action, "action", ACTION_STATE, seen_version, after)
    record(session, actor=viewer.label, action="action.publish" if publish else "action.unpublish",
           entity="action", entity_id=str(action.id), unit_id=unit.id, now=now, before=before, after=after)
    return row_state(action, "action", ACTION_STATE)


def published_actions(session: Session, *, unit_code: str | None = None,
                      limit: int = PUBLISHED_SHOWN, language: str = "fi") -> list[PublishedAction]:
    """The published actions (public text only) of a unit's subtree or of all units, latest first; public."""
    conditions = [Action.published_at.is_not(None), Action.public_text.is_not(None)]
    if unit_code:
        conditions.append(in_subtree(find_unit(session, unit_code), Theme.unit_id))
    rows = session.exec(
        select(Action, Unit.code, unit_name_column(language))
        .join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
        .where(*conditions)
        .order_by(Action.taken_on.desc(), Action.published_at.desc(), Action.id.desc())
        .limit(limit)
    ).all()
    # A text published before public texts were screened is left out rather than shown as it was written.
    return [PublishedAction(a.id, code, name, a.taken_on, a.published_at, a.public_text) for a, code, name in rows
            if not looks_personal(a.public_text)]
