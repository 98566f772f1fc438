"""Pairwise duels (issue 20): a supervisor starts and closes them, anyone with the join code compares answers.

Staff services take the viewer and check access like the rest of data/; the participant's side, with the
duel's join code and the device's own random token instead of a sign-in, is data/duel_voting.py.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, select

from auth.access import AccessDenied, Viewer, can, require
from auth.roles import Permission
from board.duel import (
    Comparison,
    InvalidDuel,
    check_question,
    is_open,
    rank,
    starting_items,
    without_most_active,
)
from board.handling import screened_text
from board.stages import IN_DEVELOPMENT, Stage
from data.audit import record
from data.duel_tables import Duel, DuelItem, DuelParticipant, DuelVote
from data.models import Theme, Unit
from data.editing import RowState, StaleEdit, UnknownItem
from data.organisation import in_subtree
from data.themes import new_theme
from data.units import find_unit

PUBLIC_DUELS = 3


class DuelClosed(Exception):
    """The duel takes no more votes or answers."""


@dataclass(frozen=True)
class Standing:
    """An item in the ranking, with its text and whether the supervisor hid it."""

    id: int
    text: str
    score: float
    low: float
    high: float
    comparisons: int
    shown: bool
    origin: str
    hidden: bool
    made_theme_id: int | None
    version: int


@dataclass(frozen=True)
class DuelResult:
    """A duel with its ranking: the visible items best first, the hidden ones after them."""

    id: int
    code: str
    question: str
    unit_code: str
    unit_name: str
    is_open: bool
    closes_at: datetime | None
    published: bool
    version: int
    participants: int
    votes: int
    standings: list[Standing]
    # The ranking without the most active 5 % of tokens, only when its top list differs.
    without_most_active: list[Standing] | None

    @property
    def top(self) -> list[Standing]:
        return [s for s in self.standings if s.shown and not s.hidden][:10]


# --- The supervisor's (or, for an area, the director's) side ---------------------------------------

def is_area(unit: Unit) -> bool:
    """An area is any unit above the leaves of the tree (county, result area, service area)."""
    return unit.level != "unit"


def may_lead(viewer: Viewer, unit: Unit) -> bool:
    """Who leads a duel: whoever edits the unit's themes; for an area also a director of it."""
    return can(viewer, Permission.EDIT_THEMES, unit.path) or (
        is_area(unit) and can(viewer, Permission.RUN_AREA_DUELS, unit.path))


def require_lead(viewer: Viewer, unit: Unit) -> Permission:
    """AccessDenied unless the viewer may lead the unit's duels; the permission that lets them."""
    if can(viewer, Permission.EDIT_THEMES, unit.path):
        return Permission.EDIT_THEMES
    if is_area(unit) and can(viewer, Permission.RUN_AREA_DUELS, unit.path):
        return Permission.RUN_AREA_DUELS
    raise AccessDenied(Permission.EDIT_THEMES, unit.code)


def theme_starters(session: Session, *, viewer: Viewer, unit_code: str) -> list[tuple[int, str]]:
    """The identified and in-development themes of the unit (of an area: of all its units), (id, title):
    what a duel may start from."""
    unit = find_unit(session, unit_code)
    require_lead(viewer, unit)
    stages = [s.value for s in (Stage.IDENTIFIED, *IN_DEVELOPMENT)]
    return list(session.exec(select(Theme.id, Theme.title).where(in_subtree(unit, Theme.unit_id),
                                                                 Theme.stage.in_(stages))
                             .order_by(Theme.title, Theme.id)).all())


def theme_units(session: Session, *, viewer: Viewer, duel_id: int) -> list[Unit]:
    """The units a closed duel's result may become themes on: its own unit, or for an area the units of the area."""
    duel, unit = _duel_for(session, viewer, duel_id, Permission.EDIT_THEMES)
    if not is_area(unit):
        return [unit]
    return list(session.exec(select(Unit).where(Unit.path.startswith(unit.path), Unit.active, Unit.level == "unit")
                             .order_by(Unit.path)).all())


def start_duel(session: Session, *, viewer: Viewer, unit_code: str, question: str, typed: Sequence[str] = (),
               theme_ids: Sequence[int] = (), closes_at: datetime | None = None, now: datetime) -> Duel:
    """A supervisor starts a duel of a unit (a director also of an area) from typed items and the themes of the
    unit (of an area: of its units); at least two items."""
    unit = find_unit(session, unit_code)
    require_lead(viewer, unit)
    question = check_question(screened_text(question))
    themes = dict(theme_starters(session, viewer=viewer, unit_code=unit_code))
    if any(theme_id not in themes for theme_id in theme_ids):
        raise InvalidDuel("theme_not_in_unit", "a theme to start from is not an open theme of the unit or area")
    from_themes = {themes[i]: i for i in theme_ids}
    texts = starting_items([*from_themes, *(screened_text(text) for text in typed)])
    if closes_at is not None and closes_at <= now:
        raise InvalidDuel("closes_in_past", "the closing time has passed already")
    duel = Duel(unit_id=unit.id, code=secrets.token_urlsafe(6), question=question, closes_at=closes_at,
                created_at=now, created_by=viewer.label)
    session.add(duel)
    session.flush()
    for text in texts:
        theme_id = from_themes.get(text)
        session.add(DuelItem(duel_id=duel.id, text=text, origin="theme" if theme_id else "typed",
                             source_theme_id=theme_id, created_at=now))
    record(session, actor=viewer.label, action="duel.start", entity="duel", entity_id=str(duel.id), unit_id=unit.id,
           now=now, after={"question": question, "closes_at": closes_at, "items": texts, "unit": unit.code})
    return duel


