"""The kanban itself: its heading, the form for a new theme, and the columns of cards (the flow, then the exits)."""
from __future__ import annotations

import streamlit as st

from board.kanban import OPEN
from board.stages import EXITS, FLOW
from data.kanban import KanbanColumn, KanbanView
from data.themes import create_theme
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.kanban_card import kanban_card
from pages.ui.kanban_outcome import act, show_notice, stage_name, value
from pages.ui.plain import inert
from pages.ui.texts import t

# Static styles only: no user text ever goes here.
_STYLE = """<style>
.st-key-kanban-board [class*="st-key-card-"] { background: #ffffff; }
[class*="st-key-head-"] h3 { padding-bottom: 0; font-size: clamp(1rem, 1.4vw, 1.5rem); }
[class*="st-key-head-"][class*="-over"] { border-left: 4px solid #b3261e; padding-left: 8px; }
[class*="st-key-figures-"][class*="-card"] p { font-size: 0.875rem; line-height: 1.45; }
</style>"""

_NEW_THEME = ("new-theme-title", "new-theme-description", "new-theme-owner")


def _create(context: AppContext, unit_code: str) -> None:
    title, description, owner = (value(k) or "" for k in _NEW_THEME)
    if act(context, ("create", 0),
           lambda session, viewer, now: create_theme(session, viewer=viewer, unit_code=unit_code, title=title,
                                                     description=description, owner=owner, now=now),
           t("kanban.create.done")):
        for key in _NEW_THEME:
            st.session_state[key] = ""
        st.session_state["new-theme"] = False


def new_theme_form(context: AppContext, view: KanbanView) -> None:
    """A new theme for the unit, in an expander that a theme added closes again."""
    # The expander keeps its state, so that a theme added closes it again.
    with st.expander(t("kanban.create.title"), icon=":material/add:", key="new-theme", on_change="rerun"):
        show_notice(("create", 0))
        with st.form("new-theme-form", border=False):
            st.text_input(t("kanban.field.title"), key="new-theme-title", max_chars=200)
            st.text_area(t("kanban.field.description"), key="new-theme-description", height=90)
            st.text_input(t("kanban.field.owner"), key="new-theme-owner", max_chars=200)
            st.form_submit_button(t("kanban.create.submit"), type="primary", on_click=_create,
                                  args=(context, view.unit_code))


def _column_head(column: KanbanColumn) -> None:
    with st.container(key=f"head-{column.stage.value}" + ("-over" if column.over else "")):
        st.subheader(stage_name(column.stage), anchor=False)
        column_facts = [t("kanban.column.count", count=fmt.number(column.count))]
        if column.stage in OPEN:  # only the open stages can have a limit
            column_facts.append(t("kanban.column.limit", limit=fmt.number(column.limit)) if column.limit is not None
                                else t("kanban.column.no_limit"))
        st.caption(" · ".join(column_facts))
        if column.over:
            st.badge(t("kanban.column.over"), icon=":material/warning:", color="red")


def _column(context: AppContext, view: KanbanView, column: KanbanColumn) -> None:
    with st.container(key=f"column-{column.stage.value}"):
        _column_head(column)
        if not column.cards:
            st.caption(t("kanban.column.empty"))
        for card in column.cards:
            kanban_card(context, view, card)


def kanban_heading(view: KanbanView) -> None:
    """The unit's name and what the page is for (read only, when the viewer may not edit)."""
    st.html(_STYLE)
    st.title(t("kanban.title", unit=inert(view.unit_name)), anchor=False)
    st.caption(t("kanban.intro") + ("" if view.can_edit else " " + t("kanban.read_only")))


def kanban_board(context: AppContext, view: KanbanView) -> None:
    """The open stages side by side, then the exits under their own heading."""
    with st.container(key="kanban-board"):
        for column, place in zip([view.column(s) for s in FLOW], st.columns(len(FLOW), gap="small")):
            with place:
                _column(context, view, column)
        st.subheader(t("kanban.exits.title"), anchor=False, divider="gray")
        for column, place in zip([view.column(s) for s in EXITS], st.columns(len(FLOW), gap="small")):
            with place:
                _column(context, view, column)
