"""The public page's whole loop, anonymous: a unit's own page, an unknown code, every action page by page, the
quarter archive, and the loop's figures."""
from __future__ import annotations

from datetime import timedelta

import pytest

from board.periods import helsinki_date
from board.quarters import quarter_of
from board.stages import Stage
from data.db import session_scope
from data.organisation import unit_by_code
from tests.conftest import app_now
from tests.factories import add_action, add_feedback, add_theme
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, RUN_TIMEOUT, open_page
from tests.ui.test_public_page import shown

PAGE = "pages/public.py"


def _open_public(**query: str):
    """The public page, signed out, with a query (`page` too, which open_page keeps for the page's file)."""
    app = AppTest.from_file(APP, default_timeout=RUN_TIMEOUT)
    for key, value in query.items():
        app.query_params[key] = value
    app.switch_page(PAGE)
    return app.run()


@pytest.fixture
def many(county):
    """Fifteen published actions in U1 (the newest numbered 15), a not-pursued theme with a published reason,
    and feedback whose text must never show."""
    now = app_now()
    today = helsinki_date(now)
    with session_scope(county, write=True) as session:
        theme = add_theme(session, "U1", Stage.DONE, now, title="Sisäinen otsikko")
        for i in range(1, 16):
            add_action(session, theme, today - timedelta(days=16 - i), "Sisäinen", f"Julkinen muutos {i:02d}", True)
        dropped = add_theme(session, "U1", Stage.NOT_PURSUED, now, title="Toinen sisäinen")
        dropped.not_pursued_reason = "Ratkaisu ei ole yksikön päätettävissä"
        dropped.reason_published_at = now
        session.add(dropped)
        for _ in range(6):
            add_feedback(session, "U1", now - timedelta(hours=2), nps=9, free_text="Salainen palaute")
    from pages.ui import public_cache
    public_cache.forget()
    return county


def test_a_units_own_page_shows_its_actions_figures_loop_and_how_to_give_feedback(many, monkeypatch):
    monkeypatch.setenv("VARTTI_FEEDBACK_URL", "https://example.fi/palaute")
    app = open_page(PAGE, as_=None, unit="U1")
    assert not app.exception
    assert app.title[0].value == "Keskustan terveysasema"
    text = shown(app)
    assert "Julkinen muutos 15" in text and "Julkinen muutos 04" in text and "Julkinen muutos 03" not in text
    assert "Toimenpiteet 1–12 / 15, uusin ensin." in text
    assert "Palautteesta muutokseen" in text and "Ratkaisu ei ole yksikön päätettävissä" in text
    assert "(https://example.fi/palaute)" in text
    for secret in ("Salainen palaute", "Sisäinen", "Toinen sisäinen"):
        assert secret not in text
    assert [link.label for link in app.get("page_link")][:2] == ["Kaikkien yksiköiden sivu", "Vanhemmat toimenpiteet"]


def test_the_second_page_shows_the_oldest_actions_and_a_link_back(many):
    app = _open_public(unit="U1", page="2")
    text = shown(app)
    assert "Toimenpiteet 13–15 / 15, uusin ensin." in text
    assert "Julkinen muutos 03" in text and "Julkinen muutos 04" not in text
    assert "Uudemmat toimenpiteet" in [link.label for link in app.get("page_link")]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999"])
def test_a_page_out_of_range_shows_a_real_page_not_an_error(many, page):
    app = _open_public(page=page)
    assert not app.exception
    assert "Julkinen muutos" in shown(app)


def test_the_archive_shows_one_quarter_and_a_wrong_period_is_refused_with_a_message(many):
    quarter = quarter_of(helsinki_date(app_now()))
    app = open_page(PAGE, as_=None, period=f"{quarter.year}-Q{quarter.number}")
    assert not app.exception
    assert f"Näytetään vuosineljänneksen Q{quarter.number}/{quarter.year} toimenpiteet." in shown(app)
    app = open_page(PAGE, as_=None, period="2026-13")
    assert not app.exception
    assert "Osoitteen ajanjakso ”2026\\-13” ei ole vuosineljännes" in shown(app)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_an_unknown_code_says_so_in_the_readers_language(many, language):
    app = open_page(PAGE, as_=None, unit="NOPE<script>", lang=language)
    assert not app.exception
    assert {"fi": "ei löydy julkista sivua", "sv": "ingen offentlig sida",
            "en": "no public page"}[language] in app.error[0].value


def test_a_closed_units_page_keeps_its_figures_hidden(many):
    with session_scope(many, write=True) as session:
        unit = unit_by_code(session, "U1")
        unit.active = False
        session.add(unit)
    from pages.ui import public_cache
    public_cache.forget()
    app = open_page(PAGE, as_=None, unit="U1")
    assert not app.exception
    text = shown(app)
    assert "ei ole enää toiminnassa" in app.info[0].value
    assert "(n\u00a0=\u00a06)" not in text and "Palautteesta muutokseen" not in text


def test_the_overview_lists_the_loop_of_the_areas_and_each_action_counts_its_feedback(many):
    text = shown(open_page(PAGE, as_=None))
    assert "Palautteesta muutokseen" in text and "Käsitellyt teemat" in text
    assert "Toimenpiteet 1–12 / 15, uusin ensin." in text
