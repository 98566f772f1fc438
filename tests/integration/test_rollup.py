"""The roll-up on SQLite and PostgreSQL: pooling, small numbers, real changes, `metrics` equality, access."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from auth.access import AccessDenied
from auth.roles import Role
from board.periods import quarter_period
from board.stages import Stage
from data.__main__ import main
from data.rollup import monthly_trend, rollup, rollup_roots
from data.huddle_board import metrics_for
from data.settings import Settings
from tests.conftest import NOW
from tests.factories import add_action, add_feedback, add_theme, everyone, make_tree, person

Q3 = quarter_period(2026, 3)
Q2 = quarter_period(2026, 2)
SETTINGS = Settings(database_url="unused", min_n=5, reply_days=14)
IN_Q3, IN_Q2, A_YEAR_AGO = datetime(2026, 8, 10, 9, 0), datetime(2026, 5, 10, 9, 0), datetime(2025, 8, 10, 9, 0)


def _scores(session, code, when, scores, **fields):
    for score in scores:
        add_feedback(session, code, when, nps=score, **fields)


@pytest.fixture
def county(session):
    """U1 big and rising, U2 small and steady, U3 (the other area) with 3 answers only."""
    make_tree(session, NOW)
    _scores(session, "U1", IN_Q3, [10] * 80 + [8] * 10 + [3] * 10, kohtaaminen=5)
    _scores(session, "U1", IN_Q2, [10] * 40 + [8] * 20 + [3] * 40, kohtaaminen=2)
    _scores(session, "U1", A_YEAR_AGO, [10] * 70 + [3] * 30)
    _scores(session, "U2", IN_Q3, [10] * 5 + [2] * 5)
    _scores(session, "U2", IN_Q2, [10] * 6 + [2] * 4)
    _scores(session, "U3", IN_Q3, [10, 9, 2])
    # Replies asked for in Q3: one in 2 days, one in 20 days, one never (overdue now).
    add_feedback(session, "U2", IN_Q3, reply_requested=True, replied_at=IN_Q3 + timedelta(days=2))
    add_feedback(session, "U2", IN_Q3, reply_requested=True, replied_at=IN_Q3 + timedelta(days=20))
    add_feedback(session, "U1", IN_Q3, reply_requested=True, replied_at=IN_Q3 + timedelta(hours=5))
    add_feedback(session, "U1", IN_Q3, reply_requested=True)
    theme = add_theme(session, "U2", Stage.TRIAL, datetime(2026, 7, 1))
    add_theme(session, "U3", Stage.IN_GROUP, datetime(2026, 7, 1))
    add_action(session, theme, date(2026, 8, 1), "Ajanvaraus puhelimella myös iltaisin")
    add_action(session, theme, date(2026, 4, 1), "Q2:lla tehty")
    return session


def _rollup(session, viewer=None, code="C"):
    return rollup(session, viewer=viewer or everyone(), unit_code=code, period=Q3, kind="quarter", now=NOW,
                  settings=SETTINGS)


def test_a_parent_is_pooled_from_its_subtrees_raw_counts_not_an_average_of_percentages(county):
    result = _rollup(county)
    u1, u2, s = (result.node(code).nps for code in ("U1", "U2", "S"))
    assert (u1.score, u2.score) == (pytest.approx(70.0), pytest.approx(0.0))
    assert (s.n, s.promoters, s.detractors) == (110, 85, 15)
    assert s.score == pytest.approx(100 * 70 / 110)  # not (70 + 0) / 2 = 35
    assert result.node("C").nps.n == 113


def test_the_tree_lists_children_in_order_from_the_county_down(county):
    result = _rollup(county)
    assert result.node("C").children == ("A", "B")
    assert [n.code for n in result.subtree("C")] == ["C", "A", "S", "U1", "U2", "B", "U3"]
    assert [n.code for n in result.path_to("U2")] == ["C", "A", "S", "U2"]
    assert [n.depth for n in result.subtree("C")] == [0, 1, 2, 3, 3, 1, 2]


def test_a_small_unit_is_hidden_and_so_is_its_next_smallest_sibling_and_what_is_below_it(county):
    result = _rollup(county)
    # B has 3 answers: hidden, and A (its only sibling) with it; below the hidden A, S hides too.
    assert {code for code, node in result.nodes.items() if node.suppressed} >= {"B", "A", "U3"}
    assert result.node("B").nps_shown is None and result.node("B").nps.n == 3
    assert result.node("A").nps_shown is None and result.node("A").vs_previous is None
    assert result.node("C").nps_shown == pytest.approx(100 * (87 - 16) / 113)


def test_a_change_is_marked_only_when_its_interval_excludes_zero(county, monkeypatch):
    result = _rollup(county, code="S")  # S's own subtree: nothing small to hide
    u1, u2 = result.node("U1"), result.node("U2")
    assert u1.vs_previous.change == pytest.approx(70.0 - 0.0) and u1.vs_previous.significant
    assert u2.vs_previous.change == pytest.approx(0.0 - 20.0) and not u2.vs_previous.significant
    assert u1.vs_year_ago.change == pytest.approx(70.0 - 40.0) and u1.vs_year_ago.significant
    assert u2.vs_year_ago is None  # nobody answered a year ago
    assert u1.statement_vs_previous["kohtaaminen"].significant
    assert u1.statement_vs_previous["saatavuus"] is None


def test_replies_actions_and_themes_are_counted_for_the_period_and_pooled(county):
    s = _rollup(county, code="S").node("S")
    assert (s.replies_requested, s.replied, s.replied_in_time, s.overdue) == (4, 3, 2, 1)
    assert s.median_reply_days == pytest.approx(2.0)  # 5 h, 2 d, 20 d
    assert (s.in_development, s.actions_done) == (1, 1)
    assert _rollup(county).node("C").in_development == 2


@pytest.mark.parametrize("code", ["C", "A", "S", "U1", "U2", "B", "U3"])
def test_every_node_has_the_figures_python_m_data_metrics_prints(county, code, database_url, monkeypatch, capsys):
    county.commit()
    node = _rollup(county).node(code)
    expected = metrics_for(county, unit_code=code, period=Q3, now=NOW, settings=SETTINGS).as_json()
    assert node.metrics_json(Q3) == expected
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_NOW", NOW.isoformat() + "+00:00")  # the CLI's state "now" is NOW's too
    monkeypatch.delenv("VARTTI_MIN_N", raising=False)
    capsys.readouterr()
    assert main(["metrics", "--unit", code, "--from", "2026-07-01", "--to", "2026-09-30"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(expected))


def test_the_monthly_trend_is_bucketed_by_calendar_month(county):
    trend = monthly_trend(county, viewer=everyone(), unit_code="U1", last_day=date(2026, 9, 30),
                          settings=SETTINGS, months=6)
    assert [m.month.first.month for m in trend] == [4, 5, 6, 7, 8, 9]
    assert [m.nps.n for m in trend] == [0, 100, 0, 0, 100, 0]
    assert trend[4].volume == 102


@pytest.mark.parametrize("role, grant, asked, allowed", [
    (Role.DIRECTOR, "A", "A", True),
    (Role.DIRECTOR, "A", "U1", True),
    (Role.DIRECTOR, "A", "C", False),   # never upwards
    (Role.DIRECTOR, "A", "B", False),   # never sideways
    (Role.SUPERVISOR, "U1", "U1", True),
    (Role.SUPERVISOR, "U1", "S", False),
    (Role.TEAM, "U1", "U1", False),
])
def test_a_viewer_rolls_up_exactly_their_own_subtree(county, role, grant, asked, allowed):
    viewer = person(county, role, grant)
    if allowed:
        assert set(_rollup(county, viewer, asked).nodes) <= set(_rollup(county, code=grant).nodes)
    else:
        with pytest.raises(AccessDenied):
            _rollup(county, viewer, asked)


def test_the_roots_offered_are_the_viewers_grants(county):
    assert [u.code for u in rollup_roots(county, viewer=person(county, Role.DIRECTOR, "A"))] == ["A"]
    assert rollup_roots(county, viewer=person(county, Role.TEAM, "U1")) == []
