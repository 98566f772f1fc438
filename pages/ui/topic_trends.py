"""Recurring and emerging topics of a unit's unthemed feedback, with "make a theme of these" in one click.
A page calls `render(context)`; the widget picks among the units where the viewer handles feedback."""
from __future__ import annotations

import streamlit as st

from auth.access import AccessDenied
from auth.roles import Permission
from data.db import session_scope
from data.units import list_units
from data.topic_trends import make_theme_of, unit_topic_trends
from pages.ui import format as fmt
from pages.ui.language import current
from pages.ui.refusal import refuse
from pages.ui.saving import saving
from pages.ui.texts import t

UNIT = "topic-trends-unit"
OPEN = "topic-trends-open"
SHOWN = 6


def _make_theme(context, unit_code: str, title: str, feedback_ids: tuple[int, ...]) -> None:
    try:
        with saving(context.engine) as session:
            make_theme_of(session, viewer=context.viewer, unit_code=unit_code, title=title,
                          feedback_ids=list(feedback_ids), now=context.now())
    except AccessDenied as denied:
        refuse(context, denied)
    else:
        st.toast(t("topics.trends.made", n=fmt.number(len(feedback_ids))), icon=":material/add_task:")


def render(context) -> None:
    with session_scope(context.engine) as session:
        units = {u.code: u.name(current()) for u in list_units(session, viewer=context.viewer,
                                                                  permission=Permission.HANDLE_FEEDBACK)}
    if not units:
        return
    # The trends read a unit's month of feedback and its suggestions: only while the panel is open, not on
    # every click in the inbox below it.
    with st.expander(t("topics.trends.heading"), icon=":material/trending_up:", key=OPEN, on_change="rerun"):
        if not st.session_state.get(OPEN):
            return
        code = st.selectbox(t("topics.trends.unit"), options=list(units), format_func=units.get, key=UNIT)
        with session_scope(context.engine) as session:
            trends = unit_topic_trends(session, viewer=context.viewer, unit_code=code, now=context.now(),
                                       language=current())
        trends = [trend for trend in trends if trend.trend.this_month][:SHOWN]
        if not trends:
            st.caption(t("topics.trends.none"))
            return
        st.caption(t("topics.trends.intro"))
        for trend in trends:
            with st.container(horizontal=True, vertical_alignment="center", key=f"topic-trend-{trend.topic_id}"):
                if trend.trend.emerging:
                    st.badge(t("topics.trends.emerging"), color="orange", icon=":material/trending_up:")
                # The topic name is set by an admin: shown as plain text.
                st.text(trend.name)
                st.caption(t("topics.trends.counts", now=fmt.number(trend.trend.this_month),
                             before=fmt.number(trend.trend.monthly_before, 1)))
                if trend.trend.emerging and trend.feedback_ids:
                    st.button(t("topics.trends.make", n=fmt.number(len(trend.feedback_ids))),
                              key=f"topic-trend-make-{trend.topic_id}", icon=":material/add_task:",
                              on_click=_make_theme, args=(context, code, trend.name, trend.feedback_ids))
