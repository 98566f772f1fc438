"""Escalation between tiers: a theme a unit cannot solve goes to the parent unit, which takes it, sends it back
or escalates it further; every step audited."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from auth.access import Viewer, require
from auth.roles import Permission
from board.handling import screened_text
from board.huddle import (
    ESCALATION_NOTE_MAX,
    HuddleRuleBroken,
    check_note,
)
from board.kanban import OPEN as OPEN_STAGES, WipLimits
from board.stages import Stage
from data.audit import record
from data.models import Theme, Unit
from data.huddle_tables import Escalation
from data.editing import RowState, StaleEdit, UnknownItem, bump_version
from data.themes import create_theme, move_theme
from data.units import unit_for


ESCALATIONS_SHOWN = 20


# --- Escalation between tiers ------------------------------------------------------------------

OPEN, TAKEN, RETURNED, FORWARDED = "open", "taken", "returned", "forwarded"


def _parent(session: Session, unit: Unit) -> Unit:
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    if parent is None or not parent.active:
        raise HuddleRuleBroken("no_parent", f"{unit.code} has no active parent unit to escalate to")
    return parent


def _reason(text: str) -> str:
    return check_note(screened_text(text), most=ESCALATION_NOTE_MAX, missing="reason_missing")


def escalate_theme(session: Session, *, viewer: Viewer, theme_id: int, seen_version: int, reason: str,
                   now: datetime) -> int:
    """A supervisor sends an open theme the unit cannot solve to the parent unit with a reason; returns the escalation's id."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise UnknownItem("theme", theme_id)
    unit = session.get(Unit, theme.unit_id)
    require(viewer, Permission.EDIT_THEMES, unit.path, target=unit.code)
    reason = _reason(reason)
    parent = _parent(session, unit)
    move_theme(session, viewer=viewer, theme_id=theme_id, seen_version=seen_version, target=Stage.ESCALATED,
               escalated_to=parent.name_fi, wip=WipLimits(), now=now)
    return _send(session, viewer, theme, unit, parent, reason, now)


def _send(session: Session, viewer: Viewer, theme: Theme, sender: Unit, parent: Unit, reason: str,
          now: datetime) -> int:
    escalation = Escalation(theme_id=theme.id, from_unit_id=sender.id, to_unit_id=parent.id, reason=reason,
                            state=OPEN, created_at=now, created_by=viewer.label)
    session.add(escalation)
    session.flush()
    record(session, actor=viewer.label, action="escalation.create", entity="escalation",
           entity_id=str(escalation.id), unit_id=sender.id, now=now,
           after={"theme": theme.title, "from": sender.code, "to": parent.code, "reason": reason})
    return escalation.id


