"""AppTest fixtures: the app pointed at a test database in demo mode."""
from __future__ import annotations


import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data.db import session_scope
from data.access import add_grant
from tests.conftest import ROOT, app_now, pinned_clock
from tests.factories import make_tree

APP = str(ROOT / "app.py")
# A run of the whole app: the first one imports it cold, and on a loaded 2-core CI machine that took over 30 s.
RUN_TIMEOUT = 90


@pytest.fixture
def app_env(monkeypatch, engine, database_url):
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_NOW", pinned_clock())  # the pages read the same clock as the test data
    monkeypatch.delenv("VARTTI_MIN_N", raising=False)
    monkeypatch.delenv("VARTTI_REPLY_DAYS", raising=False)
    yield engine
    # The app caches one engine per database URL; release it so its connections close.
    st.cache_resource.clear()


# Principals of the test county's people: (role, unit of the grant); "ui:nobody" has no grant.
PEOPLE = {
    "ui:director": ("director", "C"),
    "ui:team": ("team", "U1"),
    "ui:supervisor": ("supervisor", "U1"),
    "ui:admin": ("admin", "C"),
}


@pytest.fixture
def county(app_env):
    """The test tree with a grant for each of PEOPLE; returns the engine."""
    with session_scope(app_env, write=True) as session:
        make_tree(session, app_now())
        for principal, (role, unit) in PEOPLE.items():
            add_grant(session, actor=None, principal=principal, role=role, unit_code=unit, now=app_now())
    return app_env


def open_page(page: str | None = None, as_: str | None = "ui:director", **query: str) -> AppTest:
    """Run the app signed in (demo mode) as a principal, on a page with a query."""
    app = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    if as_:
        app.session_state["vartti.demo_persona"] = as_
    for key, value in query.items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    return app.run()
