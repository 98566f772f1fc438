"""The reader's language for this rerun: Finnish, Swedish or English.

Chosen in the language picker or with `?lang=fi|sv|en` on any page, kept for the browser session,
and for a signed-in person remembered across sessions (data/languages.py). Outside a Streamlit run
(unit tests, command line) it is Finnish.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from data.texts import DEFAULT, LANGUAGES  # noqa: F401  (the catalogues' languages)
QUERY = "lang"
_CHOSEN = "vartti.language"
_SETTLED_FOR = "vartti.language.settled_for"
# Streamlit serves every page as <html lang="en">; a screen reader reads the page in the language it names
# (WCAG 3.1.1). One constant script per language: nothing a user wrote goes into it.
PAGE_LANGUAGE_SCRIPTS = {code: f"<script>document.documentElement.lang = '{code}';</script>" for code in LANGUAGES}


def current() -> str:
    """The language the page is shown in."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT
    chosen = st.session_state.get(_CHOSEN)
    return chosen if chosen in LANGUAGES else DEFAULT


def choose(language: str) -> None:
    """Show this session in the language from now on; an address with ?lang= follows the choice."""
    if language not in LANGUAGES:
        return
    st.session_state[_CHOSEN] = language
    if QUERY in st.query_params:
        st.query_params[QUERY] = language


def take_from_address() -> None:
    """`?lang=fi|sv|en` in the address chooses the language; anything else there is ignored."""
    asked = (st.query_params.get(QUERY) or "").strip().lower()
    if asked in LANGUAGES:
        st.session_state[_CHOSEN] = asked


def settle_for(subject: str | None, *, saved: Callable[[], str | None], save: Callable[[str], None]) -> None:
    """Once per person and session: a choice made before signing in is saved, else the saved one is used."""
    if subject is None or st.session_state.get(_SETTLED_FOR) == subject:
        return
    st.session_state[_SETTLED_FOR] = subject
    chosen = st.session_state.get(_CHOSEN)
    if chosen in LANGUAGES:
        save(chosen)
        return
    remembered = saved()
    if remembered in LANGUAGES:
        st.session_state[_CHOSEN] = remembered


def mark_page() -> None:
    """The page's <html lang> is the reader's language."""
    st.html(PAGE_LANGUAGE_SCRIPTS[current()], unsafe_allow_javascript=True)
