"""A closed duel's result on the kanban: the identified themes' new order, and the button that sets it."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from board.duel import InvalidDuel
from data.db import session_scope
from data.duel_results import reorder_themes, theme_order
from data.duels import DuelResult
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.plain import inert
from pages.ui.texts import t, tn


def reorder_panel(context: AppContext, result: DuelResult, act: Callable[..., bool]) -> None:
    """The new order of "Tunnistettu" by the ranking (the duel's themes first), set with one button."""
    try:
        with session_scope(context.engine) as session:
            order = theme_order(session, viewer=context.viewer, duel_id=result.id, now=context.now())
    except InvalidDuel:
        return
    ranked = [p for p in order if p.place is not None]
    if not ranked:
        return
    with st.expander(t("duels.reorder.heading"), key=f"duels-reorder-{result.id}"):
        st.caption(t("duels.reorder.intro"))
        for place in order:
            where = (t("duels.reorder.place", place=fmt.number(place.place)) if place.place is not None
                     else t("duels.reorder.after"))
            st.markdown(f"{inert(where)} · {inert(place.title)}")
        if all(p.place_now == p.place for p in order):
            st.caption(t("duels.reorder.done_already"))
            return
        seen = {p.theme_id: p.version for p in order}
        if st.button(t("duels.reorder.submit"), key=f"duels-reorder-go-{result.id}"):
            act(lambda session, viewer, now: reorder_themes(session, viewer=viewer, duel_id=result.id, seen=seen,
                                                            now=now),
                tn("duels.reorder.done", len(ranked), n=fmt.number(len(ranked))))
