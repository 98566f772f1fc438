"""A unit's or an area's own public page (`/public?unit=CODE`) and the archive of published actions by quarter."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from board.quarters import Quarter
from data.models import Action, Theme, Unit
from data.public import AREA_LEVEL, UNIT_LEVEL, Place, PlaceFigures, public_figures

# The levels that have a public page of their own: the ones the public figures show as rows.
PAGE_LEVELS = (UNIT_LEVEL, AREA_LEVEL)


@dataclass(frozen=True)
class PublicPlace:
    """A place a public page can be about: the unit or area itself, and the area it belongs to."""

    place: Place
    level: str
    active: bool
    area: Place | None


def public_place(session: Session, *, code: str, language: str) -> PublicPlace | None:
    """The unit or result area with this code as the public sees it; None for an unknown code or another level."""
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None or unit.level not in PAGE_LEVELS:
        return None
    area = None
    if unit.level == UNIT_LEVEL:
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        area_row = session.exec(select(Unit).where(Unit.level == AREA_LEVEL, Unit.id.in_(ids))).first()
        area = Place(area_row.code, area_row.name(language)) if area_row else None
    return PublicPlace(place=Place(unit.code, unit.name(language)), level=unit.level, active=unit.active, area=area)


def place_figures(session: Session, *, code: str, language: str, quarters: list[Quarter],
                  min_n: int) -> PlaceFigures | None:
    """A place's public figures, hidden exactly as in its area's table (so that no page gives away a hidden one).

    A closed unit has no row in its area's table, so its figures stay hidden (None), like an unknown code.
    """
    found = public_place(session, code=code, language=language)
    if found is None or not found.active:
        return None
    if found.level == AREA_LEVEL:
        parent, _ = public_figures(session, language=language, quarters=quarters, min_n=min_n, area_code=code)
        _, areas = public_figures(session, language=language, quarters=quarters, min_n=min_n)
        # An area's row as the county's table shows it: hidden there with its siblings, hidden here too.
        return next((row for row in areas if row.place.code == code), parent)
    if found.area is None:
        return None
    _, units = public_figures(session, language=language, quarters=quarters, min_n=min_n, area_code=found.area.code)
    return next((row for row in units if row.place.code == code), None)


def action_quarters(session: Session, *, unit_code: str | None = None) -> list[tuple[Quarter, int]]:
    """The quarters that have published actions (of a place's subtree, when given), newest first, with counts."""
    place = aliased(Unit)
    query = (select(func.extract("year", Action.taken_on), func.extract("month", Action.taken_on), func.count())
             .join(Theme, Theme.id == Action.theme_id).join(place, place.id == Theme.unit_id)
             .where(Action.published_at.is_not(None), Action.public_text.is_not(None)))
    if unit_code:
        chosen = session.exec(select(Unit).where(Unit.code == unit_code)).first()
        if chosen is None:
            return []
        query = query.where(place.path.startswith(chosen.path))
    counts: dict[Quarter, int] = {}
    for year, month, n in session.exec(query.group_by(func.extract("year", Action.taken_on),
                                                      func.extract("month", Action.taken_on))).all():
        quarter = Quarter(int(year), (int(month) - 1) // 3 + 1)
        counts[quarter] = counts.get(quarter, 0) + int(n)
    return sorted(counts.items(), reverse=True)


def public_loop_places(session: Session, *, code: str | None) -> tuple[Unit | None, list[Unit]]:
    """The loop table's places: the county and its areas, or an area and its units, or a unit alone."""
    if code is None:
        parent = session.exec(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
        level = AREA_LEVEL
    else:
        parent = session.exec(select(Unit).where(Unit.code == code)).first()
        level = UNIT_LEVEL
    if parent is None or not parent.active:
        return None, []
    if parent.level == UNIT_LEVEL:
        return parent, []
    children = session.exec(select(Unit).where(Unit.active, Unit.level == level,
                                               Unit.path.startswith(parent.path))).all()
    return parent, sorted(children, key=lambda u: u.name_fi.casefold())
