"""A big file on PostgreSQL is stored part by part while a second process prepares it (data/import_worker.py):
the same rows, counts, rejects and aggregates as the file prepared first, one transaction all the same, and no
other writer waits for it. SQLite prepares the file before it takes its one write lock."""
from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from data import import_worker
from data.db import make_engine, session_scope
from data.feedback_files import UnknownProfile
from data.file_reading import FileUnusable, ImportLimits
from data.import_worker import import_file, parted
from data.imports import import_feedback, prepare_import
from data.models import Feedback, ImportReject, ImportRun
from tests import raw_figures as raw
from tests.conftest import NOW
from tests.import_support import (
    HETUS,
    another_import_commits_after_the_first_write,
    county,  # noqa: F401  (the fixture)
    native_csv,
    native_row,
    sql_count,
    the_preparing_process_is_killed_at_each_write,
)

ROWS = 12_000  # three parts of import_pipeline.BATCH
WAIT = 60


def _rows(count: int, seed: int = 16) -> list[dict[str, str]]:
    rng = random.Random(seed)
    first = datetime(2025, 6, 1)
    rows = []
    for i in range(count):
        received = first + timedelta(seconds=rng.randrange(500 * 86400))
        requested = rng.random() < 0.4
        replied = received + timedelta(hours=rng.choice((1, 13, 400))) if requested and rng.random() < 0.5 else None
        rows.append(native_row(
            f"p{i}", unit_code=rng.choice(("U1", "U2", "U3")), received_at=received.isoformat() + "+00:00",
            nps=str(rng.randrange(11)), channel=rng.choice(("", "toimipiste", "verkko")),
            collection=rng.choice(("", "sms", "web")), reply_requested="1" if requested else "0",
            replied_at=replied.isoformat() + "+00:00" if replied else "", open_answer=rng.choice(("Hyvä", "", "Hidas"))))
    return rows


def _big_file() -> bytes:
    """Rejects, duplicates and conflicts in every part, an identity code to mask in the last one."""
    rows = _rows(ROWS)
    for at in (3, 5_500, 11_900):
        rows[at]["nps"] = "11"
    rows[7_000] = dict(rows[10])                          # the same row again, in the second part
    rows[11_000] = {**rows[20], "nps": "0" if rows[20]["nps"] != "0" else "1"}  # the same key, other content
    rows[9_000]["open_answer"] = f"Soittakaa, hetuni on {HETUS[0]}"
    return native_csv(rows).encode()


def _importing_apart(engine) -> tuple[threading.Thread, dict]:
    """The big file imported in a thread of its own (so a hang fails the test, not the run); its summary or error."""
    outcome = {}

    def run():
        try:
            outcome["summary"] = import_file(engine, actor=None, content=_big_file(), file_name="iso.csv", now=NOW)
        except Exception as problem:  # reported by the asserts of the test
            outcome["summary"] = problem

    importer = threading.Thread(target=run, daemon=True)
    importer.start()
    return importer, outcome


@pytest.fixture
def pg_county(county, monkeypatch):
    if county.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL stores a file part by part (SQLite: see the test of `parted`)")
    monkeypatch.setattr(import_worker, "PARTED_BYTES", 1)
    return county


@pytest.fixture
def parts_taken(monkeypatch):
    """How many parts each part-by-part preparation gave (one entry a preparation)."""
    taken: list[int] = []
    real = import_worker.parts_prepared_apart

    def counted(*args, **kwargs):
        taken.append(0)
        for part in real(*args, **kwargs):
            taken[-1] += 1
            yield part

    monkeypatch.setattr(import_worker, "parts_prepared_apart", counted)
    return taken


def test_only_a_big_file_on_postgresql_is_prepared_part_by_part(county):
    big, small = b"x" * import_worker.PARTED_BYTES, b"x" * (import_worker.PARTED_BYTES - 1)
    assert parted(county, big) is (county.dialect.name == "postgresql")
    assert parted(county, small) is False


