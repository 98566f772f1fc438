"""The daily aggregates stay equal to the raw rows through random imports, corrections and reply marks, on
SQLite and PostgreSQL; and every period figure read from them equals the raw computation (tests/raw_figures.py)."""
from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from auth.roles import Role
from board.nps import nps
from board.periods import IsoWeek, Period, helsinki_date, months_up_to
from board.quarters import Quarter
from data import metrics, public, rollup
from data.__main__ import main
from data.aggregate_tables import AGGREGATE_TABLES, COUNT_COLUMNS
from data.aggregates import rebuild
from data.db import session_scope
from data.handling import handle_many, mark_no_reply_needed, mark_replied, undo_mark
from data.imports import import_feedback
from data.models import Feedback, Unit
from data.rejects import correct_reject, list_rejects
from data.settings import Settings
from data.organisation import unit_by_code
from tests import raw_figures as raw
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person
from tests.import_support import another_import_commits_after_the_first_write, native_csv

SETTINGS = Settings(database_url="unused", min_n=5, reply_days=14)
UNIT_CODES = ("U1", "U2", "U3", "S", "A")
CHANNELS = (None, "toimipiste", "verkko", "puhelin")
COLLECTIONS = (None, "web", "sms", "kiosk")
STATEMENTS = ("saatavuus", "kohtaaminen", "osallistuminen", "turvallisuus", "tiedon_saanti", "ymmarrettavyys",
              "hyodyllisyys")
# Moments at the edges of Helsinki days and of the clock changes (naive UTC).
EDGES = (datetime(2026, 3, 28, 21, 59, 59, 999_999), datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 0, 59),
         datetime(2026, 3, 29, 1, 0), datetime(2026, 10, 24, 20, 59, 59), datetime(2026, 10, 24, 21, 0),
         datetime(2026, 10, 25, 0, 59), datetime(2026, 10, 25, 1, 0), datetime(2026, 9, 30, 20, 59, 59),
         datetime(2026, 9, 30, 21, 0), datetime(2025, 12, 31, 21, 59), datetime(2025, 12, 31, 22, 0))
FIRST = datetime(2025, 6, 1)


def _moment(rng: random.Random) -> datetime:
    if rng.random() < 0.3:
        return rng.choice(EDGES)
    return FIRST + timedelta(seconds=rng.randrange(int((NOW - FIRST).total_seconds())),
                             microseconds=rng.choice((0, rng.randrange(1_000_000))))


def _fields(rng: random.Random) -> dict:
    received = _moment(rng)
    requested = rng.random() < 0.4
    replied = None
    if requested and rng.random() < 0.4:
        replied = min(NOW, received + timedelta(hours=rng.choice((0, 1, 13, 335, 336, 400)),
                                                seconds=rng.choice((0, 1, 1799, 3599))))
    return {"received_at": received, "nps": rng.choice((None, *range(11))), "channel": rng.choice(CHANNELS),
            "collection": rng.choice(COLLECTIONS), "reply_requested": requested, "replied_at": replied,
            **{key: rng.choice((None, 1, 2, 3, 4, 5)) for key in STATEMENTS}}


def _csv_row(key: str, unit: str, fields: dict, broken: bool) -> dict[str, str]:
    def text(value):
        return "" if value is None else value.isoformat() + "+00:00" if isinstance(value, datetime) else str(value)
    row = {"source": "prop", "source_id": key, "unit_code": unit, "reply_requested": "1" if fields["reply_requested"]
           else "0", **{name: text(fields[name]) for name in ("received_at", "nps", "channel", "collection",
                                                               "replied_at", *STATEMENTS)}}
    if broken:
        row["nps"] = "11"
    return row


