"""The wall screens' shared board on SQLite and PostgreSQL: one computation for many screens of a unit,
access checked for every viewer before anything cached is handed out, and a write seen at the next refresh."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, text
from sqlmodel import Session

from auth.access import AccessDenied
from auth.roles import Role
from data import board_cache
from data.access import record_sign_in
from data.audit import record
from data.board_cache import cached_board, computations, data_revision, forget_boards
from data.board_figures import board_signals
from data.db import session_scope
from data.handling import mark_replied
from data.huddle_board import huddle_board
from data.models import Feedback
from data.organisation import UnitRow, unit_by_code, upsert_units
from data.settings import Settings
from data.units import UnknownUnit
from tests.conftest import NOW
from tests.factories import TREE, add_feedback, make_tree, person

SETTINGS = Settings(stale_days=3, min_n=1)


@pytest.fixture
def tree(session):
    forget_boards()
    make_tree(session, NOW)
    for days in (1, 2, 3):
        add_feedback(session, "U1", NOW - timedelta(days=days), nps=10)
    for days in (1, 2):
        add_feedback(session, "U2", NOW - timedelta(days=days), nps=0, reply_requested=True)
    session.commit()  # a board computed by a transaction with uncommitted changes is its own, never shared
    yield session
    forget_boards()


def _board(session, viewer, code, now=NOW):
    return cached_board(session, viewer=viewer, unit_code=code, now=now, settings=SETTINGS)


def test_many_screens_of_one_unit_cost_one_computation_and_see_the_figures_computed_directly(tree):
    team, kiosk_like, supervisor = (person(tree, Role.TEAM, "U1", name=f"Screen {i}") for i in range(3))
    before = computations(tree)
    shown = [_board(tree, viewer, "U1") for viewer in (team, kiosk_like, supervisor)]
    assert computations(tree) == before + 1
    assert shown[0] is shown[1] is shown[2]
    direct = huddle_board(tree, viewer=team, unit_code="U1", now=NOW, settings=SETTINGS)
    assert shown[0].board.metrics.figures == direct.metrics.figures
    assert shown[0].board.weeks == direct.weeks
    assert shown[0].signals == board_signals(tree, viewer=team, unit_code="U1", now=NOW, settings=SETTINGS)


def test_a_viewer_of_unit_a_is_refused_unit_b_even_when_b_is_cached(tree):
    of_u2 = person(tree, Role.TEAM, "U2")
    of_u1 = person(tree, Role.TEAM, "U1")
    cached_u2 = _board(tree, of_u2, "U2")
    assert cached_u2.board.metrics.figures.nps.detractors == 2
    with pytest.raises(AccessDenied):
        _board(tree, of_u1, "U2")
    own = _board(tree, of_u1, "U1")
    assert own.key.unit_id != cached_u2.key.unit_id
    assert own.board.unit.code == "U1"
    assert own.board.metrics.figures.nps.promoters == 3 and own.board.metrics.figures.nps.detractors == 0
    assert own.signals.awaiting_replies == 0


def test_a_parent_and_its_child_are_cached_apart(tree):
    director = person(tree, Role.DIRECTOR, "S")
    area = _board(tree, director, "S")
    unit = _board(tree, director, "U1")
    assert area.board.metrics.figures.nps.n == 5
    assert unit.board.metrics.figures.nps.n == 3


def test_a_write_is_seen_at_the_next_refresh(tree):
    supervisor = person(tree, Role.SUPERVISOR, "U2")
    first = _board(tree, supervisor, "U2")
    assert first.signals.awaiting_replies == 2
    waiting = add_feedback(tree, "U2", NOW - timedelta(hours=3), nps=9, reply_requested=True)
    tree.commit()
    second = _board(tree, supervisor, "U2")
    assert second is not first
    assert second.signals.awaiting_replies == 3
    assert second.board.metrics.figures.nps.n == 3
    # A reply marked through the service: the audit row moves the revision.
    mark_replied(tree, viewer=supervisor, feedback_id=waiting.id, seen_version=waiting.version,
                 replied_at=NOW - timedelta(hours=1), now=NOW)
    tree.commit()
    third = _board(tree, supervisor, "U2")
    assert third.signals.awaiting_replies == 2
    assert _board(tree, supervisor, "U2") is third


def test_the_next_minute_is_computed_again_and_the_same_minute_is_not(tree):
    team = person(tree, Role.TEAM, "U1")
    first = _board(tree, team, "U1", now=NOW)
    assert _board(tree, team, "U1", now=NOW + timedelta(seconds=59)) is first
    assert _board(tree, team, "U1", now=NOW + timedelta(seconds=60)) is not first


def _audit(session, unit_code, entity="theme"):
    unit_id = unit_by_code(session, unit_code).id if unit_code else None
    record(session, actor="test", action="test.edit", entity=entity, entity_id="1", unit_id=unit_id, now=NOW)
    session.flush()


def _recomputes(session, viewer, code, change) -> bool:
    _board(session, viewer, code)
    before = computations(session)
    change(session)
    session.commit()
    _board(session, viewer, code)
    return computations(session) == before + 1


@pytest.mark.parametrize(("case", "change"), [
    ("an edit in this unit", lambda s: _audit(s, "S")),
    ("an edit in a child unit", lambda s: _audit(s, "U1")),
    ("an edit at the parent (an ancestor)", lambda s: _audit(s, "A")),
    ("an edit at the root", lambda s: _audit(s, "C")),
    ("an audit row with no unit", lambda s: _audit(s, None, entity="topic")),
    ("new feedback in the subtree", lambda s: add_feedback(s, "U2", NOW - timedelta(hours=1), nps=5)),
])
def test_a_change_the_board_may_show_recomputes_it(tree, case, change):
    director = person(tree, Role.DIRECTOR, "C")
    assert _recomputes(tree, director, "S", change), case


@pytest.mark.parametrize(("case", "change"), [
    ("an edit in another unit's subtree", lambda s: _audit(s, "U3")),
    ("an edit in the other branch's top", lambda s: _audit(s, "B")),
    ("an edit in a sibling", lambda s: _audit(s, "U2")),
    ("a sign-in", lambda s: record_sign_in(s, viewer=person(s, Role.TEAM, "U3"), now=NOW)),
])
def test_a_change_elsewhere_leaves_the_board_shared(tree, case, change):
    team = person(tree, Role.TEAM, "U1")
    assert not _recomputes(tree, team, "U1", change), case


def test_a_reply_marked_in_another_unit_leaves_the_board_shared(tree):
    team = person(tree, Role.TEAM, "U1")
    first = _board(tree, team, "U1")
    supervisor = person(tree, Role.SUPERVISOR, "U2")
    waiting = add_feedback(tree, "U2", NOW - timedelta(days=5), nps=3, reply_requested=True)
    tree.commit()
    # The new feedback row moves every board's revision once; the reply marked later moves only U2's subtree.
    second = _board(tree, team, "U1")
    assert second is not first
    mark_replied(tree, viewer=supervisor, feedback_id=waiting.id, seen_version=waiting.version,
                 replied_at=NOW - timedelta(hours=1), now=NOW)
    tree.commit()
    assert _board(tree, team, "U1") is second
    assert _board(tree, supervisor, "U2").signals.awaiting_replies == 2


def test_a_unit_moved_away_recomputes_the_board_it_left_and_the_one_it_joined(tree):
    director = person(tree, Role.DIRECTOR, "C")
    left, joined = _board(tree, director, "S"), _board(tree, director, "B")
    assert left.board.metrics.figures.nps.n == 5
    moved = [UnitRow(r.code, "B" if r.code == "U1" else r.parent_code, r.name_fi, r.name_sv, r.name_en, r.level)
             for r in TREE]
    upsert_units(tree, moved, actor="test", now=NOW)
    tree.commit()
    assert _board(tree, director, "S").board.metrics.figures.nps.n == 2
    assert _board(tree, director, "B") is not joined


def test_units_with_the_same_revision_never_share_an_entry(tree):
    _audit(tree, "S")  # newer than anything of U1 or U2: the two siblings' revisions are now the same
    tree.commit()
    u1, u2 = unit_by_code(tree, "U1"), unit_by_code(tree, "U2")
    assert data_revision(tree, u1) == data_revision(tree, u2)
    director = person(tree, Role.DIRECTOR, "S")
    one, two = _board(tree, director, "U1"), _board(tree, director, "U2")
    assert one.key != two.key and one is not two
    assert one.board.unit.code == "U1" and two.board.unit.code == "U2"
    assert two.signals.awaiting_replies == 2 and one.signals.awaiting_replies == 0


def test_the_revision_is_read_by_index_probes_however_many_sign_ins_there_are(tree):
    # The partial index's words must imply the query's, or the planner walks every sign-in row instead.
    unit = unit_by_code(tree, "S")
    statements = []
    connection = tree.connection()

    def grab(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", grab)
    try:
        data_revision(tree, unit)
    finally:
        event.remove(connection, "before_cursor_execute", grab)
    statement, parameters = statements[-1]
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny tables: show what may be used
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    else:
        plan = "\n".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "ix_audit_event_unit_id" in plan and "ix_audit_event_board_wide" in plan, plan


def test_an_unknown_or_inactive_unit_is_refused_before_anything_cached(tree):
    director = person(tree, Role.DIRECTOR, "C")
    _board(tree, director, "U3")
    with pytest.raises(UnknownUnit):
        _board(tree, director, "NOPE")
    upsert_units(tree, [row for row in TREE if row.code != "U3"], actor="test", now=NOW)
    tree.commit()
    with pytest.raises(UnknownUnit):
        _board(tree, director, "U3")
    assert _board(tree, director, " U1 ").board.unit.code == "U1"  # a code is read as find_unit reads it


@pytest.fixture
def committed(engine):
    """The tree and its feedback committed, for screens that each refresh in a session of their own."""
    forget_boards()
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        add_feedback(session, "U2", NOW - timedelta(days=1), nps=0, reply_requested=True)
        supervisor = person(session, Role.SUPERVISOR, "U2")
    yield engine, supervisor
    forget_boards()


def _refresh(engine, viewer, code="U2"):
    """One screen's refresh as the wall page does it: a session of its own; the statements it ran."""
    ran = []

    def grab(_conn, _cursor, statement, *_):
        ran.append(statement)

    event.listen(engine, "before_cursor_execute", grab)
    try:
        with session_scope(engine) as session:
            shown = _board(session, viewer, code)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return shown, ran


