"""Test files for imports: native CSV rows, valid identity codes in every form, a database scan."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pytest
from sqlalchemy import Engine, inspect, text

from data.feedback_files import NATIVE_FIELDS

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
           "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}


def hetu(day: str, sign: str, individual: int) -> str:
    """A valid henkilötunnus: DDMMYY, century sign, individual number, the right check character."""
    number = int(day + f"{individual:03d}")
    return f"{day}{sign}{individual:03d}{CHECK[number % 31]}"


# Every century sign (2023 ones included), lower case, temporary numbers (900–999), an en dash.
HETUS = [hetu("131052", "-", 308), hetu("010199", "+", 123), hetu("150623", "A", 2),
         *[hetu("290200", sign, 46) for sign in "BCDEF"], *[hetu("311299", sign, 777) for sign in "YXWVU"],
         hetu("010120", "A", 900), hetu("241280", "-", 999), hetu("070707", "B", 555).lower(),
         hetu("020202", "-", 404).replace("-", "\u2013")]

BASE = {"source": "kysely", "unit_code": "U1", "received_at": "2026-11-20T09:15:00", "service_date": "2026-11-19",
        "channel": "toimipiste", "collection": "sms", "nps": "9", "saatavuus": "5", "open_answer": "Hyvä palvelu",
        "free_text": "", "reply_requested": "0", "language": "fi"}


def native_row(key: str, **fields: str) -> dict[str, str]:
    return {**BASE, "source_id": key, **fields}


def native_csv(rows: Iterable[dict[str, str]], delimiter: str = ",", columns=NATIVE_FIELDS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), delimiter=delimiter, extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def identity_codes_in(value: str) -> list[str]:
    """The test corpus's identity codes (in any case or dash) found in a text."""
    folded = value.upper().replace("\u2013", "-")
    return [code for code in HETUS if code.upper().replace("\u2013", "-") in folded]


def database_text(engine: Engine) -> str:
    """Every text and JSON value in every table, as one string to search."""
    parts = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table == "alembic_version":
                continue
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)


def sql_count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()


def another_import_commits_after_the_first_write(monkeypatch, engine: Engine, content: bytes, now) -> None:
    """Stage a race: right after an import writes its first feedback rows, another import of `content` commits."""
    from data import import_pipeline
    from data.db import session_scope
    from data.imports import import_feedback

    write = import_pipeline.write_feedback_rows
    meddled = []

    def write_then_let_another_import_commit(session, rows, columns=import_pipeline.FEEDBACK_COLUMNS):
        write(session, rows, columns)
        if not meddled:
            meddled.append(True)
            with session_scope(engine, write=True) as other:
                import_feedback(other, actor=None, content=content, file_name="b.csv", now=now)

    monkeypatch.setattr(import_pipeline, "write_feedback_rows", write_then_let_another_import_commit)


def the_preparing_process_is_killed_at_each_write(monkeypatch) -> None:
    """As the out-of-memory killer would: each write of feedback rows first kills the processes preparing the file
    (forked or spawned alike), while the next part is on its way."""
    import multiprocessing

    from data import import_pipeline

    write = import_pipeline.write_feedback_rows

    def write_then_kill_the_preparing_process(session, rows, columns=import_pipeline.FEEDBACK_COLUMNS):
        for child in multiprocessing.active_children():
            child.kill()
        write(session, rows, columns)

    monkeypatch.setattr(import_pipeline, "write_feedback_rows", write_then_kill_the_preparing_process)


@pytest.fixture
def county(engine):
    """The test tree committed on each backend, for imports that open their own transactions; the engine."""
    from data.db import session_scope
    from tests.conftest import NOW
    from tests.factories import make_tree

    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    return engine
