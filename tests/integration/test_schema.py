"""The migrated schema matches the models, keeps its promises, and SQLite is tuned as data/db.py says."""
from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from data.db import make_engine, session_scope
from data.models import Feedback, Unit, metadata
from data.schema import schema_state, upgrade
from tests.conftest import NOW
from tests.factories import make_tree


def _compare_server_default(context, inspected_column, metadata_column, inspected_default,
                            metadata_default, rendered_metadata_default):
    # theme.description has `server_default=""`. SQLite reflects that `DEFAULT ''` as "('')" while
    # the model's default renders as the bare empty string; Alembic's SQLite comparator unquotes only
    # non-empty literals (regex '(.+)'), so it reports the column as changed although the DDL is
    # exactly the model's. Only that case is decided here: returning None leaves every other
    # default, and every default on PostgreSQL, to Alembic's own comparison.
    if context.dialect.name == "sqlite" and rendered_metadata_default == "":
        return inspected_default not in ("('')", "''")
    return None


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "compare_server_default": _compare_server_default,
        })
        # The trigram indexes of the text search (PostgreSQL, only where pg_trgm may be installed) are the
        # migration's, not the models': the only difference allowed, and only that one.
        return [diff for diff in compare_metadata(context, metadata)
                if not (diff[0] == "remove_index" and diff[1].name.startswith("ix_feedback_trgm_"))]


def test_the_migrated_database_is_exactly_the_models(engine):
    assert _differences(engine) == []


def test_the_comparison_sees_a_missing_index(engine):
    # The check above can fail: drop one index the queries need and it is reported.
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_feedback_unit_received"))
    assert [diff[0] for diff in _differences(engine)] == ["add_index"]


def test_an_unmigrated_database_has_no_revision(database_url):
    engine = make_engine(database_url)
    try:
        state = schema_state(engine)
        assert state.current is None and state.head and not state.is_current
        upgrade(engine)
        state = schema_state(engine)
        assert state.current == state.head and state.is_current
    finally:
        engine.dispose()


def test_upgrading_a_current_database_again_changes_nothing(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    before = schema_state(engine)
    upgrade(engine)
    assert schema_state(engine) == before and before.is_current
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Unit)).one() == 7
    assert _differences(engine) == []


@pytest.mark.parametrize(
    "table, name, columns",
    [
        ("feedback", "ix_feedback_unit_received", ["unit_id", "received_at"]),
        ("feedback", "ix_feedback_unit_reply", ["unit_id", "reply_requested", "replied_at", "received_at"]),
        ("theme", "ix_theme_unit_stage", ["unit_id", "stage"]),
        ("unit", "ix_unit_path", ["path"]),
        ("theme_feedback", "ix_theme_feedback_feedback_id", ["feedback_id"]),
        ("action", "ix_action_theme_taken", ["theme_id", "taken_on"]),
        ("feedback", "ix_feedback_received_id", ["received_at", "id"]),
        ("feedback", "ix_feedback_unit_nps", ["unit_id", "nps", "received_at"]),
        ("feedback", "ix_feedback_awaiting", ["unit_id", "received_at"]),
    ],
)
def test_the_indexes_the_queries_need_exist(engine, table, name, columns):
    indexes = {index["name"]: index for index in inspect(engine).get_indexes(table)}
    assert name in indexes, sorted(indexes)
    assert indexes[name]["column_names"] == columns
    assert not indexes[name]["unique"]


@pytest.mark.parametrize(
    "table, name, columns",
    [
        ("feedback", "uq_feedback_source_source_id", ["source", "source_id"]),
        ("unit", "uq_unit_code", ["code"]),
    ],
)
def test_the_unique_constraints_exist(engine, table, name, columns):
    constraints = {c["name"]: c["column_names"] for c in inspect(engine).get_unique_constraints(table)}
    assert constraints.get(name) == columns, constraints


def _feedback(unit_id: int, source: str, source_id: str) -> Feedback:
    return Feedback(unit_id=unit_id, source=source, source_id=source_id, received_at=datetime(2026, 11, 1))