def person_of(engine, code):
    with session_scope(engine) as session:
        return person(session, Role.TEAM, code)


def test_screens_refreshing_together_read_the_revision_once(committed):
    engine, supervisor = committed
    first, ran = _refresh(engine, supervisor)
    assert ran, "the first screen reads the unit, its revision and computes the board"
    for _ in range(29):
        shown, ran = _refresh(engine, supervisor)
        assert shown is first and ran == []
    other_unit, ran = _refresh(engine, person_of(engine, "U1"), "U1")
    assert ran and other_unit.board.unit.code == "U1"


def test_a_write_in_this_process_is_seen_at_the_next_refresh_however_soon(committed):
    engine, supervisor = committed
    first, _ = _refresh(engine, supervisor)
    with session_scope(engine, write=True) as session:
        add_feedback(session, "U2", NOW - timedelta(hours=2), nps=1, reply_requested=True)
    second, ran = _refresh(engine, supervisor)
    assert ran and second is not first
    assert second.signals.awaiting_replies == 2


def test_a_write_by_another_process_is_seen_within_the_window(committed, monkeypatch):
    engine, supervisor = committed
    first, _ = _refresh(engine, supervisor)
    # Another process: an engine this process's write generation knows nothing of.
    outside = create_engine(engine.url)
    try:
        with outside.begin() as connection:
            unit_id = connection.execute(text("SELECT id FROM unit WHERE code = 'U2'")).scalar_one()
            connection.execute(text("INSERT INTO audit_event (at, actor, action, entity, entity_id, unit_id) "
                                    "VALUES (:at, 'cli', 'test.edit', 'theme', '1', :unit)"),
                               {"at": NOW, "unit": unit_id})
    finally:
        outside.dispose()
    assert _refresh(engine, supervisor)[0] is first  # read moments ago, by this process's knowledge unchanged
    clock = time.monotonic()
    monkeypatch.setattr(board_cache.time, "monotonic", lambda: clock + board_cache.REVISION_SECONDS)
    later, ran = _refresh(engine, supervisor)
    assert ran and later.key.revision != first.key.revision


