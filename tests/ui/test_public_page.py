"""The public page and the accessibility statement, anonymous, in Finnish, Swedish and English."""
from __future__ import annotations

import html
import re

from datetime import timedelta

import pyarrow as pa
import pytest

from auth.roles import Role
from board.periods import helsinki_date
from board.stages import Stage
from data.db import session_scope
from data.public import set_show_staff_names
from data.actions import publish_action
from tests.factories import add_action, add_feedback, add_theme, person
from tests.conftest import app_now
from tests.ui.conftest import open_page

TITLES = {"fi": "Palautteesi vaikutti", "sv": "Din respons gjorde skillnad", "en": "Your feedback made a difference"}
STATEMENT_TITLES = {"fi": "Saavutettavuusseloste", "sv": "Tillgänglighetsutlåtande", "en": "Accessibility statement"}


def shown(app) -> str:
    parts = [str(e.value) for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "error")
             for e in getattr(app, kind)]
    parts += [table.value.to_string() for table in app.table]
    # Texts that are not ours and carry their language (pages/ui/plain.in_language) are escaped HTML.
    parts += [html.unescape(re.sub(r"<[^>]+>", "", node.proto.body)) for node in app.get("html")]
    return "\n".join(parts)


@pytest.fixture
def published(county):
    """A published action with a topic, an unpublished one, and feedback whose text must never show."""
    now = app_now()
    with session_scope(county, write=True) as session:
        theme = add_theme(session, "U1", Stage.DONE, now, title="Puhelinjonot", owner="Sari Esihenkilö")
        action = add_action(session, theme, helsinki_date(app_now()) - timedelta(days=3), "Sisäinen muistiinpano",
                            "Lisäsimme soittoaikoja aamuun", True)
        action.topic = "saatavuus"
        session.add(action)
        add_action(session, theme, helsinki_date(app_now()) - timedelta(days=1), "Luonnos", "Ei vielä julki", False)
        for _ in range(6):
            add_feedback(session, "U1", now - timedelta(hours=1), nps=10, saatavuus=5,
                         free_text="Salainen palaute jonosta")
    return county


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_an_anonymous_visitor_lands_on_the_public_page_in_their_language(published, language):
    app = open_page(None, as_=None, lang=language)
    assert not app.exception
    assert app.title[0].value == TITLES[language]
    text = shown(app)
    assert "Lisäsimme soittoaikoja aamuun" in text
    assert {"fi": "Sain apua", "sv": "Jag fick hjälp", "en": "I got help"}[language] in text
    for secret in ("Salainen palaute", "Sisäinen muistiinpano", "Ei vielä julki", "Sari Esihenkilö", "Puhelinjonot"):
        assert secret not in text
    assert not app.metric


def test_the_public_figures_show_nps_with_n_and_hide_small_siblings(published):
    text = shown(open_page("pages/public.py", as_=None))
    assert "100 (n\u00a0=\u00a06)" in text
    assert "Aikuissosiaalityö" not in text  # another area's unit: areas are listed, not their units
    assert "Perusterveydenhuolto" in text


def test_filtering_by_a_topic_without_actions_says_so(published):
    app = open_page("pages/public.py", as_=None)
    app.selectbox(key="public-topic").set_value("turvallisuus").run()
    assert "Valinnoilla ei löytynyt julkaistuja toimenpiteitä." in shown(app)
    app.selectbox(key="public-topic").set_value("").run()
    app.text_input(key="public-search").input("soittoaikoja").run()
    assert "Lisäsimme soittoaikoja aamuun" in shown(app)


def test_a_newly_published_action_shows_once_the_kanban_flow_clears_the_cache(published):
    app = open_page("pages/public.py", as_=None)
    assert "Tekstiviestimuistutus" not in shown(app)
    with session_scope(published, write=True) as session:
        supervisor = person(session, Role.SUPERVISOR, "U1")
        theme = add_theme(session, "U1", Stage.DONE, app_now(), title="Muistutus")
        action = add_action(session, theme, helsinki_date(app_now()), "Sisäinen", "Tekstiviestimuistutus ennen käyntiä")
        publish_action(session, viewer=supervisor, action_id=action.id, seen_version=1, publish=True,
                       now=app_now())
    app.run()
    assert "Tekstiviestimuistutus" not in shown(app)  # still the cached page
    from pages.ui import public_cache
    public_cache.forget()  # what the kanban page does after publishing
    app.run()
    assert "Tekstiviestimuistutus ennen käyntiä" in shown(app)


def test_staff_names_show_only_after_an_admin_turns_them_on(published):
    with session_scope(published, write=True) as session:
        set_show_staff_names(session, viewer=person(session, Role.ADMIN, "C"), show=True, now=app_now())
    from pages.ui import public_cache
    public_cache.forget()
    assert "Sari Esihenkilö" in shown(open_page("pages/public.py", as_=None))


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_accessibility_statement_names_its_feedback_channel_and_known_limits(county, monkeypatch, language):
    monkeypatch.setenv("VARTTI_ACCESSIBILITY_CONTACT", "mailto:saavutettavuus@example.fi")
    app = open_page("pages/accessibility.py", as_=None, lang=language)
    assert app.title[0].value == STATEMENT_TITLES[language]
    text = shown(app)
    assert "saavutettavuus@example.fi" in text
    assert "Streamlit" in text and "WCAG 2.1" in text


def test_the_public_page_links_the_county_feedback_and_complaint_pages(published, monkeypatch):
    monkeypatch.setenv("VARTTI_FEEDBACK_URL", "https://example.fi/palaute")
    monkeypatch.setenv("VARTTI_COMPLAINT_URL", "https://example.fi/muistutus")
    text = shown(open_page("pages/public.py", as_=None))
    assert "(https://example.fi/palaute)" in text and "(https://example.fi/muistutus)" in text
    assert "14 vuorokauden" in text


def test_a_signed_in_person_also_reaches_the_public_page(published):
    app = open_page("pages/public.py", as_="ui:team")
    assert app.title[0].value == "Palautteesi vaikutti"


def test_an_admin_turns_staff_names_on_from_the_admin_page(published):
    app = open_page("pages/admin.py", as_="ui:admin")
    toggle = app.toggle(key="public-staff-names")
    assert toggle.value is False
    toggle.set_value(True).run()
    assert not app.exception
    assert "Sari Esihenkilö" in shown(open_page("pages/public.py", as_=None))



def test_the_trend_chart_labels_each_quarter_as_its_sentence_and_table_round_it(published):
    with session_scope(published, write=True) as session:
        # With the fixture's six promoters: (6 - 1) / 8 = 62.5, which one rounding makes 62 and another 63.
        for score in (8, 0):
            add_feedback(session, "U1", app_now() - timedelta(hours=1), nps=score, saatavuus=3)
    app = open_page(None, as_=None, lang="fi")
    text = shown(app)
    # Streamlit hands the chart's rows to the browser as Arrow.
    labels = [label for chart in app.get("vega_lite_chart")
              for label in pa.ipc.open_stream(chart.proto.data.data).read_all().column("label").to_pylist()]
    assert "62" in labels
    for label in labels:
        assert f"{label} (n\u00a0=" in text, (label, text)
