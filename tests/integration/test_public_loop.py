"""The public page's loop: themes worked on and how they ended per place and quarter, a unit's own page, the
archive by quarter, and how much feedback each published action answers — counts only, never texts."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from board.quarters import Quarter
from board.stages import Stage
from data.editing import StaleEdit
from data.models import AuditEvent, Theme, ThemeFeedback
from data.organisation import unit_by_code
from data.public import count_public_actions, public_actions
from data.public_loop import publish_theme_reason, public_loop
from data.public_place import action_quarters, place_figures, public_loop_places, public_place
from tests.factories import add_action, add_feedback, add_theme, make_tree, person

NOW = datetime(2026, 11, 20, 10, 0)
Q3, Q4 = Quarter(2026, 3), Quarter(2026, 4)


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


def _theme(session, unit, stage, since, *, started=None, created=datetime(2026, 7, 1), reason=None, where=None):
    theme = add_theme(session, unit, stage, since, title=f"Sisäinen otsikko {stage.value}")
    theme.created_at = created
    theme.development_started_at = started
    theme.not_pursued_reason = reason
    theme.escalated_to = where
    session.add(theme)
    session.flush()
    return theme


@pytest.fixture
def loop(tree):
    """In U1: a theme done in Q4 with a published action, one still in trial since Q3, one not pursued in Q4
    (reason published), one escalated in Q3 (reason internal); in U3 one not pursued in Q4 (reason internal)."""
    done = _theme(tree, "U1", Stage.DONE, datetime(2026, 11, 2), started=datetime(2026, 8, 1))
    add_action(tree, done, date(2026, 10, 15), "Sisäinen", "Lisäsimme aamun soittoaikoja", True)
    trial = _theme(tree, "U1", Stage.TRIAL, datetime(2026, 9, 1), started=datetime(2026, 8, 15))
    add_action(tree, trial, date(2026, 9, 20), "Luonnos", "Ei julki", False)
    dropped = _theme(tree, "U1", Stage.NOT_PURSUED, datetime(2026, 10, 5), reason="Asia korjautunut jo muuten")
    dropped.reason_published_at = datetime(2026, 10, 6)
    tree.add(dropped)
    _theme(tree, "U1", Stage.ESCALATED, datetime(2026, 8, 20), where="Sisäinen kehittämishanke")
    _theme(tree, "U3", Stage.NOT_PURSUED, datetime(2026, 11, 1), reason="Sisäinen syy")
    for _ in range(3):
        feedback = add_feedback(tree, "U1", datetime(2026, 9, 1), nps=3, free_text="Salainen palaute")
        tree.add(ThemeFeedback(theme_id=done.id, feedback_id=feedback.id))
    tree.flush()
    return tree


def _units(session, *codes):
    return [unit_by_code(session, code) for code in codes]


def _figures(rows):
    return {(row.place.code, str(q.quarter)): (q.worked_on, q.changed, q.escalated, q.not_pursued)
            for row in rows for q in row.quarters}


def test_the_loop_counts_themes_worked_on_changes_escalations_and_decisions_not_to_pursue(loop):
    rows = public_loop(loop, places=_units(loop, "C", "A", "B", "U1", "U2", "U3"), quarters=[Q3, Q4], language="fi")
    assert _figures(rows) == {
        ("C", "2026 Q3"): (3, 0, 1, 0), ("C", "2026 Q4"): (4, 1, 0, 2),
        ("A", "2026 Q3"): (3, 0, 1, 0), ("A", "2026 Q4"): (3, 1, 0, 1),
        ("U1", "2026 Q3"): (3, 0, 1, 0), ("U1", "2026 Q4"): (3, 1, 0, 1),
        ("U2", "2026 Q3"): (0, 0, 0, 0), ("U2", "2026 Q4"): (0, 0, 0, 0),
        ("B", "2026 Q3"): (0, 0, 0, 0), ("B", "2026 Q4"): (1, 0, 0, 1),
        ("U3", "2026 Q3"): (0, 0, 0, 0), ("U3", "2026 Q4"): (1, 0, 0, 1),
    }


def test_only_published_reasons_reach_the_public_and_the_theme_titles_never(loop):
    rows = public_loop(loop, places=_units(loop, "C", "U3"), quarters=[Q3, Q4], language="fi")
    county_q4 = rows[0].quarters[1]
    assert [(r.stage, r.text, r.themes) for r in county_q4.reasons] == [("ei_edeta", "Asia korjautunut jo muuten", 1)]
    everything = repr([asdict(row) for row in rows])
    for secret in ("Sisäinen", "Salainen", "Ei julki"):
        assert secret not in everything


def _dropped(session, unit):
    return next(t for t in session.exec(select(Theme)).all()
                if t.stage == Stage.NOT_PURSUED.value and t.unit_id == unit_by_code(session, unit).id)


def test_a_reason_published_before_the_theme_moved_again_is_not_published_for_its_new_stage(loop):
    dropped = _dropped(loop, "U1")
    dropped.stage_since = datetime(2026, 10, 7)  # moved again after its reason was published
    loop.add(dropped)
    loop.flush()
    rows = public_loop(loop, places=_units(loop, "U1"), quarters=[Q4], language="fi")
    assert rows[0].quarters[0].reasons == () and rows[0].quarters[0].not_pursued == 1


def test_a_supervisor_publishes_and_withdraws_a_reason_audited_and_versioned(loop):
    theme = _dropped(loop, "U3")
    supervisor = person(loop, Role.SUPERVISOR, "U3")
    publish_theme_reason(loop, viewer=supervisor, theme_id=theme.id, seen_version=1, publish=True, now=NOW)
    rows = public_loop(loop, places=_units(loop, "U3"), quarters=[Q4], language="fi")
    assert [r.text for r in rows[0].quarters[0].reasons] == ["Sisäinen syy"]
    with pytest.raises(StaleEdit):
        publish_theme_reason(loop, viewer=supervisor, theme_id=theme.id, seen_version=1, publish=False, now=NOW)
    publish_theme_reason(loop, viewer=supervisor, theme_id=theme.id, seen_version=2, publish=False, now=NOW)
    assert public_loop(loop, places=_units(loop, "U3"), quarters=[Q4], language="fi")[0].quarters[0].reasons == ()
    audits = loop.exec(select(AuditEvent).where(AuditEvent.action == "theme.reason_publish")).all()
    assert [(a.before, a.after) for a in audits] == [({"published": False}, {"published": True}),
                                                     ({"published": True}, {"published": False})]


def test_another_units_supervisor_may_not_publish_a_reason(loop):
    theme = _dropped(loop, "U3")
    with pytest.raises(AccessDenied):
        publish_theme_reason(loop, viewer=person(loop, Role.SUPERVISOR, "U1"), theme_id=theme.id, seen_version=1,
                             publish=True, now=NOW)


def test_each_published_action_says_how_much_feedback_it_answers(loop):
    shown = public_actions(loop, language="fi")
    assert [(a.text, a.answers) for a in shown] == [("Lisäsimme aamun soittoaikoja", 3)]


def test_all_published_actions_are_reached_page_by_page_and_by_quarter(tree):
    theme = _theme(tree, "U1", Stage.DONE, datetime(2026, 11, 2))
    for day in range(1, 31):
        add_action(tree, theme, date(2026, 9 + day // 16, 1 + day % 16), "Sisäinen", f"Muutos {day:02d}", True)
    first = public_actions(tree, language="fi", limit=12)
    second = public_actions(tree, language="fi", limit=12, offset=12)
    third = public_actions(tree, language="fi", limit=12, offset=24)
    texts = [a.text for a in first + second + third]
    assert len(texts) == 30 == len(set(texts)) == count_public_actions(tree)
    assert action_quarters(tree) == [(Q4, 15), (Q3, 15)]
    assert action_quarters(tree, unit_code="U3") == []
    in_q3 = public_actions(tree, language="fi", quarter=Q3, limit=100)
    assert len(in_q3) == 15 == count_public_actions(tree, quarter=Q3)
    assert all(Q3.period().first <= a.taken_on <= Q3.period().last for a in in_q3)


def test_a_place_page_knows_units_and_areas_and_refuses_other_codes(tree):
    unit = public_place(tree, code="U1", language="fi")
    assert (unit.place.name, unit.level, unit.active, unit.area.code) == ("Keskustan terveysasema", "unit", True, "A")
    assert public_place(tree, code="A", language="fi").area is None
    assert public_place(tree, code="S", language="fi") is None  # a service area has no public page
    assert public_place(tree, code="NOPE", language="fi") is None
    assert public_loop_places(tree, code="A")[1] == _units(tree, "U1", "U2")
    assert public_loop_places(tree, code="U1") == (unit_by_code(tree, "U1"), [])


def _answers(session, unit, count, nps=9):
    for _ in range(count):
        add_feedback(session, unit, datetime(2026, 11, 3, 9), nps=nps, saatavuus=5)


def test_a_unit_page_hides_its_figures_exactly_as_its_area_table_does(tree):
    _answers(tree, "U1", 20)
    _answers(tree, "U2", 3, nps=0)  # too few: hidden, and U1 with it, or the area total gives U2 away
    assert place_figures(tree, code="U2", language="fi", quarters=[Q4], min_n=5).quarters[0].nps is None
    u1 = place_figures(tree, code="U1", language="fi", quarters=[Q4], min_n=5).quarters[0]
    assert u1.nps is None and u1.nps_hidden and u1.n_nps == 20
    _answers(tree, "U2", 4, nps=0)
    u1 = place_figures(tree, code="U1", language="fi", quarters=[Q4], min_n=5).quarters[0]
    assert u1.nps == 100.0


def test_a_closed_units_page_shows_no_figures(tree):
    _answers(tree, "U2", 9)
    unit = unit_by_code(tree, "U2")
    unit.active = False
    tree.add(unit)
    tree.flush()
    assert place_figures(tree, code="U2", language="fi", quarters=[Q4], min_n=5) is None
    assert public_place(tree, code="U2", language="fi").active is False
    assert public_loop_places(tree, code="U2") == (None, [])
