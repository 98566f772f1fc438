"""The wall screens' shared board on SQLite and PostgreSQL: one computation for many screens of a unit,
access checked for every viewer before anything cached is handed out, and a write seen at the next refresh."""
from __future__ import annotations

from datetime import timedelta

import pytest

from auth.access import AccessDenied
from auth.roles import Role
from data.board_cache import cached_board, computations, forget_boards
from data.board_figures import board_signals
from data.handling import mark_replied
from data.huddle_board import huddle_board
from data.settings import Settings
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person

SETTINGS = Settings(stale_days=3, min_n=1)


@pytest.fixture
def tree(session):
    forget_boards()
    make_tree(session, NOW)
    for days in (1, 2, 3):
        add_feedback(session, "U1", NOW - timedelta(days=days), nps=10)
    for days in (1, 2):
        add_feedback(session, "U2", NOW - timedelta(days=days), nps=0, reply_requested=True)
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
    second = _board(tree, supervisor, "U2")
    assert second is not first
    assert second.signals.awaiting_replies == 3
    assert second.board.metrics.figures.nps.n == 3
    # A reply marked through the service: the audit row moves the revision.
    mark_replied(tree, viewer=supervisor, feedback_id=waiting.id, seen_version=waiting.version,
                 replied_at=NOW - timedelta(hours=1), now=NOW)
    third = _board(tree, supervisor, "U2")
    assert third.signals.awaiting_replies == 2
    assert _board(tree, supervisor, "U2") is third


def test_the_next_minute_is_computed_again_and_the_same_minute_is_not(tree):
    team = person(tree, Role.TEAM, "U1")
    first = _board(tree, team, "U1", now=NOW)
    assert _board(tree, team, "U1", now=NOW + timedelta(seconds=59)) is first
    assert _board(tree, team, "U1", now=NOW + timedelta(seconds=60)) is not first
