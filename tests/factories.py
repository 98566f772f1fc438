"""Small, explicit test data: a tree of units and feedback rows with only the fields a test needs."""
from __future__ import annotations

import itertools
from datetime import datetime

from sqlmodel import Session

from auth.access import Grant, Viewer
from auth.roles import Role
from board.stages import Stage
from data.aggregates import count_new
from data.models import Action, Feedback, Theme, ThemeFeedback
from data.organisation import UnitRow, unit_by_code, upsert_units

TREE = [
    UnitRow("C", "", "Testin hyvinvointialue", "", "", "county"),
    UnitRow("A", "C", "Perusterveydenhuolto", "", "", "result_area"),
    UnitRow("S", "A", "Terveysasemat", "", "", "service_area"),
    UnitRow("U1", "S", "Keskustan terveysasema", "", "", "unit"),
    UnitRow("U2", "S", "Rantakylän terveysasema", "", "", "unit"),
    UnitRow("B", "C", "Sosiaalipalvelut", "", "", "result_area"),
    UnitRow("U3", "B", "Aikuissosiaalityö", "", "", "unit"),
]
_ids = itertools.count(1)


def make_tree(session: Session, now: datetime) -> None:
    upsert_units(session, TREE, actor="test", now=now)


def add_feedback(session: Session, unit_code: str, received_at: datetime, **fields) -> Feedback:
    unit = unit_by_code(session, unit_code)
    row = Feedback(unit_id=unit.id, source="test", source_id=f"t{next(_ids)}", received_at=received_at,
                   **fields)
    session.add(row)
    session.flush()
    count_new(session, [row.model_dump()])  # as every insert of feedback does
    return row


def add_theme(session: Session, unit_code: str, stage: Stage, since: datetime, title: str = "Teema",
              owner: str | None = "Sari K.") -> Theme:
    unit = unit_by_code(session, unit_code)
    theme = Theme(unit_id=unit.id, title=title, stage=stage.value, owner=owner, stage_since=since,
                  created_at=since, created_by="test")
    session.add(theme)
    session.flush()
    return theme


def add_action(session: Session, theme: Theme, taken_on, text: str, public_text: str | None = None,
               published: bool = False) -> Action:
    action = Action(theme_id=theme.id, taken_on=taken_on, text=text, public_text=public_text,
                    created_by="test", created_at=datetime(2026, 1, 1),
                    published_at=datetime(2026, 1, 2) if published else None)
    session.add(action)
    session.flush()
    return action


def everyone() -> Viewer:
    """A director of the whole test county: for tests about figures, not about access."""
    return Viewer(subject="test-director", name="Testi", grants=(Grant(Role.DIRECTOR, "C", "/"),))


def person(session: Session, role: Role, unit_code: str, name: str | None = None) -> Viewer:
    """Someone with one role on one unit's subtree, e.g. person(s, Role.SUPERVISOR, "U1")."""
    unit = unit_by_code(session, unit_code)
    return Viewer(subject=f"{role.value}@{unit_code}", name=name or f"{role.value.title()} {unit_code}",
                  grants=(Grant(role, unit_code, unit.path),))


def link(session: Session, theme: Theme, *feedback: Feedback) -> None:
    for row in feedback:
        session.add(ThemeFeedback(theme_id=theme.id, feedback_id=row.id))
    session.flush()