def test_the_database_refuses_a_second_feedback_with_the_same_source_and_id(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        unit_id = session.exec(select(Unit.id).where(Unit.code == "U1")).one()
        session.add(_feedback(unit_id, "webropol", "123"))
        session.add(_feedback(unit_id, "kiosk", "123"))  # same id in another system is fine
    with pytest.raises(IntegrityError):
        with session_scope(engine, write=True) as session:
            session.add(_feedback(unit_id, "webropol", "123"))
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Feedback)).one() == 2


@pytest.mark.parametrize(
    "row",
    [
        lambda: _feedback(9999, "webropol", "1"),
        lambda: Unit(code="ORPHAN", parent_id=9999, name_fi="Orpo", level="unit"),
    ],
    ids=["feedback of a missing unit", "unit under a missing parent"],
)
def test_the_database_refuses_a_row_pointing_at_nothing(engine, row):
    with pytest.raises(IntegrityError):
        with session_scope(engine, write=True) as session:
            session.add(row())


def test_a_second_unit_with_the_same_code_is_refused(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    with pytest.raises(IntegrityError):
        with session_scope(engine, write=True) as session:
            session.add(Unit(code="U1", name_fi="Toinen", level="unit"))


# ---------------------------------------------------------------- SQLite tuning

@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'vartti.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    engine.dispose()
    return url


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def impatient_engine(sqlite_url):
    """A second engine on the same file that waits only 0.1 s for a lock instead of 30 s."""
    engine = make_engine(sqlite_url)

    @event.listens_for(engine, "connect")
    def _short_timeout(dbapi_connection, _record):  # runs after make_engine's own listener
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    yield engine
    engine.dispose()


def _rename_u1(session, name: str) -> None:
    unit = session.exec(select(Unit).where(Unit.code == "U1")).one()
    unit.name_fi = name
    session.flush()


@pytest.mark.parametrize("first_has_written", [True, False], ids=["after writing", "before writing"])
def test_a_second_writer_cannot_begin_while_a_write_session_is_open(sqlite_engine, impatient_engine,
                                                                     first_has_written):
    with session_scope(sqlite_engine, write=True) as first:
        if first_has_written:
            _rename_u1(first, "Ensimmäinen")
        else:
            # A deferred transaction would take no write lock for a read; BEGIN IMMEDIATE does.
            first.exec(select(Unit.id)).all()
        with pytest.raises(OperationalError, match="locked"):
            with session_scope(impatient_engine, write=True) as second:
                # Even a read fails: the write lock is asked for when the transaction begins.
                second.exec(select(Unit.id)).all()
        # A reader is not blocked (WAL) and sees the state before the open write.
        with session_scope(impatient_engine) as reader:
            assert reader.exec(select(Unit.name_fi).where(Unit.code == "U1")).one() == "Keskustan terveysasema"
    with session_scope(impatient_engine, write=True) as second:
        _rename_u1(second, "Toinen")
    with session_scope(sqlite_engine) as session:
        assert session.exec(select(Unit.name_fi).where(Unit.code == "U1")).one() == "Toinen"


def test_write_sessions_begin_immediate_and_read_sessions_deferred(sqlite_engine):
    statements = []

    @event.listens_for(sqlite_engine, "before_cursor_execute")
    def _capture(_conn, _cursor, statement, *_args):
        statements.append(statement.strip().upper())

    with session_scope(sqlite_engine, write=True) as session:
        session.exec(select(Unit.id)).all()
    with session_scope(sqlite_engine) as session:
        session.exec(select(Unit.id)).all()
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


@pytest.mark.parametrize("pragma, expected", [("foreign_keys", 1), ("journal_mode", "wal"),
                                              ("busy_timeout", 10000)])
def test_sqlite_connections_are_tuned(sqlite_engine, pragma, expected):
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_the_text_search_has_its_trigram_indexes_on_postgresql(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("a trigram index is PostgreSQL's")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes "
                                       "WHERE schemaname = current_schema() AND tablename = 'feedback' "
                                       "AND indexname LIKE 'ix_feedback_trgm_%'")).all()
    assert sorted(name for name, _ in rows) == ["ix_feedback_trgm_free_text", "ix_feedback_trgm_open_answer"]
    assert all("gin_trgm_ops" in definition for _, definition in rows)
