"""The roll-up and report pages per role: figures, drilling down, the period, exports, refusals."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from board.periods import calendar_period, helsinki_date, period_key
from board.report_periods import last_complete
from data.db import session_scope
from data.models import AuditEvent
from tests.factories import add_feedback
from tests.conftest import app_now
from tests.ui.conftest import open_page


def shown(app) -> str:
    return "\n".join(str(e.value) for kind in ("title", "header", "markdown", "warning", "error", "info",
                                                "subheader", "caption") for e in getattr(app, kind))


def this_month() -> str:
    """The running month of the app's pinned clock, as a link names it (the page opens on the last complete one)."""
    return period_key("month", calendar_period("month", helsinki_date(app_now())))


def denials(engine) -> list[str]:
    with session_scope(engine) as session:
        return [e.entity_id for e in session.exec(select(AuditEvent).where(AuditEvent.action == "auth.denied"))]


@pytest.fixture
def answered(county):
    """This month: U1 with 30 answers, U2 with 20, U3 (the other area) with 3."""
    when = app_now() - timedelta(minutes=5)
    with session_scope(county, write=True) as session:
        for code, scores in (("U1", [10] * 20 + [8] * 5 + [3] * 5), ("U2", [9] * 10 + [5] * 10), ("U3", [10, 10, 2])):
            for score in scores:
                add_feedback(session, code, when, nps=score, kohtaaminen=4, channel="toimipiste")
    return county