def test_a_file_stored_part_by_part_ends_as_the_file_prepared_first(pg_county, parts_taken):
    content = _big_file()
    with session_scope(pg_county, write=True) as session:
        import_feedback(session, actor=None, content=native_csv([_rows(30)[25]]).encode(), file_name="a.csv", now=NOW)
    with session_scope(pg_county) as session:
        whole = prepare_import(session, actor=None, content=content, file_name="iso.csv").summary
    summary = import_file(pg_county, actor=None, content=content, file_name="iso.csv", now=NOW)
    assert parts_taken == [3]
    assert summary.as_json() == whole.as_json() == {
        "read": ROWS, "inserted": ROWS - 6, "duplicates": 2, "conflicts": 1, "rejected": 3, "redacted": 1}
    assert [(r.row_number, r.column, r.reason) for r in summary.rejects] == [
        (r.row_number, r.column, r.reason) for r in whole.rejects]
    with session_scope(pg_county) as session:
        assert session.execute(select(func.count()).select_from(Feedback)).scalar_one() == ROWS - 6 + 1
        assert sorted(session.execute(select(ImportReject.row_number)).scalars()) == [5, 5_502, 11_002, 11_902]
        run = session.scalars(select(ImportRun).where(ImportRun.file_name == "iso.csv")).one()
        assert (run.inserted, run.duplicates, run.conflicts, run.rejected) == (ROWS - 6, 2, 1, 3)
        assert HETUS[0] not in session.execute(select(Feedback.open_answer).where(
            Feedback.source_id == "p9000")).scalar_one()
        assert raw.stored_tables(session) == raw.expected_tables(session)
    again = import_file(pg_county, actor=None, content=content, file_name="iso.csv", now=NOW)
    assert (again.inserted, again.duplicates) == (0, ROWS - 4)


def test_a_file_that_breaks_a_limit_after_parts_were_stored_leaves_nothing(pg_county, parts_taken):
    with pytest.raises(FileUnusable) as refused:
        import_file(pg_county, actor=None, content=_big_file(), file_name="iso.csv", now=NOW,
                    limits=ImportLimits(max_rows=ROWS - 1))
    assert refused.value.reason == "import.file.too_many_rows"
    assert parts_taken == [2]  # two parts were stored before the breach was read
    assert sql_count(pg_county, "feedback") == sql_count(pg_county, "import_run") == 0
    assert sql_count(pg_county, "feedback_day") == 0


def test_an_unknown_profile_is_told_from_the_preparing_process_and_nothing_is_written(pg_county):
    with pytest.raises(UnknownProfile):
        import_file(pg_county, actor=None, content=_big_file(), file_name="iso.csv", now=NOW, profile="roidu")
    assert sql_count(pg_county, "import_run") == 0


def test_a_preparing_process_that_dies_half_way_fails_the_import_and_nothing_is_written(pg_county, monkeypatch):
    the_preparing_process_is_killed_at_each_write(monkeypatch)
    importer, outcome = _importing_apart(pg_county)
    importer.join(WAIT)
    assert not importer.is_alive(), "the import waited for the dead process"
    assert isinstance(outcome["summary"], import_worker.PrepareFailed), outcome["summary"]
    assert sql_count(pg_county, "feedback") == sql_count(pg_county, "import_run") == 0


def test_a_key_stored_by_another_import_meanwhile_is_found_when_the_file_is_prepared_again(pg_county, parts_taken):
    content = _big_file()
    with session_scope(pg_county) as session:
        stale = prepare_import(session, actor=None, content=content, file_name="iso.csv")
    others = [row for row in _rows(ROWS) if row["source_id"] in ("p4", "p8000")]
    with session_scope(pg_county, write=True) as session:
        import_feedback(session, actor=None, content=native_csv(others).encode(), file_name="b.csv", now=NOW)
    summary = import_file(pg_county, actor=None, content=content, file_name="iso.csv", now=NOW,
                          prepare=lambda: [stale])
    assert parts_taken == [3]  # the stale preparation failed on a key; the second went part by part
    assert (summary.inserted, summary.duplicates) == (ROWS - 7, 3)
    assert sql_count(pg_county, "feedback") == ROWS - 5


