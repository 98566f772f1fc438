"""The huddle page in AppTest: figures, empty and thin units, unknown units, broken set-ups."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pyarrow as pa
import pytest

from board.periods import helsinki_date
from board.stages import Stage
from data.db import session_scope
from data.huddle_board import metrics_for
from data.settings import Settings
from tests.factories import add_action, add_feedback, add_theme
from tests.conftest import app_now
from tests.ui.conftest import open_page

HUDDLE = "pages/huddle.py"


def html_of(app) -> str:
    """The HTML handed to st.html (in_language: theme titles and actions with their lang)."""
    return "\n".join(str(node.proto.body) for node in app.get("html"))


def texts(app) -> str:
    """What the page says: its Markdown, figures and messages, and the text of its st.html elements."""
    shown = [str(e.value) for kind in ("markdown", "metric", "error", "warning", "info", "title")
             for e in getattr(app, kind)]
    return "\n".join([*shown, unescape(re.sub(r"<[^>]+>", "", html_of(app)))])


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


def test_the_trend_chart_gets_its_weeks_as_one_arrow_dataset_made_before_the_refresh(unit_with_feedback):
    app = open_page(HUDDLE, unit="U1")
    chart = app.get("vega_lite_chart")[0].proto
    assert json.loads(chart.spec)["data"] == {"name": "weeks"}
    assert [d.name for d in chart.datasets] == ["weeks"]
    weeks = pa.ipc.open_stream(chart.datasets[0].data.data).read_all().to_pylist()
    # The same weeks as the chart's text alternative: "vko 47: 43 (n 7)".
    said = re.findall(r"vko (\d+): (liian vähän|-?\d+) \(n (\d+)\)", texts(app))
    assert len(weeks) == 12 and len(said) == 12
    for week, (number, nps, n) in zip(weeks, said):
        assert week["week"] == f"vko {number}|n\N{NO-BREAK SPACE}{n}"
        assert week["nps"] == (None if nps == "liian vähän" else float(nps))
    assert weeks[-1]["current"] and not any(w["current"] for w in weeks[:-1])


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
    assert "Ei avoimia vastauspyyntöjä" in texts(app)
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
    # The title goes to st.html with its lang, escaped: as written, no element of its own.
    assert '<span lang="fi"><strong>&lt;b&gt;Jono&lt;/b&gt; **kiire**</strong></span>' in html_of(app)
    assert "<b>" not in html_of(app)
    assert not any("Jono" in m.value for m in app.markdown)


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
    app = app.button[0].click().run()  # opened without choosing
    assert [w.value for w in app.warning] == ["Valitse ensin yksikkö."]


def test_a_person_of_one_unit_finds_it_already_chosen(county):
    app = open_page(None, as_="ui:supervisor")
    assert app.selectbox[0].value == "U1"


# --- board14: the signals tell the truth ---------------------------------------------------------

def _answers(session, unit: str, days_ago: int, promoters: int, passives: int, detractors: int) -> None:
    for i, score in enumerate([10] * promoters + [8] * passives + [2] * detractors):
        add_feedback(session, unit, app_now() - timedelta(days=days_ago + i % 20, hours=1), nps=score)


@pytest.mark.parametrize(("now", "before", "shown", "hidden"), [
    # NPS 31 → 29 with n 100: noise, said calmly.
    ((45, 41, 14), (44, 41, 15), "ei merkitsevä muutos", "▲"),
    # NPS 60 → 0 with n 100: the interval excludes zero, marked as the roll-up marks it.
    ((70, 20, 10), (30, 40, 30), "▲ +60 edellisiin 30 päivään", "ei merkitsevä"),
], ids=["noise", "real rise"])
def test_the_nps_change_is_marked_only_when_the_rollup_would_mark_it(county, now, before, shown, hidden):
    with session_scope(county, write=True) as session:
        _answers(session, "U1", 0, *now)
        _answers(session, "U1", 31, *before)
    app = open_page(HUDDLE, unit="U1")
    delta = next(m for m in app.metric if m.label == "Suositteluindeksi (NPS), 30 pv").delta
    assert shown in delta and hidden not in delta, delta


def test_replies_awaited_but_not_due_are_counted_without_a_tick(county):
    with session_scope(county, write=True) as session:
        for days in (2, 5):
            add_feedback(session, "U2", app_now() - timedelta(days=days), reply_requested=True)
    app = open_page(HUDDLE, unit="U2")
    assert metric(app, "Vastausta odottaa") == "2"
    assert "Ei myöhässä, ei erääntymässä 3 pv:n sisällä" in texts(app)
    assert "✓" not in [m.value for m in app.metric]


def test_the_teams_unpublished_actions_are_listed_and_marked_as_internal(county):
    with session_scope(county, write=True) as session:
        theme = add_theme(session, "U1", Stage.TRIAL, app_now() - timedelta(days=9))
        add_action(session, theme, (app_now() - timedelta(days=3)).date(), "Jonotusnumerot näytölle")
        add_action(session, theme, (app_now() - timedelta(days=5)).date(), "Ohjeet selkokielelle",
                   public_text="Ohjeet ovat nyt selkokielellä.", published=True)
    app = open_page(HUDDLE, unit="U1")
    shown = texts(app)
    assert "Ei vielä kirjattuja korjauksia." not in shown
    assert "Jonotusnumerot näytölle" in shown and "vain sisäinen" in shown
    assert "Ohjeet selkokielelle" in shown and "näkyy asukkaille" in shown


def test_volume_compares_the_last_seven_whole_days_with_the_seven_before(county):
    with session_scope(county, write=True) as session:
        for days in (0, 1, 7, 8, 9, 14, 15):  # today is not counted; days 1–7 and 8–14 are
            add_feedback(session, "U1", app_now() - timedelta(days=days), nps=9)
    app = open_page(HUDDLE, unit="U1")
    assert metric(app, "Palautteet 7 pv") == "2"
    assert "Edelliset 7 pv: 3" in texts(app)
    today = helsinki_date(app_now())
    first, last = today - timedelta(days=7), today - timedelta(days=1)
    assert f"{first.day}.{first.month}.–{last.day}.{last.month}., eiliseen asti" in texts(app)


@pytest.mark.parametrize(("days_quiet", "said"), [(3, False), (4, True)])
def test_a_board_whose_feedback_stopped_says_so_with_the_date(county, days_quiet, said):
    with session_scope(county, write=True) as session:
        add_feedback(session, "U1", app_now() - timedelta(days=days_quiet), nps=9)
    app = open_page(HUDDLE, unit="U1")
    newest = app_now() - timedelta(days=days_quiet)
    assert (f"Uusin palaute {newest.day}.{newest.month}.{newest.year} ({days_quiet} pv sitten)" in texts(app)) is said


def test_the_same_words_picked_twice_are_quoted_once(county):
    with session_scope(county, write=True) as session:
        for days, text in ((1, "Jono oli pitkä."), (2, "jono oli  pitkä."), (3, "Hoitaja kuunteli.")):
            add_feedback(session, "U1", app_now() - timedelta(days=days), open_answer=text,
                         quote_picked_at=app_now() - timedelta(hours=days))
    app = open_page(HUDDLE, unit="U1")
    quotes = [m.value for m in app.markdown if "“" in m.value]
    assert len(quotes) == 2 and "Hoitaja kuunteli" in quotes[1], quotes


@pytest.mark.parametrize("in_development, named, more", [(3, 3, None), (4, 2, "… ja 2 muuta"), (9, 2, "… ja 7 muuta")])
def test_the_themes_panel_names_three_or_two_and_says_how_many_more(county, in_development, named, more):
    # The panel holds three lines of themes: with more in development, the "more" line takes the third's place.
    with session_scope(county, write=True) as session:
        for i in range(in_development):
            add_theme(session, "U1", Stage.IN_GROUP, app_now() - timedelta(days=30 - i), title=f"Kehitysteema {i}")
    app = open_page(HUDDLE, unit="U1")
    shown = texts(app)
    assert len(re.findall(r"Kehitysteema \d", shown)) == named
    assert (more in shown) if more else ("muuta" not in shown)