def test_the_director_sees_the_county_its_children_and_a_legend(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    assert not app.exception
    assert app.title[0].value == "Raportointi: organisaation luvut"
    assert "Testin hyvinvointialue" in app.header[0].value
    nps = next(m for m in app.metric if m.label == "NPS")
    assert nps.value == "30,2"  # pooled: promoters 20 + 10 + 2, detractors 5 + 10 + 1 of 53
    assert "Näin luet luvut" in shown(app)
    assert [b.label for b in app.get("download_button")] == ["Lataa Excel", "Lataa CSV"]


def test_the_director_drills_from_the_county_to_a_unit(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    for code, name in (("A", "Perusterveydenhuolto"), ("S", "Terveysasemat"), ("U1", "Keskustan terveysasema")):
        app.button_group(key=f"rollup-drill-{app.query_params['unit']}").set_value(code).run()
        assert not app.exception
        assert app.query_params["unit"] == code and name in app.header[0].value
    # The small area B hides its sibling A, and the hiding cascades down to U1 (the county's view).
    assert next(m for m in app.metric if m.label == "NPS").value == "* (n 30)"


def test_small_numbers_are_hidden_with_their_sibling(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    table = app.dataframe[0].value
    rows = {row["Yksikkö"]: row for row in table.to_dict("records")}
    assert rows["Sosiaalipalvelut"]["NPS"] == "* (n 3)"
    assert rows["Perusterveydenhuolto"]["NPS"] == "* (n 50)"


@pytest.mark.parametrize("person, unit, allowed", [
    ("ui:director", "C", True),
    ("ui:supervisor", "U1", True),
    ("ui:supervisor", "S", False),
    ("ui:supervisor", "C", False),
])
def test_each_person_rolls_up_only_their_own_subtree(answered, person, unit, allowed):
    app = open_page("pages/rollup.py", as_=person, kind="month", period=this_month(), unit=unit)
    assert not app.exception
    if allowed:
        assert app.metric and not denials(answered)
    else:
        assert not app.metric and f"“{unit}”" in shown(app)
        assert denials(answered) == [unit]


@pytest.mark.parametrize("person, page", [("ui:team", "pages/rollup.py"), ("ui:admin", "pages/rollup.py"),
                                          ("ui:team", "pages/report.py")])
def test_a_person_without_the_roll_up_gets_a_polite_no_and_an_audit_row(answered, person, page):
    app = open_page(page, as_=person)
    assert not app.exception and not app.metric and not app.title
    assert "käyttöoikeutta tälle sivulle" in shown(app)
    assert denials(answered) == ["/" + page.split("/")[1][:-3]]


def test_the_quarterly_report_has_key_figures_children_and_lists(answered):
    app = open_page("pages/report.py", as_="ui:director", kind="quarter", unit="A")
    assert not app.exception
    assert app.title[0].value == "Neljännesvuosiraportti"
    text = shown(app)
    for heading in ("Keskeiset luvut", "Luvut tasoittain", "Kaaviot", "Kehitteillä olevat teemat",
                    "Jaksolla tehdyt toimenpiteet"):
        assert heading in text


def test_a_supervisor_reports_on_their_own_unit_only(answered):
    app = open_page("pages/report.py", as_="ui:supervisor", kind="month", unit="C")
    assert not app.exception and not app.title
    assert denials(answered) == ["C"]


def test_the_table_shows_the_whole_tree_sorts_and_filters(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    names = lambda: [row["Yksikkö"].strip("\u2003") for row in app.dataframe[0].value.to_dict("records")]  # noqa: E731
    assert names() == ["Testin hyvinvointialue", "Perusterveydenhuolto", "Sosiaalipalvelut"]
    app.toggle(key="rollup-tree").set_value(True).run()
    assert names() == ["Testin hyvinvointialue", "Perusterveydenhuolto", "Terveysasemat", "Keskustan terveysasema",
                       "Rantakylän terveysasema", "Sosiaalipalvelut", "Aikuissosiaalityö"]
    app.selectbox(key="rollup-sort").set_value("volume").run()
    assert names()[1:3] == ["Perusterveydenhuolto", "Terveysasemat"]
    app.checkbox(key="rollup-overdue").check().run()
    assert "Ei rivejä näillä valinnoilla." in shown(app)


def test_the_period_can_be_a_custom_range_or_an_iso_week(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="week")
    assert not app.exception and app.query_params["period"].count("-W") == 1
    app = open_page("pages/rollup.py", as_="ui:director", kind="custom", period="2026-01-01..2026-03-31")
    assert not app.exception and "1.1.2026–31.3.2026" in shown(app)


def test_the_roll_up_opens_on_the_last_complete_month_and_the_running_one_says_it_is_incomplete(answered):
    today = helsinki_date(app_now())
    app = open_page("pages/rollup.py", as_="ui:director", kind="month")
    assert not app.exception
    assert app.query_params["period"] == period_key("month", last_complete("month", today))
    assert next(m for m in app.metric if m.label == "NPS").value == "* (n 0)"  # the answers are this month's
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    label = f"{today.month}/{today.year} (1.–{today.day}.{today.month}., kesken)" if today.day > 1 else \
        f"{today.month}/{today.year} (1.–1.{today.month}., kesken)"
    assert label in shown(app)
    # The same days of the month before, named by their days; or by the month when they are all of it (28.3.).
    before = today.replace(day=1) - timedelta(days=1)
    whole = today.day >= before.day
    assert (f"verrataan: edellinen {before.month}/{before.year}," if whole else "verrataan: edellinen 1.") in shown(app)


def test_the_year_view_names_one_comparison(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="year")
    year = helsinki_date(app_now()).year
    assert f"{year - 1} · verrataan edelliseen vuoteen {year - 2}" in shown(app)
    assert "vuotta aiemmin" not in shown(app)


def test_the_lowest_statement_is_named_and_the_whole_tree_shows_level_and_code(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    assert "Kohtaaminen" in [c.value for c in app.caption]
    app.toggle(key="rollup-tree").set_value(True).run()
    rows = app.dataframe[0].value.to_dict("records")
    assert {"Taso", "Koodi"} <= set(rows[0]) and rows[3]["Koodi"] == "U1" and rows[3]["Taso"] == "Yksikkö"


def test_the_director_sees_the_topics_people_tagged_on_each_units_feedback(answered):
    from data.topic_tables import FeedbackTopic
    from data.topics import decide_topics, list_topics
    from data.models import Feedback
    from auth.roles import Role
    from tests.factories import person
    with session_scope(answered, write=True) as session:
        topics = {topic.key: topic for topic in list_topics(session)}
        tagger = person(session, Role.SUPERVISOR, "C")
        rows = session.exec(select(Feedback).order_by(Feedback.id)).all()
        by_unit: dict[int, list[Feedback]] = {}
        for row in rows:
            by_unit.setdefault(row.unit_id, []).append(row)
        (u1, u2, u3) = by_unit.values()
        for row in u1[:3] + u2[:1]:
            decide_topics(session, viewer=tagger, feedback_id=row.id, chosen={topics["odotus"].id}, seen=set(),
                          now=app_now())
        decide_topics(session, viewer=tagger, feedback_id=u3[0].id, chosen={topics["kiitos"].id}, seen=set(),
                      now=app_now())
        # A suggestion nobody accepted is not a topic of the roll-up.
        session.add(FeedbackTopic(feedback_id=u3[1].id, topic_id=topics["odotus"].id, source="suggested",
                                  confidence=0.99))
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    assert not app.exception
    assert "Aiheet yksiköittäin" in shown(app)
    [table] = [d.value for d in app.dataframe if "Yleisimmät aiheet" in d.value.columns]
    assert list(table["Yksikkö"]) == ["Perusterveydenhuolto", "Sosiaalipalvelut"]
    assert list(table["Yleisimmät aiheet"]) == [f"{topics['odotus'].name_fi} 4", f"{topics['kiitos'].name_fi} 1"]


def test_the_roll_up_says_when_no_topics_are_tagged(answered):
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    assert "Jakson palautteisiin ei ole vielä merkitty aiheita." in "\n".join(m.value for m in app.markdown)
def test_the_table_and_the_exports_show_huddles_held_over_working_days(answered):
    from board.huddle import working_days
    from data.huddle_tables import Huddle
    from data.organisation import unit_by_code
    from data.rollup import rollup
    from data.settings import Settings
    from pages.ui.rollup_table import to_csv
    from tests.factories import everyone

    now = app_now()
    today = helsinki_date(now)
    with session_scope(answered, write=True) as session:
        session.add(Huddle(unit_id=unit_by_code(session, "U1").id, started_at=now - timedelta(minutes=30),
                           planned_minutes=10, started_by="test"))
    month = calendar_period("month", today)
    days = len(working_days(month.first, today))
    held = 1 if today.weekday() < 5 else 0
    app = open_page("pages/rollup.py", as_="ui:director", kind="month", period=this_month())
    app.toggle(key="rollup-tree").set_value(True).run()
    rows = {row["Yksikkö"].strip("\u2003"): row for row in app.dataframe[0].value.to_dict("records")}
    assert rows["Keskustan terveysasema"]["Huddlet / arkipäivät"] == f"{held} / {days}"
    assert rows["Terveysasemat"]["Huddlet / arkipäivät"] == f"{held} / {2 * days}"
    assert "Huddlet / arkipäivät" in shown(app)  # the legend says how it is counted
    with session_scope(answered) as session:
        result = rollup(session, viewer=everyone(), unit_code="C", period=month, kind="month", now=now,
                        settings=Settings(database_url="unused"))
    lines = to_csv(result, language="fi").decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    u1 = next(line.split(";") for line in lines if line.startswith("U1;"))
    assert (u1[header.index("Huddlepäivät")], u1[header.index("Arkipäivät tauluilla")]) == (str(held), str(days))


HOSTILE_NAME = 'Pää"ty </style><img src=x onerror=alert(1)> \\ }'


def test_the_reports_footer_names_a_hostile_unit_only_as_an_escaped_css_string(answered):
    from data.css_text import css_string
    from data.models import Unit

    with session_scope(answered, write=True) as session:
        unit = session.exec(select(Unit).where(Unit.code == "A")).one()
        unit.name_fi = HOSTILE_NAME
        session.add(unit)
    app = open_page("pages/report.py", as_="ui:director", kind="quarter", unit="A")
    assert not app.exception
    bodies = [element.proto.body for element in app.get("html")]
    footer = [body for body in bodies if body.startswith("<style>@page {")]
    assert len(footer) == 1
    assert footer[0].startswith("<style>@page {") and footer[0].endswith("</style>")
    # The footer's text starts with the organisation and the unit: one CSS string, every character escaped.
    assert "content: " + css_string("Testin hyvinvointialue · " + HOSTILE_NAME + " · ")[:-1] in footer[0]
    assert "counter(page)" in footer[0] and "counter(pages)" in footer[0]
    # The name is in no st.html as written, and the footer's stylesheet holds one </style>: its own.
    assert not any(HOSTILE_NAME in body or "<img" in body for body in bodies)
    assert footer[0].count("</") == 1
