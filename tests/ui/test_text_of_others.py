"""Text that is not ours (unit codes and names, theme titles, actions, quotes, sign-in names, query
parameters) is shown as plain text on every page: never a link, an image, bold, LaTeX or a colour."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from board.stages import Stage
from data.db import session_scope
from data.organisation import unit_by_code
from data.access import add_grant
from pages.ui.plain import inert, neutral
from tests.factories import add_action, add_feedback, add_theme
from tests.conftest import app_now
from tests.ui.conftest import open_page

PAYLOAD = ("![x](http://127.0.0.1:9/x.png) [Istunto vanheni](http://evil.example) **bold** $x^2$ :red[red] "
           "https://evil.example \u202e")
# What the payload would turn into if it reached Markdown unescaped.
MARKUP = ("](http", "**bold**", "$x^2$", ":red[", "https://", "\u202e")
MARKDOWN_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                     "toast")


def _markdown_texts(app) -> list[str]:
    texts = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in getattr(app, kind)]
    texts += [str(m.label) for m in app.metric] + [str(m.value) for m in app.metric]
    texts += [str(b.label) for b in app.button]
    texts += [_cells(table.value) for table in app.table]
    texts += [str(e.value) for e in app.sidebar.markdown]
    return texts


def _cells(frame) -> str:
    """Every header, index and cell of a table, whole (to_string would shorten long cells)."""
    values = [*map(str, frame.columns), *map(str, frame.index), *(str(v) for row in frame.values for v in row)]
    return "\n".join(values)


def assert_shown_as_plain_text(app, payload: str = PAYLOAD) -> None:
    """The payload is on the page, escaped for Markdown or in st.text, and never as live markup."""
    assert not app.exception
    markdown = _markdown_texts(app)
    for text in markdown:
        for markup in MARKUP:
            assert markup not in text, text
    plain = [str(e.value) for e in app.text]
    assert any(inert(payload) in text for text in markdown) or neutral(payload) in plain


@pytest.fixture
def hostile(county):
    """U1 and its result area named with the payload, with a theme, a published action, a fixed item and a quote that carry it."""
    now = app_now()
    with session_scope(county, write=True) as session:
        for code in ("A", "U1"):  # a result area and a unit
            unit = unit_by_code(session, code)
            unit.name_fi = PAYLOAD
            session.add(unit)
        add_theme(session, "U1", Stage.IN_GROUP, now, title=PAYLOAD, owner=PAYLOAD)
        done = add_theme(session, "U1", Stage.DONE, now, title="Valmis")
        add_action(session, done, date.today() - timedelta(days=1), PAYLOAD, PAYLOAD, True)
        for hours in range(6):
            add_feedback(session, "U1", now - timedelta(hours=hours + 1), nps=9, saatavuus=5, free_text=PAYLOAD,
                         quote_picked_at=now - timedelta(minutes=hours + 1))
    return county


@pytest.mark.parametrize("page", ["pages/huddle.py", "pages/kanban.py", "pages/rollup.py", "pages/report.py"])
def test_an_unknown_unit_code_from_the_link_is_shown_as_plain_text(county, page):
    app = open_page(page, as_="ui:director" if page != "pages/kanban.py" else "ui:supervisor", unit=PAYLOAD)
    assert_shown_as_plain_text(app)


@pytest.mark.parametrize(("page", "who"), [
    ("pages/huddle.py", "ui:team"),
    ("pages/kanban.py", "ui:supervisor"),
    ("pages/rollup.py", "ui:director"),
    ("pages/report.py", "ui:director"),
])
def test_a_unit_name_theme_action_and_quote_are_shown_as_plain_text(hostile, page, who):
    assert_shown_as_plain_text(open_page(page, as_=who, unit="U1"))


@pytest.mark.parametrize("area", [None, "A"])
def test_the_public_page_shows_unit_names_and_actions_as_plain_text(hostile, area):
    app = open_page("pages/public.py", as_=None)
    if area:
        app = app.selectbox(key="public-area").set_value(area).run()
    assert_shown_as_plain_text(app)
    assert any(inert(PAYLOAD) in _cells(table.value) for table in app.table)


def test_the_name_from_sign_in_is_shown_as_plain_text(county):
    name = "[Istunto vanheni](http://evil.example) **b** $x$ :red[r] \u202e"  # a subject fits in 80 characters
    with session_scope(county, write=True) as session:
        add_grant(session, actor=None, principal=name, role="team", unit_code="U1", now=app_now())
    app = open_page("pages/huddle.py", as_=name, unit="U1")
    assert not app.exception
    signed_in = [str(e.value) for e in app.sidebar.markdown if "Kirjautuneena" in str(e.value)]
    assert signed_in == [f"Kirjautuneena: {inert(name).rstrip()}"]


@pytest.mark.parametrize("page", ["pages/rollup.py", "pages/report.py"])
@pytest.mark.parametrize(("kind", "period"), [
    ("year", "99999999999999999999"),
    ("week", "1-W1"),
    ("custom", "1900-01-01..9999-12-31"),
    ("month", "9999-12"),
    ("quarter", "2026-Q9"),
    ("custom", PAYLOAD),
])
def test_a_period_from_the_link_that_cannot_be_shown_is_refused_in_the_readers_language(county, page, kind,
                                                                                         period):
    app = open_page(page, kind=kind, period=period)
    assert not app.exception
    warnings = [str(w.value) for w in app.warning]
    assert any(w.startswith(f"Jaksoa “{inert(period)}” ei voi näyttää") for w in warnings), warnings


def test_a_period_from_the_link_is_refused_in_english_for_an_english_reader(county):
    app = open_page("pages/rollup.py", kind="year", period="99999999999999999999", lang="en")
    assert any("cannot be shown" in str(w.value) for w in app.warning)
