"""The public page's figures and actions, cached for many anonymous readers; cleared on publishing."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from board.quarters import Quarter
from data.db import session_scope
from data.public import PlaceFigures, Place, PublicAction, public_actions, public_areas, public_figures, public_units

# Several replicas each hold their own cache: the time to live bounds how stale another replica may be.
TTL_SECONDS = 600


@st.cache_data(ttl=TTL_SECONDS, max_entries=5000, show_spinner=False)
def actions(database_url: str, _engine: Engine, language: str, area: str | None, unit: str | None,
            topic: str | None, search: str) -> list[PublicAction]:
    """Published actions for one language and one set of filters."""
    with session_scope(_engine) as session:
        return public_actions(session, language=language, area_code=area, unit_code=unit, topic=topic,
                              search=search)


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
    actions.clear()
    places.clear()
    figures.clear()