def test_another_import_committing_between_two_parts_is_counted_once_each(pg_county, monkeypatch):
    other = native_csv([native_row("other-1"), native_row("other-2")]).encode()
    another_import_commits_after_the_first_write(monkeypatch, pg_county, other, NOW)
    assert import_file(pg_county, actor=None, content=_big_file(), file_name="iso.csv", now=NOW).inserted == ROWS - 5
    with session_scope(pg_county) as session:
        assert session.execute(select(func.count()).select_from(Feedback)).scalar_one() == ROWS - 5 + 2
        assert raw.stored_tables(session) == raw.expected_tables(session)


def test_a_sign_in_is_saved_at_once_while_a_file_is_being_stored_part_by_part(pg_county, monkeypatch):
    from auth.roles import Role
    from data.access import record_sign_in
    from tests.factories import person

    with session_scope(pg_county) as session:
        anna = person(session, Role.SUPERVISOR, "U1", "Anna")
    one_stored, release = threading.Event(), threading.Event()
    real = import_worker.parts_prepared_apart

    def held(*args, **kwargs):
        for number, part in enumerate(real(*args, **kwargs)):
            if number == 1:
                # The first part is written in the import's open transaction: hold it there.
                one_stored.set()
                assert release.wait(WAIT), "the import was never released"
            yield part

    monkeypatch.setattr(import_worker, "parts_prepared_apart", held)
    importer, outcome = _importing_apart(pg_county)
    try:
        assert one_stored.wait(WAIT), "the import never stored a part"
        saved = threading.Event()

        def sign_in():
            with session_scope(pg_county, write=True) as session:
                record_sign_in(session, viewer=anna, now=NOW)
            saved.set()

        writer = threading.Thread(target=sign_in)
        writer.start()
        assert saved.wait(5), "the sign-in waited behind the import"
        writer.join(WAIT)
        assert sql_count(pg_county, "feedback") == 0  # the import's part is not committed yet
    finally:
        release.set()
        importer.join(WAIT)
    assert outcome["summary"].inserted == ROWS - 5, outcome["summary"]


LIMITED_ROLE = "vartti_test_one_connection"


@pytest.fixture
def one_connection_engine(pg_county, database_url):
    """The county's schema seen through a role PostgreSQL lets open one connection at a time."""
    schema = make_url(database_url).query["options"].removeprefix("-csearch_path=")
    with pg_county.begin() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": LIMITED_ROLE})
        if exists.first() is None:
            connection.execute(text(f"CREATE ROLE {LIMITED_ROLE} LOGIN CONNECTION LIMIT 1"))
        for grant in (f'GRANT USAGE ON SCHEMA "{schema}"', f'GRANT ALL ON ALL TABLES IN SCHEMA "{schema}"',
                      f'GRANT ALL ON ALL SEQUENCES IN SCHEMA "{schema}"'):
            connection.execute(text(f"{grant} TO {LIMITED_ROLE}"))
    limited = make_engine(make_url(database_url).set(username=LIMITED_ROLE).render_as_string(hide_password=False))
    try:
        yield limited
    finally:
        limited.dispose()
        with pg_county.begin() as connection:
            connection.execute(text(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {LIMITED_ROLE}'))
            connection.execute(text(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM {LIMITED_ROLE}'))
            connection.execute(text(f'REVOKE USAGE ON SCHEMA "{schema}" FROM {LIMITED_ROLE}'))


def test_a_database_the_preparing_process_cannot_use_is_told_as_the_database_and_nothing_is_written(
        one_connection_engine, pg_county):
    with one_connection_engine.connect() as connection:  # the importer's pool keeps it: the role's one connection
        connection.execute(select(func.count()).select_from(ImportRun))
    with pytest.raises(OperationalError, match="too many connections for role"):
        import_file(one_connection_engine, actor=None, content=_big_file(), file_name="iso.csv", now=NOW)
    assert sql_count(pg_county, "feedback") == sql_count(pg_county, "import_run") == 0
