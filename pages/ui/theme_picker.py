"""Choosing the theme a feedback joins: an open theme from the list, or the title of a new one."""
from __future__ import annotations

import streamlit as st

from data.themes import ThemeChoice
from pages.ui.texts import t
from pages.ui.relabel import relabelled


def by_title(choices: list[ThemeChoice]) -> dict[str, int]:
    """The offered themes by their title in any case (the first of a title wins)."""
    return {c.title.strip().casefold(): c.id for c in reversed(choices)}


def theme_labels(choices: list[ThemeChoice]) -> dict[int, str]:
    return {c.id: t("inbox.act.theme_label", title=c.title, stage=t("stage." + c.stage.value), unit=c.unit_code)
            for c in choices}


def theme_inputs(choices: list[ThemeChoice], key: str) -> None:
    """The list of open themes (`{key}-theme`) and a new theme's title (`{key}-new`), one under the other."""
    labels = theme_labels(choices)
    if labels:
        st.selectbox(t("inbox.act.theme"), list(labels), format_func=labels.get, index=None,
                     placeholder=t("inbox.act.theme_pick"), key=relabelled(f"{key}-theme"))
    else:
        st.caption(t("inbox.act.no_themes"))
    st.text_input(t("inbox.act.new_theme"), help=t("inbox.act.new_theme_help"), key=f"{key}-new", max_chars=200)


def theme_given(key: str, existing: dict[str, int]) -> dict:
    """The theme chosen in the inputs under `key`: a typed title makes a new theme (or, when an open theme
    offered there has that title, means that one), otherwise the theme chosen from the list."""
    title = (st.session_state.get(f"{key}-new") or "").strip()
    if title and title.casefold() in existing:
        return {"theme_id": existing[title.casefold()], "new_theme_title": None}
    if title:
        return {"theme_id": None, "new_theme_title": title}
    return {"theme_id": st.session_state.get(f"{key}-theme"), "new_theme_title": None}
