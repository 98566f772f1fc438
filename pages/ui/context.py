"""What app.py hands to the pages of one rerun: the settings and the shared engine."""
from __future__ import annotations

import runpy
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from data.settings import Settings

_KEY = "vartti.context"
APP = Path(__file__).resolve().parents[2] / "app.py"


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    language: str = "fi"


def provide(context: AppContext) -> None:
    st.session_state[_KEY] = context


def app_context() -> AppContext:
    """The context app.py provided; a page run without app.py runs it first."""
    context = st.session_state.get(_KEY)
    if context is None:
        # Because a pages/ folder exists, the first request a new server gets runs the page file
        # directly (Streamlit's legacy multipage mode) until st.navigation is first called.
        # Running app.py here calls it, and app.py then runs the requested page itself.
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
    return context
