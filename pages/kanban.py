"""`/kanban?unit=CODE`: the improvement themes of a unit's subtree on a kanban, with each theme's action log.

The page lays out the heading, the link to the duels, the form for a new theme, the board, the escalation
panel and the opened theme; the widgets and their callbacks live in pages/ui/ (kanban_board, kanban_card,
kanban_figures, theme_dialog, action_log, kanban_outcome). Every write runs in a widget callback and leaves
a notice or a toast for the run that follows (pages/ui/kanban_outcome.py).
"""
from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from auth.access import AccessDenied
from auth.roles import Permission
from data.db import session_scope
from data.kanban import KanbanView, kanban
from data.units import UnknownUnit, list_units
from pages.ui.context import app_context
from pages.ui.escalation_panel import escalation_panel
from pages.ui.kanban_board import kanban_board, kanban_heading, new_theme_form
from pages.ui.kanban_outcome import DENIED, OPEN, RELOAD, close_theme, show_toast
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.refusal import refuse
from pages.ui.texts import t
from pages.ui.theme_dialog import theme_dialog

LOG = logging.getLogger(__name__)
PAGE = "pages/kanban.py"
DUELS = "pages/duels.py"

context = app_context()


def _choose_unit(message: str | None, *, open_the_only_one: bool = False) -> None:
    if message:
        st.info(message)
    with session_scope(context.engine) as session:
        units = list_units(session, viewer=context.viewer, permission=Permission.VIEW_KANBAN)
    if not units:
        st.info(t("home.no_units"))
        return
    if open_the_only_one and len(units) == 1:
        st.switch_page(PAGE, query_params={"unit": units[0].code})  # one unit: nothing to choose
    labels = {unit.code: f"{unit.name(current())} ({unit.code})"
              for unit in sorted(units, key=lambda u: (u.level != "unit", u.name(current())))}
    with st.form("kanban-unit", border=False):
        code = st.selectbox(t("kanban.pick"), list(labels), format_func=labels.get, index=None,
                            placeholder=t("kanban.pick"))
        opened = st.form_submit_button(t("kanban.open_board"), type="primary")
    if opened and code:
        st.switch_page(PAGE, query_params={"unit": code})
    if opened:
        st.warning(t("home.pick_first"))


def _read(code: str) -> KanbanView | None:
    try:
        with session_scope(context.engine) as session:
            return kanban(session, viewer=context.viewer, unit_code=code, now=context.now(), settings=context.settings,
                          language=current())
    except UnknownUnit:
        st.title(t("nav.kanban"), anchor=False)
        _choose_unit(t("kanban.unknown_unit", code=inert(code)))
    except AccessDenied as denied:
        st.title(t("nav.kanban"), anchor=False)
        refuse(context, denied)
        _choose_unit(None)
    except SQLAlchemyError:
        LOG.exception("the kanban of %s could not be read", code)
        st.title(t("nav.kanban"), anchor=False)
        st.error(t("kanban.read_error"))
    return None


def _opened_theme(view: KanbanView) -> None:
    """The theme the user opened, while it is still on the board."""
    cards = {card.id: card for column in view.columns for card in column.cards}
    opened = st.session_state.get(OPEN)
    if opened in cards:
        theme_dialog(context, cards[opened], view.can_edit)
    elif opened is not None:
        close_theme()


def main() -> None:
    if context.viewer is None:
        st.stop()
    st.session_state.pop(RELOAD, None)
    denied = st.session_state.pop(DENIED, None)
    if denied is not None:
        refuse(context, denied)
    show_toast()
    code = (st.query_params.get("unit") or "").strip()
    if not code:
        st.title(t("nav.kanban"), anchor=False)
        _choose_unit(t("kanban.no_unit"), open_the_only_one=True)
        return
    view = _read(code)
    if view is None:
        return
    kanban_heading(view)
    if view.can_edit:
        # Who may edit themes may also let the team vote on what matters most (issue 20).
        st.page_link(DUELS, label=t("kanban.duels_link"), icon=":material/compare_arrows:",
                     query_params={"unit": view.unit_code})
        new_theme_form(context, view)
    kanban_board(context, view)
    escalation_panel(context, view.unit_code)  # ritual14: escalation between tiers
    _opened_theme(view)


main()
