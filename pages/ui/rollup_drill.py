"""From a roll-up node to what is behind its figures: its themes and actions of the period, and the inbox."""
from __future__ import annotations

import streamlit as st

from board.periods import period_key
from data.db import session_scope
from data.report import may_read_feedback, node_items
from data.rollup import Rollup, RollupNode
from pages.ui import format as fmt
from pages.ui.plain import inert
from pages.ui.texts import t

NPS_GROUPS = ("all", "detractor", "passive", "promoter")


def inbox_query(result: Rollup, node: RollupNode, group: str) -> dict[str, str]:
    """The query of the inbox link of a node, period and NPS group: `/inbox?unit=…&kind=…&period=…&nps=…`."""
    query = {"unit": node.code, "kind": result.kind, "period": period_key(result.kind, result.period)}
    if group != "all":
        query["nps"] = group
    return query


def drill_through(context, result: Rollup, node: RollupNode, *, language: str) -> None:
    """An expander under the key figures: the node's themes in development, the period's actions, inbox links."""
    with st.expander(t("rollup.drill.title", language, name=inert(node.name(language))), icon=":material/search:"):
        with session_scope(context.engine) as session:
            themes, actions = node_items(session, viewer=context.viewer, unit_code=node.code, period=result.period)
            feedback_allowed = may_read_feedback(session, viewer=context.viewer, unit_code=node.code)
        st.markdown(f"**{t('report.themes', language)}**")
        st.markdown("\n".join(
            "- " + t("report.theme_item", language, title=inert(theme.title), unit=inert(theme.unit_name),
                     stage=t(f"stage.{theme.stage}", language)) for theme in themes)
            or t("report.themes_none", language))
        st.markdown(f"**{t('report.actions', language)}**")
        st.markdown("\n".join(
            "- " + t("report.action_item", language, day=fmt.day(action.taken_on, language),
                     theme=inert(action.theme_title), unit=inert(action.unit_name), text=inert(action.text))
            for action in actions) or t("report.actions_none", language))
        if not feedback_allowed:
            return
        st.markdown(f"**{t('rollup.drill.inbox', language)}**")
        for column, group in zip(st.columns(len(NPS_GROUPS)), NPS_GROUPS):
            column.page_link("pages/inbox.py", label=t(f"rollup.drill.group.{group}", language),
                             icon=":material/inbox:", query_params=inbox_query(result, node, group))
