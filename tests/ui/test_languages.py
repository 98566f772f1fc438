"""The app in Finnish, Swedish and English: ?lang=, the picker, a person's saved choice, and each page's texts."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from babel.dates import format_date

from board.periods import helsinki_date
from data.db import session_scope
from data.languages import choose_language, preferred_language
from data.access import viewer_for
from data.kiosk import create_kiosk_link
from data.organisation import upsert_units
from pages.ui.plain import inert
from tests.factories import TREE, add_feedback
from tests.conftest import app_now
from tests.ui.conftest import open_page

HUDDLE, INBOX, KANBAN, ADMIN = "pages/huddle.py", "pages/inbox.py", "pages/kanban.py", "pages/admin.py"
PICKER = "vartti.language.picker"


def shown(app) -> str:
    return "\n".join(str(e.value) for kind in ("title", "subheader", "markdown", "caption", "metric", "info",
                                                "warning", "error") for e in getattr(app, kind))


def metric_labels(app) -> list[str]:
    return [m.label for m in app.metric]


@pytest.fixture
def bilingual(county):
    """The test county with Swedish and English names for U1 only (U2 has its Finnish name alone)."""
    rows = [replace(row, name_sv="Centrums hälsostation", name_en="Central Health Station") if row.code == "U1"
            else row for row in TREE]
    with session_scope(county, write=True) as session:
        upsert_units(session, rows, actor="test", now=app_now())
    return county


@pytest.fixture
def unit_with_feedback(bilingual):
    now = app_now()
    with session_scope(bilingual, write=True) as session:
        for days_ago, score in enumerate([10, 10, 9, 9, 9, 8, 7, 3, 10, 6]):
            add_feedback(session, "U1", now - timedelta(days=days_ago, hours=1), nps=score, saatavuus=5,
                         collection="sms", reply_requested=days_ago == 0)
    return bilingual


HUDDLE_TEXTS = {
    "fi": ("Keskustan terveysasema", "Suositteluindeksi (NPS), 30 pv", "95 %:n luottamusväli",
           f"**100\u00a0%** {inert('Sain apua, kun sitä tarvitsin')} (n\u00a010)", "fi_FI"),
    "sv": ("Centrums hälsostation", "Rekommendationsindex NPS, 30 d", "95 % konfidensintervall",
           f"**100\u00a0%** {inert('Jag fick hjälp när jag behövde den')} (n\u00a010)", "sv_FI"),
    "en": ("Central Health Station", "Net Promoter Score (NPS), 30 days", "95% confidence interval",
           f"**100%** {inert('I got help when I needed it')} (n\u00a010)", "en_GB"),
}


@pytest.mark.parametrize("code", HUDDLE_TEXTS)
def test_the_huddle_board_speaks_the_language_of_the_address(unit_with_feedback, code):
    title, nps, interval, statement, locale = HUDDLE_TEXTS[code]
    app = open_page(HUDDLE, unit="U1", lang=code)
    assert not app.exception
    assert app.title[0].value == title
    assert nps in metric_labels(app)
    text = shown(app)
    assert interval in text and statement in text
    assert format_date(helsinki_date(app_now()), "cccc", locale=locale) in text


def test_a_unit_without_a_swedish_name_shows_its_finnish_one(bilingual):
    app = open_page(HUDDLE, unit="U2", lang="sv")
    assert app.title[0].value == "Rantakylän terveysasema"
    assert "Rekommendationsindex NPS, 30 d" in metric_labels(app)


PAGE_TEXTS = [
    (INBOX, "ui:supervisor", "sv", "Respons", "Kundrespons från dina enheter"),
    (INBOX, "ui:supervisor", "en", "Feedback", "Customer feedback from your units"),
    (KANBAN, "ui:supervisor", "sv", "Utvecklingstavla: Centrums hälsostation", "Hos utvecklingsgruppen"),
    (KANBAN, "ui:supervisor", "en", "Improvement board: Central Health Station", "With the improvement team"),
    (ADMIN, "ui:admin", "sv", "Administration", "Rättigheten ges till en Entra ID-grupp"),
    (ADMIN, "ui:admin", "en", "Administration", "A right is given to an Entra ID group"),
]


@pytest.mark.parametrize("page, person, code, title, phrase", PAGE_TEXTS)
def test_each_page_speaks_the_language_of_the_address(unit_with_feedback, page, person, code, title, phrase):
    app = open_page(page, as_=person, unit="U1", lang=code)
    assert not app.exception
    assert app.title[0].value == title
    assert phrase in shown(app)


def test_the_inbox_counts_and_labels_in_swedish(unit_with_feedback):
    app = open_page(INBOX, as_="ui:supervisor", lang="sv")
    assert "10 responser" in shown(app)
    assert app.selectbox(key="inbox-f-status").label == "Svarets status"


@pytest.mark.parametrize("code, demo_title, entra", [
    ("sv", "Demoläge", "Logga in (Microsoft)"),
    ("en", "Demo mode", "Sign in (Microsoft)"),
])
def test_the_sign_in_page_speaks_the_language_of_the_address(bilingual, code, demo_title, entra):
    app = open_page(HUDDLE, as_=None, unit="U1", lang=code)
    assert not app.exception
    assert demo_title in [h.value for h in app.header]
    assert app.segmented_control(key=PICKER).value == code


def test_an_unknown_language_in_the_address_leaves_finnish(bilingual):
    app = open_page(HUDDLE, unit="U1", lang="de")
    assert "Suositteluindeksi (NPS), 30 pv" in metric_labels(app)


def test_the_picker_switches_the_language_and_the_session_keeps_it(unit_with_feedback):
    app = open_page(HUDDLE, unit="U1")
    assert app.segmented_control(key=PICKER).value == "fi"
    app.segmented_control(key=PICKER).set_value("en").run()
    assert "Net Promoter Score (NPS), 30 days" in metric_labels(app)
    app.switch_page(INBOX).run()
    assert app.title[0].value == "Feedback"


def test_a_signed_in_persons_choice_is_saved_for_their_next_session(bilingual):
    app = open_page(HUDDLE, as_="ui:director", unit="U1")
    app.segmented_control(key=PICKER).set_value("sv").run()
    with session_scope(bilingual) as session:
        director = viewer_for(session, subject="ui:director", name="x", principals=["ui:director"])
        assert preferred_language(session, viewer=director) == "sv"
    later = open_page(HUDDLE, as_="ui:director", unit="U1")
    assert later.title[0].value == "Centrums hälsostation"


def test_a_language_chosen_before_signing_in_is_saved_for_the_person(bilingual):
    app = open_page(HUDDLE, as_=None, unit="U1", lang="en")
    app.session_state["vartti.demo_persona"] = "ui:director"
    app.run()
    assert app.title[0].value == "Central Health Station"
    with session_scope(bilingual) as session:
        director = viewer_for(session, subject="ui:director", name="x", principals=["ui:director"])
        assert preferred_language(session, viewer=director) == "en"


def test_the_address_wins_over_the_saved_choice(bilingual):
    with session_scope(bilingual, write=True) as session:
        director = viewer_for(session, subject="ui:director", name="x", principals=["ui:director"])
        choose_language(session, viewer=director, language="sv", now=app_now())
    app = open_page(HUDDLE, as_="ui:director", unit="U1", lang="en")
    assert app.title[0].value == "Central Health Station"


def test_a_wall_screen_takes_its_language_from_its_link_and_has_no_picker(bilingual):
    with session_scope(bilingual, write=True) as session:
        admin = viewer_for(session, subject="ui:admin", name="x", principals=["ui:admin"])
        token = create_kiosk_link(session, viewer=admin, unit_code="U1", label="x", now=app_now(),
                                  valid_days=None)
    app = open_page(HUDDLE, as_=None, unit="U1", screen=token, lang="sv")
    assert app.title[0].value == "Centrums hälsostation"
    assert "Rekommendationsindex NPS, 30 d" in metric_labels(app)
    assert not app.segmented_control