def test_access_is_checked_for_every_screen_within_the_window(committed):
    engine, supervisor = committed
    _refresh(engine, supervisor)
    with pytest.raises(AccessDenied):
        _refresh(engine, person_of(engine, "U1"))


def test_a_screen_that_refreshed_while_a_write_was_uncommitted_sees_it_once_committed(committed):
    engine, supervisor = committed
    with session_scope(engine, write=True) as writer:
        add_feedback(writer, "U2", NOW - timedelta(hours=2), nps=1, reply_requested=True)
        during, _ = _refresh(engine, supervisor)  # another session: the write is not visible yet
        assert during.signals.awaiting_replies == 1
    after, ran = _refresh(engine, supervisor)
    assert ran and after.signals.awaiting_replies == 2


def test_a_transaction_that_wrote_shares_no_revision_read_with_other_screens(committed):
    engine, supervisor = committed
    first, _ = _refresh(engine, supervisor)  # read and shared: awaiting 1
    with Session(engine) as writer:  # a plain session that writes, as a page's service might
        add_feedback(writer, "U2", NOW - timedelta(hours=2), nps=1, reply_requested=True)
        assert _board(writer, supervisor, "U2").signals.awaiting_replies == 2  # its own write, not the shared read
        other, _ = _refresh(engine, supervisor)
        assert other.signals.awaiting_replies == 1  # not the writer's uncommitted row
        writer.rollback()
    assert _refresh(engine, supervisor)[0].signals.awaiting_replies == 1