def _periods(rng: random.Random) -> list[Period]:
    periods = [Period(date(2026, 1, 1), date(2026, 12, 31)), Period(date(2026, 7, 1), date(2026, 9, 30)),
               Period(date(2026, 3, 29), date(2026, 3, 29)), Period(date(2026, 10, 25), date(2026, 10, 25))]
    # Whole months, a running month, and ranges that start and end mid-month (months inside, days at the edges).
    periods += [Period(date(2026, 2, 1), date(2026, 2, 28)), Period(date(2026, 3, 1), date(2026, 3, 29)),
                Period(date(2026, 2, 28), date(2026, 4, 1)), Period(date(2025, 12, 15), date(2026, 2, 14)),
                Period(date(2025, 6, 1), date(2026, 11, 23)), Period(date(2026, 10, 2), date(2026, 10, 30))]
    for _ in range(3):
        first = FIRST.date() + timedelta(days=rng.randrange(540))
        periods.append(Period(first, first + timedelta(days=rng.randrange(120))))
    return periods


def _check_figures(session, rng: random.Random, monkeypatch) -> None:
    units = {code: unit_by_code(session, code) for code in ("C", *UNIT_CODES)}
    for period in _periods(rng):
        for code, unit in units.items():
            assert metrics.feedback_figures(session, unit, period, min_n=5) == \
                raw.feedback_figures(session, unit, period, min_n=5), (code, period)
            assert metrics.volume_by_collection(session, unit, period) == \
                raw.collection_counts(session, unit, period), (code, period)
        root = units[rng.choice(("C", "A", "S"))]
        new = rollup.compute_rollup(session, root, period=period, kind="custom", now=NOW, settings=SETTINGS)
        with monkeypatch.context() as patched:
            for name, oracle in (("_compared_counts", raw.compared_counts),
                                 ("_channel_counts", raw.channel_counts), ("_reply_hours", raw.reply_hours),
                                 ("reply_deadlines", raw.reply_deadlines)):
                patched.setattr(rollup, name, oracle)
            old = rollup.compute_rollup(session, root, period=period, kind="custom", now=NOW, settings=SETTINGS)
        assert new == old, period
    unit = units[rng.choice(("C", "A", "U1"))]
    weeks = [IsoWeek(2026, w) for w in range(rng.randrange(1, 40), 48)]
    assert [w.nps for w in metrics.weekly_nps(session, unit, weeks, min_n=5)] == [
        nps(promoters=c[1], passives=c[2], detractors=c[3], min_n=5)
        for c in raw.bucket_counts(session, unit, [w.period() for w in weeks])]
    some = [w.period() for w in weeks[::3]]
    assert metrics.volume_by_period(session, unit, some) == [c[0] for c in raw.bucket_counts(session, unit, some)]
    mixed = [Period(date(2025, 12, 15), date(2026, 2, 14)), Period(date(2026, 3, 1), date(2026, 3, 31)),
             Period(date(2026, 4, 10), date(2026, 6, 30)), Period(date(2026, 7, 1), date(2026, 7, 1))]
    assert metrics.volume_by_period(session, unit, mixed) == [c[0] for c in raw.bucket_counts(session, unit, mixed)]
    months = months_up_to(helsinki_date(NOW), 18)
    trend = rollup.monthly_trend_of(session, unit, last_day=helsinki_date(NOW), settings=SETTINGS, months=18)
    assert [(m.volume, m.nps) for m in trend] == [
        (c[0], nps(promoters=c[1], passives=c[2], detractors=c[3], min_n=5))
        for c in raw.bucket_counts(session, unit, months)]
    quarters = [Quarter(2025, 3), Quarter(2025, 4), *(Quarter(2026, q) for q in range(1, 5))]
    for area in (None, "A", "B"):
        new = public.public_figures(session, language="fi", quarters=quarters, min_n=3, area_code=area)
        with monkeypatch.context() as patched:
            patched.setattr(public, "_quarter_counts", raw.quarter_counts)
            old = public.public_figures(session, language="fi", quarters=quarters, min_n=3, area_code=area)
        assert new == old, area


