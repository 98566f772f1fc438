"""AppTest fixtures: the app pointed at a test database in demo mode."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from streamlit.testing.v1 import AppTest

from board.periods import as_utc_naive
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def real_now() -> datetime:
    """AppTest runs the pages with the real clock, so test data is placed relative to it."""
    return as_utc_naive(datetime.now(timezone.utc))


@pytest.fixture
def app_env(monkeypatch, engine, database_url):
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.delenv("VARTTI_MIN_N", raising=False)
    monkeypatch.delenv("VARTTI_REPLY_DAYS", raising=False)
    return engine


def open_page(page: str | None = None, **query: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    return app.run()