def test_a_board_computed_by_a_transaction_that_rolled_back_is_never_served(committed):
    engine, supervisor = committed
    with Session(engine) as writer:
        add_feedback(writer, "U2", NOW - timedelta(hours=2), nps=1, reply_requested=True)
        undone = _board(writer, supervisor, "U2")
        assert undone.signals.awaiting_replies == 2
        writer.rollback()
    # SQLite gives the next row the id the rolled-back one had: the same revision, other data.
    with session_scope(engine, write=True) as session:
        add_feedback(session, "U2", NOW - timedelta(hours=3), nps=10)
    shown, _ = _refresh(engine, supervisor)
    assert shown is not undone
    assert (shown.signals.awaiting_replies, shown.board.metrics.figures.nps.promoters) == (1, 1)


def test_a_board_asked_for_with_changes_not_yet_flushed_is_never_shared(committed):
    engine, supervisor = committed
    _refresh(engine, supervisor)  # the revision read moments ago: no query of the writer's need flush its row
    later = NOW + timedelta(minutes=1)
    with Session(engine) as writer:
        unit_id = unit_by_code(writer, "U2").id
        writer.add(Feedback(unit_id=unit_id, source="test", source_id="pending", received_at=NOW - timedelta(hours=2),
                            nps=1, reply_requested=True))
        assert _board(writer, supervisor, "U2", now=later).signals.awaiting_replies == 2
        writer.rollback()
    with session_scope(engine) as session:
        assert _board(session, supervisor, "U2", now=later).signals.awaiting_replies == 1