@pytest.mark.parametrize("seed", range(6))
def test_random_imports_corrections_and_marks_keep_the_aggregates_equal_to_the_rows(engine, seed, monkeypatch):
    rng = random.Random(seed)
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        closed = session.execute(select(Unit).where(Unit.code == "U2")).scalar_one()
        closed.active = seed % 2 == 0  # a closed unit's answers still count for the tree above it
    keys = iter(range(1_000_000))
    for step in range(8):
        with session_scope(engine, write=True) as session:
            admin, supervisor = person(session, Role.ADMIN, "C"), person(session, Role.SUPERVISOR, "C")
            action = rng.choice(("import", "import", "factory", "correct", "mark", "mark", "many"))
            if action == "import":
                rows = [_csv_row(f"k{next(keys)}", rng.choice(UNIT_CODES), _fields(rng), rng.random() < 0.1)
                        for _ in range(rng.randrange(1, 60))]
                rows += rng.sample(rows, min(len(rows), 3))  # duplicates change nothing
                import_feedback(session, actor=admin, content=native_csv(rows).encode(), file_name="p.csv", now=NOW)
            elif action == "factory":
                for _ in range(rng.randrange(1, 10)):
                    add_feedback(session, rng.choice(UNIT_CODES), **_fields(rng))
            elif action == "correct":
                for reject in list_rejects(session, viewer=admin)[:3]:
                    correct_reject(session, viewer=admin, reject_id=reject.id, seen_version=reject.version,
                                   data={"nps": str(rng.randrange(11))}, now=NOW)
            else:
                requested = session.execute(select(Feedback).where(Feedback.reply_requested)).scalars().all()
                chosen = rng.sample(requested, min(len(requested), rng.randrange(1, 6)))
                if action == "many":
                    waiting = [f for f in chosen if f.replied_at is None and f.no_reply_reason is None]
                    if waiting:
                        handle_many(session, viewer=supervisor, items=[(f.id, f.version) for f in waiting],
                                    action="no_reply_needed", reason="Asia hoidettu puhelimessa", now=NOW)
                for feedback in chosen if action == "mark" else ():
                    if feedback.replied_at is not None or feedback.no_reply_reason is not None:
                        undo_mark(session, viewer=supervisor, feedback_id=feedback.id, seen_version=feedback.version,
                                  now=NOW)
                    elif rng.random() < 0.7:
                        replied = min(NOW, feedback.received_at + timedelta(hours=rng.randrange(0, 500),
                                                                            seconds=rng.randrange(3600)))
                        mark_replied(session, viewer=supervisor, feedback_id=feedback.id,
                                     seen_version=feedback.version, replied_at=replied, now=NOW)
                    else:
                        mark_no_reply_needed(session, viewer=supervisor, feedback_id=feedback.id,
                                             seen_version=feedback.version, reason="Ei tavoitettu", now=NOW)
        with session_scope(engine) as session:
            assert raw.stored_tables(session) == raw.expected_tables(session), (seed, step, action)
    with session_scope(engine) as session:
        _check_figures(session, rng, monkeypatch)
    with session_scope(engine, write=True) as session:
        before = raw.stored_tables(session)
        rebuild(session)
        assert raw.stored_tables(session) == before


