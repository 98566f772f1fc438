"""What app.py hands to the pages of one rerun: the settings and the shared engine."""
from __future__ import annotations

import runpy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from collections.abc import Callable

from sqlalchemy import Engine

from auth.access import Viewer
from auth.config import SignInConfig
from data.settings import Settings

_KEY = "vartti.context"
APP = Path(__file__).resolve().parents[2] / "app.py"


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    viewer: Viewer | None
    sign_in: SignInConfig
    resolve: Callable[[], Viewer | None]
    language: str = "fi"

    def now(self) -> datetime:
        return self.settings.now()


def provide(context: AppContext) -> None:
    st.session_state[_KEY] = context


def app_context() -> AppContext:
    """The context app.py provided in this run; a page run without app.py runs it first."""
    context = st.session_state.get(_KEY)
    if context is None or PagesManager.uses_pages_directory:
        # Because a pages/ folder exists, Streamlit runs a page file directly (its legacy multipage
        # mode) until st.navigation is first called: the first request of a new server, and every
        # AppTest run. Running app.py here calls it, and app.py then runs the requested page itself.
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
    return context
