"""A unit's or an area's own public page, `/public?unit=CODE`: what it changed, its figures, how to give feedback."""
from __future__ import annotations

import streamlit as st

from board.quarters import Quarter
from pages.ui import public_cache as cache
from pages.ui.context import AppContext
from pages.ui.plain import inert
from pages.ui.public_actions import action_list, archive, quarter_name
from pages.ui.public_figures import figures_table, trend
from pages.ui.public_loop import loop_by_quarter
from pages.ui.texts import t


def _back(link_page, language: str) -> None:
    if link_page is not None:
        st.page_link(link_page, label=t("public.unit.back"), icon=":material/arrow_back:",
                     query_params={"lang": language})


def unit_page(context: AppContext, code: str, *, language: str, quarters: tuple[Quarter, ...],
              chosen: Quarter | None, page: int, link_page, refused: str | None = None) -> bool:
    """The page of the unit or area `code`; False (after saying so) when there is no such public page."""
    url, engine, settings = context.settings.database_url, context.engine, context.settings
    found = cache.place(url, engine, language, code)
    if found is None:
        st.title(t("public.title"), anchor=False)
        st.error(t("public.unit.unknown", code=inert(code)))
        _back(link_page, language)
        return False
    st.title(inert(found.place.name), anchor=False)
    if found.area is not None:
        st.caption(t("public.unit.area", area=inert(found.area.name)))
    if refused is not None:
        st.warning(t("public.period.refused", period=inert(refused)))
    _back(link_page, language)
    query = {"lang": language, "unit": found.place.code}
    st.header(t("public.actions.heading"), anchor=False)
    if chosen is not None:
        st.caption(t("public.archive.showing", quarter=quarter_name(chosen)))
    shown, total, page = cache.actions(url, engine, language, None, found.place.code, None, "", chosen, page)
    action_list(shown, total, page, language=language, link_page=link_page,
                query={**query, **({"period": f"{chosen.year}-Q{chosen.number}"} if chosen else {})})
    archive(cache.archive(url, engine, found.place.code), chosen, language=language, link_page=link_page, query=query)
    st.header(t("public.figures.heading"), anchor=False)
    if not found.active:
        st.info(t("public.unit.closed", place=inert(found.place.name)))
        return True
    st.write(t("public.figures.intro"))
    figures = cache.own_figures(url, engine, language, found.place.code, quarters, settings.min_n)
    if figures is not None:
        st.caption(t("public.unit.figures_caption", place=inert(found.place.name)))
        figures_table("public-unit-figures", [(quarter_name(q.quarter), q) for q in figures.quarters[::-1]],
                      t("public.figures.quarter"), language)
        st.caption(inert(t("public.figures.hidden_note", min_n=settings.min_n)))
    loops = cache.loop(url, engine, language, found.place.code, quarters)
    if loops:
        loop_by_quarter(loops[0])
    if figures is not None:
        trend(figures, language)
    return True
