"""A broken set-up gives a clear message and no data: no sign-in, no database, an old schema."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from data.db import make_engine
from tests.conftest import leave_demo
from tests.ui.conftest import open_page


def errors(app) -> str:
    return "\n".join(e.value for e in app.error)


def test_without_demo_mode_or_sign_in_the_app_shows_a_configuration_error(app_env, monkeypatch):
    leave_demo(monkeypatch)
    app = open_page("pages/huddle.py", unit="U1")
    assert "kirjautumista ei ole määritetty" in errors(app)
    assert not app.metric and not app.exception


@pytest.mark.parametrize("as_", [None, "ui:director"])
def test_an_unreachable_database_is_told_calmly_and_its_address_goes_only_to_the_server_log(monkeypatch, caplog,
                                                                                           as_):
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_DATABASE_URL", "postgresql+psycopg://vartti_user:secret@127.0.0.1:1/vartti_db")
    with caplog.at_level(logging.ERROR, logger="vartti"):
        app = open_page(None, as_=as_)
    assert "Tietokantaan ei juuri nyt saada yhteyttä" in errors(app)
    for part in ("vartti_user", "secret", "127.0.0.1", ":1", "vartti_db", "postgresql"):
        assert part not in errors(app)
    assert "vartti_user:***@127.0.0.1:1/vartti_db" in caplog.text and "secret" not in caplog.text
    assert not app.exception


def test_an_empty_database_says_to_migrate(monkeypatch, tmp_path):
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    app = open_page()
    assert "python -m data migrate" in errors(app)
    assert not app.exception


def test_a_schema_behind_the_code_says_to_migrate(app_env, database_url):
    with make_engine(database_url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    app = open_page()
    assert "vanhentunut" in errors(app) and "python -m data migrate" in errors(app)
    assert not app.exception


def test_a_bad_setting_is_named(app_env, monkeypatch):
    monkeypatch.setenv("VARTTI_MIN_N", "viisi")
    app = open_page()
    assert "VARTTI_MIN_N" in errors(app).replace("\\", "")  # escaped: it may hold what was written
    assert not app.exception
