"""The figures of a unit's subtree, checked by hand on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from board.periods import IsoWeek, Period, last_days
from board.replies import ReplyPolicy
from board.stages import Stage
from data.metrics import feedback_figures, reply_figures, unit_metrics, volume_by_collection, weekly_nps
from data.organisation import unit_by_code
from data.huddle_board import huddle_board, metrics_for
from data.units import UnknownUnit
from tests.conftest import NOW
from tests.factories import add_feedback, add_theme, make_tree, everyone

# The last 30 days before NOW are 2026-10-25 … 2026-11-23; clocks went back on 2026-10-25, so
# that day starts at 2026-10-24 21:00 UTC (EEST, +3).
PERIOD = last_days(date(2026, 11, 23), 30)
FIRST_INSTANT = datetime(2026, 10, 24, 21, 0)
POLICY = ReplyPolicy(days=14)


@pytest.fixture
def scored(session):
    make_tree(session, NOW)
    for score, saatavuus in [(10, 5), (9, 4), (9, 2), (8, None), (3, None)]:
        add_feedback(session, "U1", FIRST_INSTANT, nps=score, saatavuus=saatavuus, collection="sms")
    add_feedback(session, "U1", datetime(2026, 10, 24, 20, 59, 59), nps=0)  # 23.59.59 the day before
    add_feedback(session, "U1", datetime(2026, 11, 23, 7, 59), nps=None, collection="kiosk")
    add_feedback(session, "U2", datetime(2026, 11, 1, 12, 0), nps=0, collection="sms")
    add_feedback(session, "U3", datetime(2026, 11, 20, 12, 0), nps=10, collection="web")
    return session


def test_unit_figures_count_only_its_own_feedback_of_the_period(scored):
    figures = feedback_figures(scored, unit_by_code(scored, "U1"), PERIOD, min_n=5)
    assert figures.volume == 6
    assert (figures.nps.promoters, figures.nps.passives, figures.nps.detractors) == (3, 1, 1)
    assert figures.nps.score == pytest.approx(40.0)
    saatavuus = figures.likert["saatavuus"]
    assert (saatavuus.n, saatavuus.mean, saatavuus.agree_pct) == (3, pytest.approx(11 / 3), pytest.approx(200 / 3))
    assert figures.likert["kohtaaminen"].n == 0


@pytest.mark.parametrize(
    "code, n, score",
    [("S", 6, 100 * (3 - 2) / 6), ("C", 7, 100 * (4 - 2) / 7), ("U2", 1, None), ("B", 1, None)],
)
def test_figures_of_an_area_include_its_whole_subtree(scored, code, n, score):
    figures = feedback_figures(scored, unit_by_code(scored, code), PERIOD, min_n=5)
    assert figures.nps.n == n
    assert figures.nps.score == (None if score is None else pytest.approx(score))


def test_nps_is_hidden_below_the_small_n_threshold(scored):
    figures = feedback_figures(scored, unit_by_code(scored, "U1"), PERIOD, min_n=6)
    assert figures.nps.n == 5 and figures.nps.score is None and figures.nps.ci95 is None


def test_volume_by_collection_groups_the_period(scored):
    assert volume_by_collection(scored, unit_by_code(scored, "C"), PERIOD) == {"sms": 6, "kiosk": 1, "web": 1}


@pytest.fixture
def replies(session):
    make_tree(session, NOW)
    add = lambda received, **f: add_feedback(session, "U1", received, reply_requested=True, **f)  # noqa: E731
    add(datetime(2026, 11, 8, 7, 59))                       # due 22.11. 9.59 local: overdue, 1 day
    add(datetime(2026, 11, 1, 8, 0))                        # due 15.11.: overdue, 8 days
    add(datetime(2026, 11, 9, 8, 0))                        # due exactly now: not overdue, due soon
    add(datetime(2026, 11, 12, 7, 0))                       # due 26.11. 9.00, within 3 days: due soon
    add(datetime(2026, 11, 12, 8, 1))                       # due 3 days and a minute from now: neither
    add(datetime(2026, 11, 20, 9, 0))                       # due 4.12.: neither
    add(datetime(2026, 10, 1), replied_at=datetime(2026, 10, 5))
    add(datetime(2026, 10, 1), no_reply_reason="Kiitospalaute")
    add_feedback(session, "U1", datetime(2026, 10, 1), reply_requested=False)
    add_feedback(session, "U2", datetime(2026, 11, 1), reply_requested=True)
    return session


def test_replies_are_overdue_after_the_deadline_and_due_soon_within_three_days(replies):
    figures = reply_figures(replies, unit_by_code(replies, "U1"), now=NOW, policy=POLICY)
    assert (figures.overdue, figures.oldest_overdue_days, figures.due_soon) == (2, 8, 2)


def test_reply_figures_of_an_area_add_up_its_units(replies):
    figures = reply_figures(replies, unit_by_code(replies, "S"), now=NOW, policy=POLICY)
    assert (figures.overdue, figures.due_soon) == (3, 2)


def test_a_unit_without_replies_waiting_has_nothing_overdue(replies):
    figures = reply_figures(replies, unit_by_code(replies, "U3"), now=NOW, policy=POLICY)
    assert (figures.overdue, figures.oldest_overdue_days, figures.due_soon) == (0, 0, 0)


def test_a_longer_reply_deadline_moves_replies_out_of_overdue(replies):
    figures = reply_figures(replies, unit_by_code(replies, "U1"), now=NOW, policy=ReplyPolicy(days=21))
    assert (figures.overdue, figures.due_soon) == (1, 0)


def test_in_development_counts_themes_between_identified_and_done(session):
    make_tree(session, NOW)
    for stage in Stage:
        add_theme(session, "U1", stage, NOW)
    add_theme(session, "U3", Stage.TRIAL, NOW)
    u1 = unit_metrics(session, unit_by_code(session, "U1"), PERIOD, now=NOW, policy=POLICY, min_n=5)
    county = unit_metrics(session, unit_by_code(session, "C"), PERIOD, now=NOW, policy=POLICY, min_n=5)
    assert (u1.in_development, county.in_development) == (2, 3)


def test_weekly_nps_buckets_by_helsinki_week(session):
    make_tree(session, NOW)
    add_feedback(session, "U1", datetime(2026, 11, 22, 21, 59), nps=10)  # Sunday 23.59 local: week 47
    add_feedback(session, "U1", datetime(2026, 11, 22, 22, 0), nps=0)    # Monday 0.00 local: week 48
    add_feedback(session, "U1", datetime(2026, 11, 16, 12, 0), nps=None)  # no NPS: not counted
    weeks = weekly_nps(session, unit_by_code(session, "U1"), [IsoWeek(2026, 46), IsoWeek(2026, 47),
                                                                IsoWeek(2026, 48)], min_n=1)
    assert [(w.week.week, w.nps.n, w.nps.score) for w in weeks] == [(46, 0, None), (47, 1, 100.0), (48, 1, -100.0)]


def test_metrics_json_follows_the_contract(scored, settings):
    metrics = metrics_for(scored, unit_code="U1", period=Period(date(2026, 10, 25), date(2026, 11, 23)),
                          now=NOW, settings=settings)
    data = metrics.as_json()
    assert data["unit"] == "U1" and data["from"] == "2026-10-25" and data["to"] == "2026-11-23"
    assert (data["n_nps"], data["nps"], data["volume"]) == (5, 40.0, 6)
    # Adjusted Wald: n' = 8, p' = 3.75/8, d' = 1.75/8 → 25.0 ± 1.96·100·√((0.6875 − 0.0625)/8) = 25.0 ± 54.8
    assert data["nps_ci95"] == [-29.8, 79.8]
    assert data["likert"]["saatavuus"] == {"n": 3, "mean": 3.67, "agree_pct": 66.7}
    assert data["likert"]["hyodyllisyys"] == {"n": 0, "mean": None, "agree_pct": None}
    assert set(data) == {"unit", "from", "to", "n_nps", "nps", "nps_ci95", "promoters", "passives",
                         "detractors", "volume", "likert", "overdue_replies", "due_soon_replies",
                         "in_development"}


def test_board_shows_the_same_figures_as_metrics(scored, settings):
    board = huddle_board(scored, viewer=everyone(), unit_code="U1", now=NOW, settings=settings)
    metrics = metrics_for(scored, unit_code="U1", period=None, now=NOW, settings=settings)
    assert board.metrics.as_json() == metrics.as_json()
    assert board.metrics.figures.period == PERIOD


def test_an_unknown_unit_is_reported_by_its_code(session, settings):
    make_tree(session, NOW)
    with pytest.raises(UnknownUnit) as raised:
        huddle_board(session, viewer=everyone(), unit_code="NOPE", now=NOW, settings=settings)
    assert raised.value.code == "NOPE"
