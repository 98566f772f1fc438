"""In real Chromium, text that is not ours stays text: no image is fetched, no link, LaTeX or colour is made
from a unit name, theme title, action or quote on the public page and the huddle board."""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Page, expect

from auth.roles import Role
from board.periods import as_utc_naive
from board.stages import Stage
from data.db import make_engine, session_scope
from data.organisation import unit_by_code
from data.access import add_grant
from tests.e2e.conftest import DemoServer, _free_port, goto, run_cli, serving_app, shot
from tests.factories import add_action, add_feedback, add_theme, make_tree

PAYLOAD = ("![x](http://127.0.0.1:9/x.png) [Istunto vanheni](http://evil.example) **bold** $x^2$ :red[red] "
           "https://evil.example \u202e")
VISIBLE = "[Istunto vanheni]"  # a part of the payload without ':' (the word joiner sits after each ':')
TEAM = "Tiimi – Keskustan terveysasema"  # a demo persona; its principal gets a grant on the test unit
# What the payload would make if it were rendered as Markdown.
MADE_FROM_PAYLOAD = ["img[src*='127.0.0.1:9']", "a[href*='evil.example']", ".katex",
                     ".stMarkdownColoredText:text-is('red')", "strong:text-is('bold')"]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory) -> Iterator[DemoServer]:
    """The test county, its area and unit named with the payload, and a theme, action and quotes carrying it."""
    workdir = tmp_path_factory.mktemp("e2e-hostile")
    env = {key: value for key, value in os.environ.items() if not key.startswith("VARTTI_")}
    env.update({"VARTTI_DEMO": "1", "VARTTI_DATABASE_URL": f"sqlite:///{workdir / 'vartti.db'}",
                "PYTHONUNBUFFERED": "1"})
    run_cli(env, "migrate")
    # The pages read the real clock, so the data is placed relative to it.
    now = as_utc_naive(datetime.now(timezone.utc))
    engine = make_engine(env["VARTTI_DATABASE_URL"])
    with session_scope(engine, write=True) as session:
        make_tree(session, now)
        add_grant(session, actor=None, principal="demo:tiimi", role=Role.TEAM.value, unit_code="U1", now=now)
        for code in ("A", "U1"):
            unit = unit_by_code(session, code)
            unit.name_fi = PAYLOAD
            session.add(unit)
        add_theme(session, "U1", Stage.IN_GROUP, now, title=PAYLOAD, owner=PAYLOAD)
        done = add_theme(session, "U1", Stage.DONE, now, title="Valmis")
        add_action(session, done, date.today() - timedelta(days=1), PAYLOAD, PAYLOAD, True)
        for hours in range(6):
            add_feedback(session, "U1", now - timedelta(hours=hours + 1), nps=9, saatavuus=5, free_text=PAYLOAD,
                         quote_picked_at=now - timedelta(minutes=hours + 1))
    engine.dispose()
    with serving_app(env, port=_free_port(), log_path=workdir / "streamlit.log") as server:
        yield server


@pytest.fixture
def hostile_page(browser, hostile_server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fi-FI",
                                  timezone_id="Europe/Helsinki")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _requests_to_the_payload(page: Page) -> list[str]:
    asked: list[str] = []
    # The page's own address carries the payload in its query: only the hosts the payload names count.
    page.on("request", lambda request: asked.append(request.url)
            if urlparse(request.url).netloc in {"127.0.0.1:9", "evil.example"} else None)
    return asked


def _assert_nothing_made_from_the_payload(page: Page) -> None:
    main = page.locator('[data-testid="stMain"]')
    for selector in MADE_FROM_PAYLOAD:
        expect(main.locator(selector)).to_have_count(0)


def test_the_public_page_shows_the_payload_as_text(hostile_page: Page, hostile_server: DemoServer):
    asked = _requests_to_the_payload(hostile_page)
    goto(hostile_page, hostile_server, "/public", text=VISIBLE, demo_person=None)
    expect(hostile_page.get_by_role("table").first).to_contain_text(VISIBLE)
    _assert_nothing_made_from_the_payload(hostile_page)
    assert asked == []
    shot(hostile_page, "public_hostile_text")


@pytest.mark.parametrize("unit", ["U1", PAYLOAD])
def test_the_huddle_board_shows_the_payload_as_text(hostile_page: Page, hostile_server: DemoServer, unit):
    asked = _requests_to_the_payload(hostile_page)
    goto(hostile_page, hostile_server, f"/huddle?unit={quote(unit)}", text=VISIBLE, demo_person=TEAM)
    if unit == "U1":
        expect(hostile_page.get_by_role("heading", level=1)).to_contain_text(VISIBLE)
        expect(hostile_page.locator(".st-key-panel-themes")).to_contain_text(VISIBLE)
        expect(hostile_page.locator(".st-key-panel-voice")).to_contain_text(VISIBLE)
    _assert_nothing_made_from_the_payload(hostile_page)
    assert asked == []
    shot(hostile_page, f"huddle_hostile_text_{'name' if unit == 'U1' else 'code'}")
