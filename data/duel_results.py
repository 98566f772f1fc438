"""A closed duel's result on the kanban (issue 20): the identified themes it compared, re-ordered by the ranking.

The themes a duel started from (and those made of its items) that are still at "Tunnistettu" get places 1, 2, …
in the order of the ranking; the other identified themes of the unit (of an area: of its units) lose any earlier
place and follow them by age. Every theme is written `WHERE version = :seen` and audited.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from auth.access import Viewer
from auth.roles import Permission
from board.duel import InvalidDuel, is_open
from board.stages import Stage
from data.audit import record
from data.duel_tables import DuelItem
from data.duels import _duel_for, _result
from data.editing import RowState, StaleEdit, versioned_update
from data.models import Theme
from data.organisation import in_subtree

PRIORITY_STATE = ("priority", "stage")


@dataclass(frozen=True)
class ThemePlace:
    """An identified theme of the duel's unit: its place by the duel's result (None: after the ranked ones)."""

    theme_id: int
    title: str
    version: int
    place_now: int | None
    place: int | None


def theme_order(session: Session, *, viewer: Viewer, duel_id: int, now: datetime) -> list[ThemePlace]:
    """The new order of the identified themes by a closed duel's ranking: its ranked themes first, best first."""
    duel, unit = _duel_for(session, viewer, duel_id, Permission.EDIT_THEMES)
    if is_open(closes_at=duel.closes_at, closed_at=duel.closed_at, now=now):
        raise InvalidDuel("duel_open", "close the duel before re-ordering the themes by its result")
    result = _result(session, duel, unit, now, "fi")
    items = session.exec(select(DuelItem.id, DuelItem.source_theme_id, DuelItem.made_theme_id)
                         .where(DuelItem.duel_id == duel.id)).all()
    theme_of = {item: source or made for item, source, made in items if source or made}
    themes = {t.id: t for t in session.exec(
        select(Theme).where(in_subtree(unit, Theme.unit_id), Theme.stage == Stage.IDENTIFIED.value)
        .order_by(Theme.priority.is_(None), Theme.priority, Theme.stage_since, Theme.id)
        .execution_options(populate_existing=True)).all()}
    ranked: list[int] = []
    for standing in result.standings:
        theme_id = theme_of.get(standing.id)
        if not standing.hidden and theme_id in themes and theme_id not in ranked:
            ranked.append(theme_id)
    rest = [theme_id for theme_id in themes if theme_id not in ranked]
    return [ThemePlace(theme_id, themes[theme_id].title, themes[theme_id].version, themes[theme_id].priority,
                       place if theme_id in ranked else None)
            for place, theme_id in enumerate([*ranked, *rest], start=1)]


def reorder_themes(session: Session, *, viewer: Viewer, duel_id: int, seen: Mapping[int, int],
                   now: datetime) -> int:
    """Give the identified themes the places of theme_order; StaleEdit when any of them changed since it was read
    (`seen`: theme id → version read). Returns how many themes changed place."""
    order = theme_order(session, viewer=viewer, duel_id=duel_id, now=now)
    # The themes read must be the themes now: none changed, none came or left the column meanwhile.
    now_ids = {p.theme_id for p in order}
    stale = [RowState("theme", p.theme_id, p.version, {"priority": p.place_now})
             for p in order if seen.get(p.theme_id) != p.version]
    stale += [RowState("theme", theme_id, None, {}) for theme_id in seen if theme_id not in now_ids]
    if stale:
        raise StaleEdit(stale)
    changed = 0
    for place in order:
        if place.place_now == place.place:
            continue
        theme = session.get(Theme, place.theme_id)
        versioned_update(session, theme, "theme", PRIORITY_STATE, seen[place.theme_id], {"priority": place.place})
        record(session, actor=viewer.label, action="theme.reorder", entity="theme", entity_id=str(place.theme_id),
               unit_id=theme.unit_id, now=now, before={"priority": place.place_now},
               after={"priority": place.place, "origin": f"duel:{duel_id}"})
        changed += 1
    return changed
