"""A save that meets a busy database (another writer holds the lock): a clear "try again" in the reader's
language, never Streamlit's generic error, and what the user typed is still in its fields."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from data import db
from data.db import session_scope
from data.models import Theme
from tests.ui.conftest import open_page

BUSY = {"fi": "Tallennus ei onnistunut juuri nyt – yritä uudelleen.",
        "en": "Saving did not succeed just now – please try again."}
ADD = {"fi": "Lisää teema", "en": "Add theme"}


@contextmanager
def theme_table_locked(database_url: str):
    """Another writer holds the lock that adding a theme needs, until the block ends."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    engine = create_engine(database_url)
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE theme IN EXCLUSIVE MODE"))  # reads go on, writes wait
        yield
        holder.rollback()
    engine.dispose()


def _shown(app) -> str:
    return "\n".join(str(e.value) for kind in ("error", "warning", "toast", "markdown") for e in getattr(app, kind))


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_save_on_a_busy_database_says_try_again_and_keeps_what_was_typed(county, database_url, monkeypatch,
                                                                             language):
    monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 1)
    app = open_page("pages/kanban.py", as_="ui:supervisor", unit="U1", lang=language)
    app.text_input(key="new-theme-title").input("Laboratorion jonotus")
    with theme_table_locked(database_url):
        next(b for b in app.button if b.label == ADD[language]).click().run()
    assert not app.exception
    assert BUSY[language] in _shown(app)
    assert app.text_input(key="new-theme-title").value == "Laboratorion jonotus"
    with session_scope(county) as session:
        assert session.exec(select(Theme).where(Theme.title == "Laboratorion jonotus")).first() is None
    # The lock is gone: the same press saves it.
    next(b for b in app.button if b.label == ADD[language]).click().run()
    assert not app.exception and BUSY[language] not in _shown(app)
    with session_scope(county) as session:
        assert session.exec(select(Theme).where(Theme.title == "Laboratorion jonotus")).one()
