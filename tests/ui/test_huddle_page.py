"""The huddle page in AppTest: figures, empty and thin units, unknown units, broken set-ups."""
from __future__ import annotations

from datetime import timedelta

import pytest

from board.stages import Stage
from data.db import session_scope
from data.huddle_board import metrics_for
from data.settings import Settings
from tests.factories import add_feedback, add_theme
from tests.conftest import app_now
from tests.ui.conftest import open_page

HUDDLE = "pages/huddle.py"


def texts(app) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "metric", "error", "warning", "info", "title")
                     for e in getattr(app, kind))


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


@pytest.fixture
def unit_with_feedback(county):
    now = app_now()
    with session_scope(county, write=True) as session:
        for days_ago, score in enumerate([10, 10, 9, 9, 9, 8, 7, 3, 10, 6]):
            add_feedback(session, "U1", now - timedelta(days=days_ago, hours=1), nps=score, saatavuus=5,
                         collection="sms")
        add_feedback(session, "U1", now - timedelta(days=20), reply_requested=True)
        add_feedback(session, "U1", now - timedelta(days=12), reply_requested=True)
        add_theme(session, "U1", Stage.TRIAL, now - timedelta(days=5), title="Takaisinsoitot")
    return county


def test_board_shows_the_figures_of_metrics(unit_with_feedback):
    app = open_page(HUDDLE, unit="U1")
    assert not app.exception
    with session_scope(unit_with_feedback) as session:
        figures = metrics_for(session, unit_code="U1", period=None, now=app_now(),
                              settings=Settings(demo=True)).as_json()
    assert figures["nps"] == 40.0
    assert app.title[0].value == "Keskustan terveysasema"
    assert metric(app, "Suositteluindeksi (NPS), 30 pv") == "40"
    assert f"n = {figures['n_nps']} · 95 %:n luottamusväli" in texts(app)
    assert metric(app, "Kehitteillä") == "1"
    assert metric(app, "Vastauksia myöhässä") == "1"
    assert "Lisäksi 1 erääntyy 3 pv:n sisällä" in texts(app)
    assert "Takaisinsoitot" in texts(app)


def test_an_area_board_adds_up_its_units(unit_with_feedback):
    with session_scope(unit_with_feedback, write=True) as session:
        add_feedback(session, "U2", app_now() - timedelta(hours=3), nps=0)
    app = open_page(HUDDLE, unit="S")
    assert metric(app, "Suositteluindeksi (NPS), 30 pv") == "27"  # 100 · (6 − 3) / 11


def test_a_unit_without_feedback_says_so_instead_of_figures(county):
    app = open_page(HUDDLE, unit="U3")
    assert not app.exception
    assert metric(app, "Suositteluindeksi (NPS), 30 pv") == "ei vielä palautetta"
    assert metric(app, "Vastaukset asiakkaille") == "✓"
    assert "Kaikkiin vastattu ajallaan" in texts(app)
    assert "Väittämiin ei vielä vastauksia." in texts(app)
    assert "Ei kehitteillä olevia teemoja." in texts(app)


def test_a_thin_unit_shows_too_few_responses_instead_of_an_nps(county):
    with session_scope(county, write=True) as session:
        for score in (10, 0, 9):
            add_feedback(session, "U2", app_now() - timedelta(hours=2), nps=score)
    app = open_page(HUDDLE, unit="U2")
    assert metric(app, "Suositteluindeksi (NPS), 30 pv") == "liian vähän vastauksia"
    assert "n = 3, vähintään 5" in texts(app)


def test_replies_due_soon_show_in_amber_when_none_is_overdue(county):
    with session_scope(county, write=True) as session:
        add_feedback(session, "U2", app_now() - timedelta(days=13), reply_requested=True)
    app = open_page(HUDDLE, unit="U2")
    assert metric(app, "Vastauksia erääntyy 3 pv:n sisällä") == "1"


def test_user_text_on_the_board_is_shown_as_text_not_markup(county):
    with session_scope(county, write=True) as session:
        add_theme(session, "U1", Stage.IN_GROUP, app_now(), title="<b>Jono</b> **kiire**")
    app = open_page(HUDDLE, unit="U1")
    shown = next(m.value for m in app.markdown if "Jono" in m.value)
    assert r"\<b\>Jono\<\/b\> \*\*kiire\*\*" in shown


@pytest.mark.parametrize("query", [{"unit": "NOPE"}, {"unit": "   "}, {}])
def test_an_unknown_or_missing_unit_offers_a_picker_without_a_trace(county, query):
    app = open_page(HUDDLE, **query)
    assert not app.exception
    assert app.selectbox[0].label == "Yksikkö"
    message = texts(app)
    assert ("“NOPE” ei löydy" in message) if query.get("unit") == "NOPE" else ("Valitse yksikkö" in message)


def test_the_landing_page_lists_units_to_choose_from(county):
    app = open_page()
    assert app.title[0].value == "Valitse yksikkö"
    assert "U1" in app.selectbox[0].options[0] or any("(U1)" in o for o in app.selectbox[0].options)
