"""The "Aiheet" tab of /admin: the county's topics, and how well each is suggested on the staff's own tags."""
from __future__ import annotations

import streamlit as st

from board.periods import helsinki_date
from data.db import session_scope
from data.topics import topic_quality
from pages.ui import format as fmt
from pages.ui.language import current
from pages.ui.texts import t


def _share(value: float | None) -> str:
    return t("topics.admin.none") if value is None else f"{fmt.number(100 * value)} %"


def render(context) -> None:
    with session_scope(context.engine) as session:
        model, rows = topic_quality(session, viewer=context.viewer, language=current())
    st.write(t("topics.admin.intro"))
    if model is None:
        st.info(t("topics.admin.untrained"))
    else:
        st.caption(t("topics.admin.trained", when=f"{fmt.day(helsinki_date(model.trained_at))} {fmt.clock(model.trained_at)}",
                     n=fmt.number(model.examples)))
    # The topic names are edited by admins: shown as data, never as Markdown.
    st.dataframe(
        [{t("topics.admin.topic"): row.name, t("topics.admin.tags"): row.tags,
          t("topics.admin.precision"): _share(row.precision), t("topics.admin.recall"): _share(row.recall),
          t("topics.admin.suggested"): t("topics.admin.yes") if row.suggested else t("topics.admin.no")}
         for row in rows],
        hide_index=True, width="stretch")
    st.caption(t("topics.admin.how"))
