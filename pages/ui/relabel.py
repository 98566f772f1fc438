"""Choice widgets whose option labels follow the reader's language.

A keyed selectbox (also a multiselect, segmented control or pills) is known to the browser by its key
alone, and the browser keeps the label of the chosen option it was last sent: after a switch from
Finnish to Swedish the filter still read "Kaikki" or "Odottaa vastausta" although its options were
Swedish. Giving the widget its own value again through session state in the first run in a new
language makes Streamlit send the value, and so its label in the new language, to the browser. The
value itself (a code such as "awaiting") never changes.
"""
from __future__ import annotations

import streamlit as st

from pages.ui.language import current

_SHOWN_IN = "vartti.relabel.shown_in"


def relabelled(key: str) -> str:
    """The widget key, after re-sending the widget's value when the language changed since it was last shown."""
    shown_in: dict[str, str] = st.session_state.setdefault(_SHOWN_IN, {})
    language = current()
    if key in st.session_state and shown_in.get(key, language) != language:
        st.session_state[key] = st.session_state[key]
    shown_in[key] = language
    return key
