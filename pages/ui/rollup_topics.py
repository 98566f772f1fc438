"""On the roll-up: the topics people tagged on each unit's feedback of the period (issue 19), a small table."""
from __future__ import annotations

import streamlit as st

from data.db import session_scope
from data.rollup import Rollup, RollupNode
from data.topic_rollup import UnitTopics, topics_by_unit
from pages.ui import format as fmt
from pages.ui.texts import t

MOST_SHOWN = 5  # topics named per unit, most frequent first


def topic_rows(result: Rollup, units: list[UnitTopics], language: str) -> list[dict[str, str]]:
    """One row per unit: its name, the period's feedback, the tags, its most frequent topics with their counts."""
    rows = []
    for unit in units:
        node = result.node(unit.code) if unit.code in result.nodes else None
        top = " · ".join(f"{topic.name} {fmt.number(topic.count, language=language)}"
                         for topic in unit.topics[:MOST_SHOWN])
        rows.append({
            t("rollup.col.name", language): unit.name,
            t("rollup.col.volume", language): "–" if node is None else fmt.number(node.current.volume,
                                                                                   language=language),
            t("rollup.topics.col.tagged", language): fmt.number(unit.tagged, language=language),
            t("rollup.topics.col.top", language): top or "–",
        })
    return rows


def topics_table(context, result: Rollup, focus: RollupNode, *, language: str) -> None:
    """The topics of the focus's units below (or of the focus itself), as tagged by people, within scope."""
    st.subheader(t("rollup.topics.title", language), anchor=False)
    st.caption(t("rollup.topics.caption", language))
    with session_scope(context.engine) as session:
        units = topics_by_unit(session, viewer=context.viewer, unit_code=focus.code, period=result.period,
                               language=language)
    if not any(unit.topics for unit in units):
        st.write(t("rollup.topics.none", language))
        return
    # st.dataframe shows cells as plain text: unit and topic names are not ours.
    st.dataframe(topic_rows(result, units, language), hide_index=True, key="rollup-topics",
                 column_config={  # the counts narrow, so that the topics (the point of the table) are not cut
                     t("rollup.col.name", language): st.column_config.TextColumn(width="medium"),
                     t("rollup.col.volume", language): st.column_config.TextColumn(width="small"),
                     t("rollup.topics.col.tagged", language): st.column_config.TextColumn(width="small"),
                     t("rollup.topics.col.top", language): st.column_config.TextColumn(width="large")})
