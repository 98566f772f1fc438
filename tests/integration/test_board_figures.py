"""The huddle board's signals on SQLite and PostgreSQL: replies awaited, volume windows, actions, staleness."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from auth.access import AccessDenied
from auth.roles import Role
from board.signals import Staleness
from board.stages import Stage
from data.board_figures import awaiting_replies, board_signals, newest_feedback, recent_actions
from data.organisation import unit_by_code
from data.settings import Settings
from tests.conftest import NOW
from tests.factories import add_action, add_feedback, add_theme, everyone, make_tree, person

SETTINGS = Settings(stale_days=3)


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


def test_replies_awaited_are_those_asked_for_and_neither_sent_nor_waived_whatever_their_due_date(tree):
    add_feedback(tree, "U1", NOW - timedelta(days=1), reply_requested=True)
    add_feedback(tree, "U1", NOW - timedelta(days=30), reply_requested=True)  # overdue: still awaited
    add_feedback(tree, "U2", NOW - timedelta(days=2), reply_requested=True)  # a sibling's
    add_feedback(tree, "U1", NOW - timedelta(days=2), reply_requested=True, replied_at=NOW - timedelta(days=1))
    add_feedback(tree, "U1", NOW - timedelta(days=2), reply_requested=True, no_reply_reason="ei yhteystietoja")
    add_feedback(tree, "U1", NOW - timedelta(days=2), reply_requested=False)
    assert awaiting_replies(tree, unit_by_code(tree, "U1")) == 2
    assert awaiting_replies(tree, unit_by_code(tree, "S")) == 3


def test_recent_actions_include_the_unpublished_newest_first_and_say_which_citizens_see(tree):
    theme = add_theme(tree, "U1", Stage.TRIAL, NOW - timedelta(days=20), title="Jonot")
    other = add_theme(tree, "U2", Stage.TRIAL, NOW - timedelta(days=20), title="Muualla")
    add_action(tree, theme, date(2026, 11, 10), "Vanhin")
    add_action(tree, theme, date(2026, 11, 20), "Julkaistu", public_text="Julkinen teksti", published=True)
    add_action(tree, theme, date(2026, 11, 22), "Uusin, sisäinen")
    add_action(tree, theme, date(2026, 11, 1), "Liian vanha näytettäväksi")
    add_action(tree, other, date(2026, 11, 23), "Toisen yksikön")
    shown = recent_actions(tree, unit_by_code(tree, "U1"))
    assert [(a.text, a.published, a.theme_title) for a in shown] == [
        ("Uusin, sisäinen", False, "Jonot"), ("Julkaistu", True, "Jonot"), ("Vanhin", False, "Jonot")]


def test_the_newest_feedback_of_the_subtree_dates_the_board(tree):
    assert newest_feedback(tree, unit_by_code(tree, "U1")) is None
    add_feedback(tree, "U1", datetime(2026, 11, 17, 9, 0))
    add_feedback(tree, "U1", datetime(2026, 11, 18, 9, 0))
    add_feedback(tree, "U2", datetime(2026, 11, 23, 7, 0))
    assert newest_feedback(tree, unit_by_code(tree, "U1")) == datetime(2026, 11, 18, 9, 0)


def test_the_board_signals_count_whole_helsinki_days_and_say_when_feedback_stopped(tree):
    # NOW is Monday 23.11.2026 10.00 in Helsinki; the windows are 16.–22.11. and 9.–15.11.
    for moment in (datetime(2026, 11, 22, 21, 59), datetime(2026, 11, 15, 22, 0),  # Sun 23.59, Mon 00.00
                   datetime(2026, 11, 15, 21, 59), datetime(2026, 11, 8, 22, 0),  # Sun 23.59, Mon 00.00
                   datetime(2026, 11, 8, 21, 59)):  # before both windows
        add_feedback(tree, "U1", moment, nps=9)
    signals = board_signals(tree, viewer=everyone(), unit_code="U1", now=NOW, settings=SETTINGS)
    assert (signals.volume.recent_count, signals.volume.before_count) == (2, 2)
    assert signals.stale is None  # Sunday 23.59 was one day ago
    later = NOW + timedelta(days=3)  # Thursday: four calendar days since Sunday
    assert board_signals(tree, viewer=everyone(), unit_code="U1", now=later, settings=SETTINGS).stale == \
        Staleness(date(2026, 11, 22), 4)


def test_another_units_team_gets_no_signals(tree):
    with pytest.raises(AccessDenied):
        board_signals(tree, viewer=person(tree, Role.TEAM, "U2"), unit_code="U1", now=NOW, settings=SETTINGS)