def test_the_rebuild_command_recomputes_the_aggregates_from_the_rows(engine, database_url, monkeypatch, capsys):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        for hours in (1, 30, 400):
            add_feedback(session, "U1", NOW - timedelta(hours=hours), nps=9, kohtaaminen=4, channel="verkko",
                         reply_requested=True, replied_at=NOW)
        expected = raw.stored_tables(session)
        for table in AGGREGATE_TABLES:
            session.execute(table.delete())
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    assert main(["aggregates", "rebuild"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"feedback_day": 3, "feedback_day_reply_hours": 3, "feedback_month": 1,
                       "feedback_month_reply_hours": 3}
    with session_scope(engine) as session:
        assert raw.stored_tables(session) == expected == raw.expected_tables(session)


def test_a_rebuild_counts_rows_decades_apart_by_their_helsinki_day_and_an_empty_table_as_nothing(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        assert set(rebuild(session).values()) == {0}
        # Each side of a clock change, decades apart: SQLite's day is a CASE over every change between them.
        for moment in (datetime(2001, 3, 24, 22, 0), datetime(2001, 3, 25, 0, 59), datetime(2001, 3, 25, 1, 0),
                       datetime(2063, 10, 27, 20, 59, 59), datetime(2063, 10, 27, 21, 0),
                       datetime(2098, 12, 31, 21, 59, 59, 999_999), datetime(2098, 12, 31, 22, 0)):
            add_feedback(session, "U1", moment, nps=9, channel="verkko", reply_requested=True,
                         replied_at=moment + timedelta(hours=13, seconds=1799))
        rebuild(session)
        found = raw.stored_tables(session)
        assert found == raw.expected_tables(session)
        assert {day for _, day in found["feedback_day"]} == {
            date(2001, 3, 25), date(2063, 10, 27), date(2063, 10, 28), date(2098, 12, 31), date(2099, 1, 1)}


def test_an_import_counts_only_its_own_rows_when_another_import_commits_while_it_writes(engine, monkeypatch):
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: nothing can commit while an import writes")
    rng = random.Random(16)
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)

    def file(prefix: str) -> bytes:
        rows = [_csv_row(f"{prefix}{i}", rng.choice(UNIT_CODES), _fields(rng), False) for i in range(40)]
        return native_csv(rows).encode()

    first, second = file("a"), file("b")
    another_import_commits_after_the_first_write(monkeypatch, engine, second, NOW)
    with session_scope(engine, write=True) as session:
        assert import_feedback(session, actor=None, content=first, file_name="a.csv", now=NOW).inserted == 40
    with session_scope(engine) as session:
        assert session.execute(select(func.count()).select_from(Feedback)).scalar_one() == 80
        assert raw.stored_tables(session) == raw.expected_tables(session)


def test_a_channel_or_collection_off_the_lists_counts_as_not_said(engine):
    # No import stores one (the file checks refuse it); a row written another way must still be counted once.
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        for channel, collection in (("fax", "pigeon"), (None, None), ("verkko", "sms")):
            add_feedback(session, "U1", NOW - timedelta(hours=2), nps=9, channel=channel, collection=collection)
        counted = raw.stored_tables(session)
        assert counted == raw.expected_tables(session)
        rebuild(session)
        assert raw.stored_tables(session) == counted
        unit = unit_by_code(session, "U1")
        today = Period(helsinki_date(NOW), helsinki_date(NOW))
        assert metrics.volume_by_collection(session, unit, today) == {"": 2, "sms": 1}
        by_channel = rollup.rollup(session, viewer=person(session, Role.DIRECTOR, "C"), unit_code="U1",
                                   period=today, kind="custom", now=NOW, settings=SETTINGS).nodes["U1"].by_channel
        assert by_channel == {"": 2, "verkko": 1}


def test_upgrading_from_the_mix_tables_counts_the_stored_feedback_and_downgrading_gives_them_back(database_url):
    from alembic import command
    from sqlalchemy import inspect, text

    from data.db import make_engine
    from data.schema import _config, upgrade

    engine = make_engine(database_url)
    config = _config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0021_board_revision_indexes")
        with session_scope(engine, write=True) as session:
            make_tree(session, NOW)
            unit = unit_by_code(session, "U1")
            for i, (hours, channel) in enumerate(((1, "verkko"), (2, None), (30, "verkko"), (900, "puhelin"))):
                # Written as a 0021 database held them; its aggregate tables are left for the upgrade to count.
                session.add(Feedback(unit_id=unit.id, source="t", source_id=f"t{i}", channel=channel, collection="sms",
                                     received_at=NOW - timedelta(hours=hours), nps=9))
        upgrade(engine)
        with session_scope(engine) as session:
            assert raw.stored_tables(session) == raw.expected_tables(session)
            verkko = COUNT_COLUMNS.index("channel_verkko")
            assert sum(row[verkko] for row in raw.stored_tables(session)["feedback_day"].values()) == 2
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0021_board_revision_indexes")
        with engine.connect() as connection:
            assert "channel_verkko" not in {c["name"] for c in inspect(connection).get_columns("feedback_day")}
            mix = connection.execute(text("SELECT dimension, value, sum(count) FROM feedback_day_mix "
                                          "GROUP BY dimension, value ORDER BY dimension, value")).all()
            assert [tuple(row) for row in mix] == [("channel", "", 1), ("channel", "puhelin", 1),
                                                   ("channel", "verkko", 2), ("collection", "sms", 4)]
            months = connection.execute(text("SELECT sum(count) FROM feedback_month_mix")).scalar_one()
            assert months == 8
    finally:
        engine.dispose()
