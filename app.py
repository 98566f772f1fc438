"""Vartti: page set-up, settings, the database check and navigation."""
from __future__ import annotations

import os

import streamlit as st
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from data.db import make_engine
from data.schema import schema_state
from data.settings import SettingsError, load_settings
from pages.ui.context import AppContext, provide
from pages.ui.texts import t

st.set_page_config(page_title=t("app.title"), page_icon=":material/groups:", layout="wide",
                   initial_sidebar_state="collapsed")


def _configured_values() -> dict[str, str]:
    """Environment over secrets.toml: the one place that reads either."""
    values: dict[str, str] = {}
    try:
        values.update({k: str(v) for k, v in st.secrets.items() if isinstance(v, (str, int, bool))})
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        pass
    values.update({k: v for k, v in os.environ.items() if k.startswith("VARTTI_")})
    return values


@st.cache_resource
def _engine(url: str):
    return make_engine(url)


def _stop_with(message: str) -> None:
    st.error(message, icon=":material/error:")
    st.stop()


try:
    settings = load_settings(_configured_values())
except SettingsError as problem:
    _stop_with(t("error.settings", problem=problem))

if not settings.demo:
    _stop_with(t("error.not_configured"))

try:
    engine = _engine(settings.database_url)
    state = schema_state(engine)
except (SQLAlchemyError, OSError):
    _stop_with(t("error.database_unreachable",
                 url=make_url(settings.database_url).render_as_string(hide_password=True)))
if state.current is None:
    _stop_with(t("error.schema_empty"))
if not state.is_current:
    _stop_with(t("error.schema_behind", current=state.current, head=state.head))

provide(AppContext(settings=settings, engine=engine))

if settings.demo:
    st.caption(t("demo.banner"))

home = st.Page("pages/home.py", title=t("nav.units"), icon=":material/apartment:", default=True)
huddle = st.Page("pages/huddle.py", title=t("nav.huddle"), icon=":material/groups:", url_path="huddle")
st.navigation([home, huddle]).run()
