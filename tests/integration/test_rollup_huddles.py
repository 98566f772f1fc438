"""The roll-up's "huddles held / working days" per unit, from one grouped query — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import event

from board.periods import Period
from data.huddle import huddles_held
from data.huddle_tables import Huddle
from data.organisation import unit_by_code
from data.rollup import rollup
from data.settings import Settings
from tests.conftest import NOW
from tests.factories import everyone, make_tree

SETTINGS = Settings(database_url="unused", min_n=5, reply_days=14)
MARCH = Period(date(2026, 3, 16), date(2026, 4, 5))   # three weeks across the change to summer time (29.3.)


def _huddle(session, code, started_at):
    session.add(Huddle(unit_id=unit_by_code(session, code).id, started_at=started_at, planned_minutes=10,
                       started_by="test"))


@pytest.fixture
def county(session):
    make_tree(session, NOW)
    # U1 (UTC moments): Monday 16.3. twice, Tuesday 17.3. at 00:30 Helsinki (22:30 UTC on Monday),
    # Saturday 21.3. (a weekend: not counted), Monday 30.3. at 00:30 summer time (21:30 UTC on Sunday).
    for moment in (datetime(2026, 3, 16, 6, 0), datetime(2026, 3, 16, 12, 0), datetime(2026, 3, 16, 22, 30),
                   datetime(2026, 3, 21, 7, 0), datetime(2026, 3, 29, 21, 30)):
        _huddle(session, "U1", moment)
    # U2: Friday 3.4. just before midnight in Helsinki (20:59 UTC in summer), and one after the period.
    _huddle(session, "U2", datetime(2026, 4, 3, 20, 59))
    _huddle(session, "U2", datetime(2026, 4, 6, 6, 0))
    # S (a service area) holds its own tier-2 huddle: it becomes a board of its own.
    _huddle(session, "S", datetime(2026, 3, 18, 7, 0))
    session.flush()
    return session


def _rollup(session, now=NOW, period=MARCH):
    return rollup(session, viewer=everyone(), unit_code="C", period=period, kind="custom", now=now, settings=SETTINGS)


def test_each_unit_shows_working_days_with_a_huddle_by_helsinki_day_over_the_working_days(county):
    result = _rollup(county)
    assert [(code, result.node(code).huddles_held, result.node(code).huddle_days) for code in ("U1", "U2", "U3")] \
        == [("U1", 3, 15), ("U2", 1, 15), ("U3", 0, 15)]


def test_the_grouped_figure_is_the_same_as_the_huddle_log_s_for_each_unit(county):
    result = _rollup(county)
    for code in ("U1", "U2", "U3"):
        held, days = huddles_held(county, viewer=everyone(), unit_code=code, first=MARCH.first, last=MARCH.last)
        assert (result.node(code).huddles_held, result.node(code).huddle_days) == (held, days)


def test_a_parent_adds_up_its_boards_and_counts_itself_only_when_it_held_huddles(county):
    result = _rollup(county)
    # S: U1 + U2 + its own huddle day; its boards are U1, U2 and itself.
    assert (result.node("S").huddles_held, result.node("S").huddle_days) == (5, 45)
    # A holds none itself: the boards below it only. C: U1, U2, S and U3.
    assert (result.node("A").huddles_held, result.node("A").huddle_days) == (5, 45)
    assert (result.node("C").huddles_held, result.node("C").huddle_days) == (5, 60)


def test_days_still_ahead_are_not_counted_as_days_without_a_huddle(county):
    # On Wednesday 18.3. at 10:00 Helsinki: Monday to Wednesday have passed.
    result = _rollup(county, now=datetime(2026, 3, 18, 8, 0))
    assert (result.node("U1").huddles_held, result.node("U1").huddle_days) == (2, 3)
    ahead = _rollup(county, now=datetime(2026, 3, 1, 8, 0))
    assert (ahead.node("U1").huddles_held, ahead.node("U1").huddle_days) == (0, 0)


def test_the_huddles_of_all_units_take_one_query_whatever_the_number_of_units(county, engine):
    statements = []

    def count(conn, cursor, statement, *args):
        if "huddle" in statement.lower():
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        _rollup(county)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1
