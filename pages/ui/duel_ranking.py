"""The live ranking of a duel on the duel management page (the wall board's compact one is pages/ui/duel_wall.py)."""
from __future__ import annotations

import logging

import streamlit as st

from board.duel import SHOWN_AFTER
from data.duels import DuelResult, Standing
from pages.ui import format as fmt
from pages.ui.plain import show
from pages.ui.texts import t

LOG = logging.getLogger(__name__)


def _row(place: int, standing: Standing, key: str) -> None:
    with st.container(key=f"{key}-{place}", horizontal=True, vertical_alignment="center"):
        st.markdown(f"**{fmt.number(place)}.**", width=40)
        show(standing.text, width="stretch")
    st.progress(max(0.0, min(1.0, standing.score / 100)))
    st.caption(t("duel_ranking.score", score=fmt.number(standing.score), low=fmt.number(standing.low),
                 high=fmt.number(standing.high), n=fmt.number(standing.comparisons)))


def ranking(result: DuelResult, *, key: str = "duel-rank", most: int = 10) -> None:
    """The shown items best first, each with its score, 95 % interval and number of comparisons."""
    st.caption(t("duel_ranking.counts", participants=fmt.number(result.participants),
                 votes=fmt.number(result.votes)))
    shown = result.top[:most]
    if not shown:
        st.info(t("duel_ranking.none_yet", n=fmt.number(SHOWN_AFTER)))
        return
    for place, standing in enumerate(shown, start=1):
        _row(place, standing, key)
    waiting = sum(1 for s in result.standings if not s.shown and not s.hidden)
    if waiting:
        st.caption(t("duel_ranking.waiting", count=fmt.number(waiting), n=fmt.number(SHOWN_AFTER)))
    st.caption(t("duel_ranking.score_help"))
    if result.without_most_active is not None:
        with st.expander(t("duel_ranking.without_active"), expanded=True):
            for place, standing in enumerate([s for s in result.without_most_active if s.shown][:most], start=1):
                with st.container(horizontal=True):
                    st.markdown(f"**{fmt.number(place)}.**", width=40)
                    show(standing.text, width="stretch")