def _open_escalation(session: Session, viewer: Viewer, escalation_id: int,
                     seen_version: int) -> tuple[Escalation, Unit, Theme]:
    row = session.exec(select(Escalation, Unit, Theme).join(Unit, Unit.id == Escalation.to_unit_id)
                       .join(Theme, Theme.id == Escalation.theme_id).where(Escalation.id == escalation_id)
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise UnknownItem("escalation", escalation_id)
    escalation, receiver, theme = row
    require(viewer, Permission.EDIT_THEMES, receiver.path, target=receiver.code)
    if escalation.version != seen_version or escalation.state != OPEN:
        raise StaleEdit([RowState("escalation", escalation.id, escalation.version, {"state": escalation.state})])
    return escalation, receiver, theme


def _answer(session: Session, viewer: Viewer, escalation: Escalation, receiver: Unit, theme: Theme, *,
            state: str, note: str | None, now: datetime, taken_theme_id: int | None = None) -> None:
    bump_version(session, Escalation, "escalation", escalation.id, escalation.version,
          {"state": state, "answer_note": note, "answered_at": now, "answered_by": viewer.label,
           "taken_theme_id": taken_theme_id})
    record(session, actor=viewer.label, action=f"escalation.{_VERBS[state]}", entity="escalation",
           entity_id=str(escalation.id), unit_id=receiver.id, now=now, before={"state": OPEN},
           after={"state": state, "note": note, "theme": theme.title, "taken_theme_id": taken_theme_id})


_VERBS = {TAKEN: "take", RETURNED: "return", FORWARDED: "forward"}


def take_escalation(session: Session, *, viewer: Viewer, escalation_id: int, seen_version: int,
                    now: datetime) -> int:
    """The parent unit takes an escalated theme: it becomes the parent's own theme at "Tunnistettu"; returns its id."""
    escalation, receiver, theme = _open_escalation(session, viewer, escalation_id, seen_version)
    taken = create_theme(session, viewer=viewer, unit_code=receiver.code, title=theme.title,
                         description=theme.description, owner=None, now=now)
    _answer(session, viewer, escalation, receiver, theme, state=TAKEN, note=None, now=now, taken_theme_id=taken.id)
    return taken.id


def return_escalation(session: Session, *, viewer: Viewer, escalation_id: int, seen_version: int, note: str,
                      now: datetime) -> None:
    """The parent sends an escalation back with a note: to the unit that sent it (its theme reopens at "Tunnistettu")."""
    escalation, receiver, theme = _open_escalation(session, viewer, escalation_id, seen_version)
    note = check_note(screened_text(note), most=ESCALATION_NOTE_MAX, missing="note_missing")
    _answer(session, viewer, escalation, receiver, theme, state=RETURNED, note=note, now=now)
    if escalation.from_unit_id == theme.unit_id:
        move_theme(session, viewer=viewer, theme_id=theme.id, seen_version=theme.version, target=Stage.IDENTIFIED,
                   wip=WipLimits(), now=now)
        return
    # It came from a middle tier: that tier decides again.
    earlier = session.exec(select(Escalation).where(Escalation.theme_id == theme.id,
                                                    Escalation.to_unit_id == escalation.from_unit_id,
                                                    Escalation.state == FORWARDED)
                           .order_by(Escalation.id.desc())).first()
    if earlier is not None:
        bump_version(session, Escalation, "escalation", earlier.id, earlier.version, {"state": OPEN})


def forward_escalation(session: Session, *, viewer: Viewer, escalation_id: int, seen_version: int, reason: str,
                       now: datetime) -> int:
    """The parent cannot solve it either: it goes on to its own parent with a reason; returns the new escalation's id."""
    escalation, receiver, theme = _open_escalation(session, viewer, escalation_id, seen_version)
    reason = _reason(reason)
    parent = _parent(session, receiver)
    _answer(session, viewer, escalation, receiver, theme, state=FORWARDED, note=reason, now=now)
    return _send(session, viewer, theme, receiver, parent, reason, now)


@dataclass(frozen=True)
class EscalationRow:
    id: int
    version: int
    theme_id: int
    title: str
    state: str
    reason: str
    answer_note: str | None
    path: tuple[str, ...]    # unit names from the theme's own unit up to where it is now
    created_at: datetime


@dataclass(frozen=True)
class Escalations:
    incoming: list[EscalationRow]   # sent to this unit from below
    sent: list[EscalationRow]       # this unit's own themes it has escalated, as they stand now


def escalations(session: Session, *, viewer: Viewer, unit_code: str, language: str = "fi") -> Escalations:
    """What reached the unit from below, and where the unit's own escalated themes stand (the last step of each)."""
    unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, unit_code)
    incoming = session.exec(select(Escalation).where(Escalation.to_unit_id == unit.id)
                            .order_by(Escalation.created_at.desc(), Escalation.id.desc())
                            .limit(ESCALATIONS_SHOWN)).all()
    own_themes = select(Theme.id).where(Theme.unit_id == unit.id)
    latest = (select(func.max(Escalation.id)).where(Escalation.theme_id.in_(own_themes))
              .group_by(Escalation.theme_id))
    sent = session.exec(select(Escalation).where(Escalation.id.in_(latest))
                        .order_by(Escalation.id.desc()).limit(ESCALATIONS_SHOWN)).all()
    return Escalations([_row(session, e, language) for e in incoming], [_row(session, e, language) for e in sent])


def _row(session: Session, escalation: Escalation, language: str) -> EscalationRow:
    steps = session.exec(select(Escalation.from_unit_id, Escalation.to_unit_id)
                         .where(Escalation.theme_id == escalation.theme_id, Escalation.id <= escalation.id)
                         .order_by(Escalation.id)).all()
    ids = [steps[0][0], *(to for _, to in steps)]
    names = {u.id: u.name(language) for u in session.exec(select(Unit).where(Unit.id.in_(ids))).all()}
    theme = session.get(Theme, escalation.theme_id)
    return EscalationRow(escalation.id, escalation.version, theme.id, theme.title, escalation.state, escalation.reason,
                         escalation.answer_note, tuple(names[i] for i in ids), escalation.created_at)


@dataclass(frozen=True)
class OpenTheme:
    id: int
    version: int
    title: str


def escalatable_themes(session: Session, *, viewer: Viewer, unit_code: str) -> list[OpenTheme]:
    """The unit's own open themes (identified, in the group, on trial) a supervisor may escalate."""
    unit = unit_for(session, viewer, Permission.EDIT_THEMES, unit_code)
    rows = session.exec(select(Theme).where(Theme.unit_id == unit.id,
                                            Theme.stage.in_([s.value for s in OPEN_STAGES]))
                        .order_by(Theme.title, Theme.id)).all()
    return [OpenTheme(theme.id, theme.version, theme.title) for theme in rows]
