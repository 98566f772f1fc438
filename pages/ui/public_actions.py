"""The public list of published actions: a page at a time, links to newer and older ones, and the quarter archive.

Paging and the archive are plain links with query parameters (`?page=N`, `?period=YYYY-QN`), so that a page
of the list can be linked to and every step is a link the keyboard reaches.
"""
from __future__ import annotations

import re

import streamlit as st

from board.likert import STATEMENTS
from board.quarters import Quarter
from data.public import ACTIONS_SHOWN, PublicAction
from pages.ui import format as fmt
from pages.ui.plain import in_language, inert
from pages.ui.texts import t

_QUARTER_KEY = re.compile(r"^(\d{4})-Q([1-4])$")
MOST_PAGES = 10_000


def quarter_key(quarter: Quarter) -> str:
    """A quarter as it goes in a link: 2026-Q3."""
    return f"{quarter.year}-Q{quarter.number}"


def quarter_from_link(value: str | None) -> tuple[Quarter | None, str | None]:
    """The quarter of `?period=YYYY-QN`, or (None, the refused value) when it is something else."""
    value = (value or "").strip()
    if not value:
        return None, None
    found = _QUARTER_KEY.match(value)
    if found is None:
        return None, value[:40]
    return Quarter(int(found.group(1)), int(found.group(2))), None


def page_from_link(value: str | None) -> int:
    """The page of `?page=N`: 1 for anything that is not a whole number from 1 up."""
    value = (value or "").strip()
    return min(int(value), MOST_PAGES) if value.isdigit() and int(value) >= 1 else 1


def quarter_name(quarter: Quarter) -> str:
    """A quarter in the reader's words, e.g. "Q3/2026"."""
    return t("public.quarter", number=inert(quarter.number), year=inert(quarter.year))


def _statement(key: str, language: str) -> str:
    statement = next(s for s in STATEMENTS if s.key == key)
    return getattr(statement, language)


def _one(action: PublicAction, language: str) -> None:
    with st.container(border=True):
        st.subheader(inert(t("public.actions.meta", day=fmt.day(action.taken_on, language),
                                  unit=action.unit.name, area=action.area.name if action.area else "")
                           .rstrip(" ·")), anchor=False)
        # The text in the reader's language, or the Finnish one said to be Finnish, with its lang.
        in_language(action.text, language=action.text_language,
                    note=t("content.in_finnish") if action.text_language != language else None)
        notes = []
        if action.answers:
            notes.append(t("public.actions.answers", count=fmt.number(action.answers, language=language)))
        if action.topic:
            notes.append(t("public.actions.topic", topic=_statement(action.topic, language)))
        if action.owner:
            notes.append(t("public.actions.owner", owner=action.owner))
        if notes:
            st.caption(inert(" · ".join(notes)))


def action_list(shown: list[PublicAction], total: int, page: int, *, language: str, link_page,
                query: dict[str, str]) -> None:
    """One page of actions, how many there are, and links to the newer and older pages."""
    if not shown:
        st.write(t("public.actions.none"))
        return
    first = (page - 1) * ACTIONS_SHOWN + 1
    st.caption(t("public.actions.page_count", first=fmt.number(first, language=language),
                 last=fmt.number(first + len(shown) - 1, language=language),
                 total=fmt.number(total, language=language)))
    for action in shown:
        _one(action, language)
    pages = -(-total // ACTIONS_SHOWN)
    if link_page is None or pages <= 1:
        return
    with st.container(horizontal=True, key="public-pages"):
        if page > 1:
            st.page_link(link_page, label=t("public.pages.newer"), icon=":material/arrow_back:",
                         query_params={**query, "page": str(page - 1)})
        if page < pages:
            st.page_link(link_page, label=t("public.pages.older"), icon=":material/arrow_forward:",
                         query_params={**query, "page": str(page + 1)})


def archive(quarters: list[tuple[Quarter, int]], chosen: Quarter | None, *, language: str, link_page,
            query: dict[str, str]) -> None:
    """Links to each quarter's actions (and back to all of them), newest first."""
    if link_page is None or not quarters:
        return
    st.subheader(t("public.archive.heading"), anchor=False)
    with st.container(horizontal=True, key="public-archive"):
        if chosen is not None:
            st.page_link(link_page, label=t("public.archive.all"), icon=":material/list:", query_params=query)
        for quarter, count in quarters:
            if quarter != chosen:
                st.page_link(link_page, label=t("public.archive.item", quarter=quarter_name(quarter),
                                                 count=fmt.number(count, language=language)),
                             icon=":material/calendar_month:",
                             query_params={**query, "period": quarter_key(quarter)})
