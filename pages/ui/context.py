"""What app.py hands to the pages of one rerun: the settings and the shared engine."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from data.settings import Settings

_KEY = "vartti.context"


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    language: str = "fi"


def provide(context: AppContext) -> None:
    st.session_state[_KEY] = context


def app_context() -> AppContext:
    return st.session_state[_KEY]
