"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, a fixed clock, a small tree."""
from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from board.periods import parse_local_or_aware
from data.db import make_engine, session_scope
from data.schema import upgrade
from data.settings import DEFAULT_TEST_PG_URL, Settings
from data import texts as data_texts
from pages.ui import texts

# In tests a text missing in the reader's language is an error, never a silent Finnish fallback.
texts.STRICT = True
data_texts.STRICT = True

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("VARTTI_TEST_PG_URL") or DEFAULT_TEST_PG_URL
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Monday of ISO week 48, 10.00 in Helsinki (EET, UTC+2).
NOW = datetime(2026, 11, 23, 8, 0)


# `VARTTI_NOW=… make test` moves the app's day for the whole run (`make test-dates`). It is taken out of the
# environment here, so that only the tests that pin the app's clock (AppTest, the demo server) see it.
SUITE_DAY = os.environ.pop("VARTTI_NOW", None)


def app_now() -> datetime:
    """What the app's clock reads in AppTest and e2e runs: NOW, or the day the run was moved to."""
    return parse_local_or_aware(SUITE_DAY) if SUITE_DAY else NOW


def pinned_clock() -> str:
    """app_now() as the VARTTI_NOW value that pins a server or AppTest to it."""
    return app_now().isoformat() + "+00:00"


def leave_demo(monkeypatch) -> None:
    """Run the app as production would: no demo sign-in, and so no pinned clock either."""
    monkeypatch.delenv("VARTTI_DEMO", raising=False)
    monkeypatch.delenv("VARTTI_NOW", raising=False)


def _postgres_problem() -> str | None:
    try:
        with create_engine(PG_URL).connect() as connection:
            connection.execute(text("select 1"))
    except Exception as problem:  # any failure means: no PostgreSQL to test on
        return f"PostgreSQL at {make_url(PG_URL).render_as_string(hide_password=True)} unreachable: {problem}"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL URL; in CI an unreachable server fails the run instead of skipping."""
    problem = _postgres_problem()
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    return PG_URL


def _fresh_postgres(base_url: str):
    schema = f"vartti_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), lambda: _drop_schema(admin, schema)


def _drop_schema(admin, schema: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def database_url(request, tmp_path):
    """An empty, unmigrated database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vartti.db'}"
        return
    url, drop = _fresh_postgres(request.getfixturevalue("postgres_url"))
    yield url
    drop()


def pytest_generate_tests(metafunc):
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def engine(database_url):
    """A migrated database on each backend."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="unused", demo=True, reply_days=14, min_n=5)


@pytest.fixture
def session(engine):
    with session_scope(engine, write=True) as session:
        yield session
