"""The language picker at the top right of every page (not on wall screens)."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.ui import language
from pages.ui.texts import t

_PICKER = "vartti.language.picker"


def _picked(remember: Callable[[str], None] | None) -> None:
    picked = st.session_state.get(_PICKER)
    if picked not in language.LANGUAGES:
        return
    language.choose(picked)
    if remember is not None:
        remember(picked)


def language_picker(*, remember: Callable[[str], None] | None = None) -> None:
    """Suomi · Svenska · English, each in its own language; `remember` keeps a signed-in person's choice."""
    st.session_state[_PICKER] = language.current()
    with st.container(key="language-picker"):
        st.segmented_control(t("language.label"), language.LANGUAGES, format_func=lambda code: t(f"language.{code}"),
                             key=_PICKER, required=True, label_visibility="collapsed", on_change=_picked,
                             args=(remember,))
