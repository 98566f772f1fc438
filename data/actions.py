"""The action log of a theme and its publishing: what was done, and the public words for it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from board.content_language import InLanguage, in_language
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


ACTION_STATE = ("taken_on", "text", "public_text", "public_text_sv", "public_text_en", "published_at")
# The column of an action's public text in each content language; Finnish is the one publishing needs.
PUBLIC_TEXT_COLUMNS = {"fi": "public_text", "sv": "public_text_sv", "en": "public_text_en"}
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
    # The language public_text is written in: the reader's, or "fi" where the reader's is missing.
    text_language: str = "fi"


def load_action(session: Session, action_id: int) -> tuple[Action, Theme, Unit]:
    row = session.exec(
        select(Action, Theme, Unit).join(Theme, Theme.id == Action.theme_id).join(Unit, Unit.id == Theme.unit_id)
        .where(Action.id == action_id).execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise UnknownItem("action", action_id)
    return row


def public_texts(action: Action) -> dict[str, str | None]:
    """An action's public text in each content language (None where not written)."""
    return {language: getattr(action, column) for language, column in PUBLIC_TEXT_COLUMNS.items()}


def public_text_in(action: Action, language: str) -> InLanguage | None:
    """The public text a reader of `language` gets: theirs, or the Finnish one marked as Finnish."""
    return in_language(public_texts(action), language)


def _optional_public(text: str | None) -> str | None:
    return check_public_text(text) if (text or "").strip() else None


def _action_fields(taken_on: date, text: str, public_text: str | None, now: datetime,
                   translations: dict[str, str | None] | None) -> dict[str, Any]:
    if taken_on > helsinki_date(now):
        raise InvalidHandling("date_in_future", f"an action taken on {taken_on} has not been taken yet")
    fields = {
        "taken_on": taken_on,
        "text": checked_text(text, most=ACTION_TEXT_MAX, missing="text_missing", what="the action"),
        "public_text": _optional_public(public_text),
    }
    # A caller that does not name the translations leaves them as they are.
    for language, translated in (translations or {}).items():
        if language not in ("sv", "en"):
            raise ValueError(f"no public text column for {language!r}")
        fields[PUBLIC_TEXT_COLUMNS[language]] = _optional_public(translated)
    return fields


def _check_published_texts(fields: dict[str, Any]) -> None:
    """A published action's texts in every language are texts the public may read."""
    check_publishable(fields["public_text"])
    for column in ("public_text_sv", "public_text_en"):
        if fields.get(column):
            check_publishable(fields[column])


def add_action(session: Session, *, viewer: Viewer, theme_id: int, taken_on: date, text: str,
               public_text: str | None = None, translations: dict[str, str | None] | None = None,
               now: datetime) -> Action:
    """Log what was done about a theme (not in the future), unpublished, with optional public texts (fi, sv, en)."""
    theme, unit = theme_for(session, viewer, theme_id, Permission.EDIT_THEMES)
    fields = _action_fields(taken_on, text, public_text, now, translations)
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
                public_text: str | None, translations: dict[str, str | None] | None = None,
                now: datetime) -> RowState:
    """Change an action's date and texts; a published action keeps needing its Finnish public text."""
    action, _, unit = load_action(session, action_id)
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    check_seen(action, "action", ACTION_STATE, seen_version)
    fields = _action_fields(taken_on, text, public_text, now, translations)
    if action.published_at is not None:
        _check_published_texts(fields)
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
        _check_published_texts({column: getattr(action, column) for column in PUBLIC_TEXT_COLUMNS.values()})
    if publish == (action.published_at is not None):
        return row_state(action, "action", ACTION_STATE)
    before, after = {"published_at": action.published_at}, {"published_at": now if publish else None}
    versioned_update(session, action, "action", ACTION_STATE, seen_version, after)
    record(session, actor=viewer.label, action="action.publish" if publish else "action.unpublish",
           entity="action", entity_id=str(action.id), unit_id=unit.id, now=now, before=before, after=after)
    return row_state(action, "action", ACTION_STATE)


def published_actions(session: Session, *, unit_code: str | None = None,
                      limit: int = PUBLISHED_SHOWN, language: str = "fi") -> list[PublishedAction]:
    """The published actions (public text in the reader's language, else Finnish) of a subtree, latest first."""
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
    shown = [(a, code, name, public_text_in(a, language)) for a, code, name in rows]
    return [PublishedAction(a.id, code, name, a.taken_on, a.published_at, text.text, text.language)
            for a, code, name, text in shown if text is not None and not looks_personal(text.text)]