def _duel_for(session: Session, viewer: Viewer, duel_id: int, permission: Permission) -> tuple[Duel, Unit]:
    row = session.exec(select(Duel, Unit).join(Unit, Unit.id == Duel.unit_id).where(Duel.id == duel_id)
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise UnknownItem("duel", duel_id)
    if permission is Permission.EDIT_THEMES:
        require_lead(viewer, row[1])
    else:
        require(viewer, permission, row[1].path, target=row[1].code)
    return row


def _versioned(session: Session, row: Duel | DuelItem, entity: str, seen_version: int, values: dict[str, Any]) -> None:
    """UPDATE … WHERE version = :seen; StaleEdit when someone else changed the row first."""
    table = type(row).__table__
    result = session.execute(update(table).where(table.c.id == row.id, table.c.version == seen_version)
                             .values(**values, version=table.c.version + 1))
    if result.rowcount != 1:
        session.refresh(row)
        raise StaleEdit([RowState(entity, row.id, row.version, values)])
    session.refresh(row)


def close_duel(session: Session, *, viewer: Viewer, duel_id: int, seen_version: int, now: datetime) -> None:
    """A supervisor closes an open duel: it takes no more votes or answers."""
    duel, unit = _duel_for(session, viewer, duel_id, Permission.EDIT_THEMES)
    if not is_open(closes_at=duel.closes_at, closed_at=duel.closed_at, now=now):
        raise DuelClosed()
    _versioned(session, duel, "duel", seen_version, {"closed_at": now, "closed_by": viewer.label})
    record(session, actor=viewer.label, action="duel.close", entity="duel", entity_id=str(duel.id), unit_id=unit.id,
           now=now, before={"closed_at": None}, after={"closed_at": now})


def publish_duel(session: Session, *, viewer: Viewer, duel_id: int, seen_version: int, publish: bool,
                 now: datetime) -> None:
    """A supervisor puts the duel's TOP 10 on the public page ("Asukkaiden TOP 10") or takes it off."""
    duel, unit = _duel_for(session, viewer, duel_id, Permission.EDIT_THEMES)
    if (duel.published_at is not None) == publish:
        return
    _versioned(session, duel, "duel", seen_version, {"published_at": now if publish else None})
    record(session, actor=viewer.label, action="duel.publish" if publish else "duel.unpublish", entity="duel",
           entity_id=str(duel.id), unit_id=unit.id, now=now, after={"published": publish})


def _item_for(session: Session, viewer: Viewer, item_id: int) -> tuple[DuelItem, Duel, Unit]:
    item = session.exec(select(DuelItem).where(DuelItem.id == item_id)
                        .execution_options(populate_existing=True)).first()
    if item is None:
        raise UnknownItem("duel_item", item_id)
    duel, unit = _duel_for(session, viewer, item.duel_id, Permission.EDIT_THEMES)
    return item, duel, unit


def hide_item(session: Session, *, viewer: Viewer, item_id: int, seen_version: int, hidden: bool,
              now: datetime) -> None:
    """A supervisor hides an item (it leaves the pairs and the ranking) or shows it again."""
    item, duel, unit = _item_for(session, viewer, item_id)
    if (item.hidden_at is not None) == hidden:
        return
    values = {"hidden_at": now if hidden else None, "hidden_by": viewer.label if hidden else None}
    _versioned(session, item, "duel_item", seen_version, values)
    record(session, actor=viewer.label, action="duel_item.hide" if hidden else "duel_item.show",
           entity="duel_item", entity_id=str(item.id), unit_id=unit.id, now=now,
           before={"hidden": not hidden}, after={"hidden": hidden, "duel": duel.id})


def make_themes(session: Session, *, viewer: Viewer, duel_id: int, item_ids: Sequence[int], now: datetime,
                unit_code: str | None = None) -> list[Theme]:
    """After the duel closes, items become themes at "Tunnistettu", the duel as their origin: on the duel's unit,
    or for an area on the chosen unit of the area; an item made into a theme once is not made again."""
    duel, unit = _duel_for(session, viewer, duel_id, Permission.EDIT_THEMES)
    if is_open(closes_at=duel.closes_at, closed_at=duel.closed_at, now=now):
        raise InvalidDuel("duel_open", "close the duel before turning its result into themes")
    target = unit if unit_code is None else find_unit(session, unit_code)
    if not target.path.startswith(unit.path) or (target.id != unit.id and target.level != "unit"):
        raise InvalidDuel("unit_not_in_area", "the themes go to the duel's unit or a unit of its area")
    permission = (Permission.EDIT_THEMES if can(viewer, Permission.EDIT_THEMES, target.path)
                  else require_lead(viewer, unit))
    items = session.exec(select(DuelItem).where(DuelItem.duel_id == duel.id, DuelItem.id.in_(list(item_ids)))).all()
    if len(items) != len(set(item_ids)):
        raise UnknownItem("duel_item", next(iter(set(item_ids) - {i.id for i in items})))
    themes = []
    for item in items:
        if item.made_theme_id is not None or item.hidden_at is not None:
            continue
        theme = new_theme(session, viewer, target, title=item.text, description=duel.question, owner=None, now=now,
                          permission=permission)
        _versioned(session, item, "duel_item", item.version, {"made_theme_id": theme.id})
        record(session, actor=viewer.label, action="duel_item.to_theme", entity="duel_item", entity_id=str(item.id),
               unit_id=target.id, now=now, after={"theme_id": theme.id, "origin": f"duel:{duel.id}",
                                                  "unit": target.code})
        themes.append(theme)
    return themes


def unit_duels(session: Session, *, viewer: Viewer, unit_code: str, now: datetime,
               language: str = "fi") -> list[DuelResult]:
    """The duels of a unit the viewer may see, newest first, each with its ranking."""
    unit = find_unit(session, unit_code)
    require(viewer, Permission.VIEW_KANBAN, unit.path, target=unit.code)
    duels = session.exec(select(Duel).where(Duel.unit_id == unit.id).order_by(Duel.created_at.desc(), Duel.id.desc())
                         .execution_options(populate_existing=True)).all()
    return [_result(session, duel, unit, now, language) for duel in duels]


def wall_ranking(session: Session, *, viewer: Viewer, unit_code: str, now: datetime,
                 language: str = "fi") -> DuelResult | None:
    """The duel a unit's wall screen shows: the newest open one of the unit itself; None when none is open."""
    unit = find_unit(session, unit_code)
    require(viewer, Permission.VIEW_HUDDLE, unit.path, target=unit.code)
    duels = session.exec(select(Duel).where(Duel.unit_id == unit.id, Duel.closed_at.is_(None))
                         .order_by(Duel.created_at.desc(), Duel.id.desc())).all()
    open_ones = [d for d in duels if is_open(closes_at=d.closes_at, closed_at=d.closed_at, now=now)]
    return _result(session, open_ones[0], unit, now, language) if open_ones else None


def public_duels(session: Session, *, now: datetime, language: str = "fi") -> list[DuelResult]:
    """The published duels, newest first (at most three): what anyone sees as "Asukkaiden TOP 10"."""
    rows = session.exec(select(Duel, Unit).join(Unit, Unit.id == Duel.unit_id).where(Duel.published_at.is_not(None))
                        .order_by(Duel.published_at.desc(), Duel.id.desc()).limit(PUBLIC_DUELS)).all()
    return [_result(session, duel, unit, now, language) for duel, unit in rows]


def _result(session: Session, duel: Duel, unit: Unit, now: datetime, language: str) -> DuelResult:
    items = session.exec(select(DuelItem).where(DuelItem.duel_id == duel.id).order_by(DuelItem.id)).all()
    votes = session.exec(select(DuelVote.winner_item_id, DuelVote.left_item_id, DuelVote.right_item_id,
                                DuelParticipant.token_hash)
                         .join(DuelParticipant, DuelParticipant.id == DuelVote.participant_id)
                         .where(DuelVote.duel_id == duel.id)).all()
    visible = [i.id for i in items if i.hidden_at is None]
    comparisons = [Comparison(winner, right if winner == left else left, token)
                   for winner, left, right, token in votes if winner is not None]
    by_id = {i.id: i for i in items}
    ranking = rank(visible, comparisons)
    rest = without_most_active(visible, comparisons)
    participants = session.exec(select(func.count()).select_from(DuelParticipant)
                                .where(DuelParticipant.duel_id == duel.id)).one()
    hidden = [Standing(i.id, i.text, 0.0, 0.0, 0.0, 0, False, i.origin, True, i.made_theme_id, i.version)
              for i in items if i.hidden_at is not None]
    return DuelResult(
        id=duel.id, code=duel.code, question=duel.question, unit_code=unit.code, unit_name=unit.name(language),
        is_open=is_open(closes_at=duel.closes_at, closed_at=duel.closed_at, now=now), closes_at=duel.closes_at,
        published=duel.published_at is not None, version=duel.version, participants=participants,
        votes=len(votes), standings=_standings(ranking, by_id) + hidden,
        without_most_active=_standings(rest, by_id) if rest is not None else None)


def _standings(ranking, by_id: dict[int, DuelItem]) -> list[Standing]:
    return [Standing(r.item, by_id[r.item].text, r.score, r.low, r.high, r.comparisons, r.shown,
                     by_id[r.item].origin, False, by_id[r.item].made_theme_id, by_id[r.item].version)
            for r in ranking]
