""""Asukkaiden TOP 10" on the public page: the published duels' best answers, with participants and votes."""
from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from data.db import session_scope
from data.duels import public_duels
from pages.ui import format as fmt
from pages.ui.context import AppContext
from pages.ui.language import current
from pages.ui.plain import show
from pages.ui.texts import t

LOG = logging.getLogger(__name__)


def public_top(context: AppContext) -> None:
    """The published duels, newest first; nothing at all when none is published."""
    try:
        with session_scope(context.engine) as session:
            results = public_duels(session, now=context.now(), language=current())
    except SQLAlchemyError:
        LOG.exception("the published duels could not be read")
        return
    if not results:
        return
    st.header(t("duel_public.heading"), anchor=False)
    st.write(t("duel_public.intro"))
    for result in results:
        with st.container(border=True, key=f"duel-public-{result.id}"):
            show(result.question)
            show(result.unit_name)
            st.caption(t("duel_ranking.counts", participants=fmt.number(result.participants),
                         votes=fmt.number(result.votes)))
            top = result.top
            if not top:
                st.caption(t("duel_ranking.none_yet", n=fmt.number(6)))
                continue
            for place, standing in enumerate(top, start=1):
                with st.container(horizontal=True):
                    st.markdown(f"**{fmt.number(place)}.**", width=40)
                    show(standing.text, width="stretch")
