"""Saving one user action: when the database is busy, nothing is saved and the page says "try again".

Every page writes through `saving`, so a lock time-out (SQLite's "database is locked", PostgreSQL's
lock time-out or serialization failure) never reaches Streamlit's generic error: the page runs again
with everything the user typed still in its fields, and `busy_notice` says the save did not go through.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from data.db import is_busy, session_scope
from pages.ui.texts import t

LOG = logging.getLogger(__name__)
_BUSY = "vartti.save_busy"
_LOGGED = "a save was not done, the database is busy: %s"  # for the log, not the reader


@contextmanager
def saving(engine: Engine) -> Iterator[Session]:
    """The write transaction of one user action; a busy database ends the action and reruns the page."""
    try:
        with session_scope(engine, write=True) as session:
            yield session
    except OperationalError as problem:
        if not is_busy(problem):
            raise
        LOG.warning(_LOGGED, problem.orig)
        st.session_state[_BUSY] = True
        # Widget values survive a rerun (forms too), so what the user typed is still there.
        st.rerun()


def busy_notice() -> None:
    """Say once, on the run after it, that the last save did not go through (app.py calls this)."""
    if st.session_state.pop(_BUSY, False):
        st.error(t("save.busy"), icon=":material/sync_problem:")
