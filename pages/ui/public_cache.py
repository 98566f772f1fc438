"""The public page's figures and actions, cached for many anonymous readers; cleared on publishing."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from board.quarters import Quarter
from data.db import session_scope
from data.public import (ACTIONS_SHOWN, PlaceFigures, Place, PublicAction, count_public_actions, public_actions,
                         public_areas, public_figures, public_units)
from data.public_loop import PlaceLoop, public_loop
from data.public_place import PublicPlace, action_quarters, place_figures, public_loop_places, public_place

# Several replicas each hold their own cache: the time to live bounds how stale another replica may be.
TTL_SECONDS = 600


@st.cache_data(ttl=TTL_SECONDS, max_entries=5000, show_spinner=False)
def actions(database_url: str, _engine: Engine, language: str, area: str | None, unit: str | None,
            topic: str | None, search: str, quarter: Quarter | None = None,
            page: int = 1) -> tuple[list[PublicAction], int, int]:
    """One page of published actions for one language and one set of filters, how many there are in all, and
    the page shown (the last one when the link asked for a page beyond it)."""
    with session_scope(_engine) as session:
        filters = {"area_code": area, "unit_code": unit, "topic": topic, "search": search, "quarter": quarter}
        total = count_public_actions(session, **filters)
        page = max(1, min(page, -(-total // ACTIONS_SHOWN)))
        shown = public_actions(session, language=language, limit=ACTIONS_SHOWN,
                               offset=(page - 1) * ACTIONS_SHOWN, **filters)
        return shown, total, page


@st.cache_data(ttl=TTL_SECONDS, max_entries=500, show_spinner=False)
def archive(database_url: str, _engine: Engine, unit: str | None) -> list[tuple[Quarter, int]]:
    """The quarters with published actions (of a place, when given), newest first, with counts."""
    with session_scope(_engine) as session:
        return action_quarters(session, unit_code=unit)


@st.cache_data(ttl=TTL_SECONDS, max_entries=500, show_spinner=False)
def place(database_url: str, _engine: Engine, language: str, code: str) -> PublicPlace | None:
    """The unit or area of a public page of its own; None for an unknown code."""
    with session_scope(_engine) as session:
        return public_place(session, code=code, language=language)


@st.cache_data(ttl=TTL_SECONDS, max_entries=500, show_spinner=False)
def own_figures(database_url: str, _engine: Engine, language: str, code: str, quarters: tuple[Quarter, ...],
                min_n: int) -> PlaceFigures | None:
    """A unit's or area's figures, hidden as in its area's table."""
    with session_scope(_engine) as session:
        return place_figures(session, code=code, language=language, quarters=list(quarters), min_n=min_n)


@st.cache_data(ttl=TTL_SECONDS, max_entries=500, show_spinner=False)
def loop(database_url: str, _engine: Engine, language: str, code: str | None,
         quarters: tuple[Quarter, ...]) -> list[PlaceLoop]:
    """The loop figures of the county and its areas, an area and its units, or one unit (first the parent)."""
    with session_scope(_engine) as session:
        parent, children = public_loop_places(session, code=code)
        if parent is None:
            return []
        return public_loop(session, places=[parent, *children], quarters=list(quarters), language=language)


@st.cache_data(ttl=TTL_SECONDS, max_entries=500, show_spinner=False)
def places(database_url: str, _engine: Engine, language: str, area: str | None) -> tuple[list[Place], list[Place]]:
    """The areas, and the units of an area (or all), for the filters."""
    with session_scope(_engine) as session:
        return public_areas(session, language=language), public_units(session, language=language, area_code=area)


@st.cache_data(ttl=TTL_SECONDS, max_entries=500, show_spinner=False)
def figures(database_url: str, _engine: Engine, language: str, quarters: tuple[Quarter, ...], min_n: int,
            area: str | None) -> tuple[PlaceFigures | None, list[PlaceFigures]]:
    """The county's (or an area's) figures per quarter with its areas (or units)."""
    with session_scope(_engine) as session:
        return public_figures(session, language=language, quarters=list(quarters), min_n=min_n, area_code=area)


def forget() -> None:
    """Drop the cached public page after an action is published, unpublished or edited, or a setting changes."""
    for cached in (actions, places, figures, archive, place, own_figures, loop):
        cached.clear()
