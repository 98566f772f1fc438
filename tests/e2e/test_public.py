"""The public page and the huddle board in real Chromium: axe-core finds no WCAG 2.1 AA violations, and the
public page works by keyboard alone."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from data.db import make_engine, session_scope
from data.public import public_actions
from tests.e2e.conftest import DemoServer, goto, shot, wait_for_app

TITLES = {"fi": "Palautteesi vaikutti", "sv": "Din respons gjorde skillnad", "en": "Your feedback made a difference"}
STATEMENTS = {"fi": "Saavutettavuusseloste", "sv": "Tillgänglighetsutlåtande", "en": "Accessibility statement"}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
UNIT = "IKA-KH-ITA"


def violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA and best-practice violations of the page as it is now, one line each."""
    page.wait_for_timeout(1500)  # charts draw after the script run has finished
    result = Axe().run(page, options=WCAG_AA)
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]]


def headings(page: Page) -> list[int]:
    return [int(tag[1]) for tag in page.locator("h1, h2, h3, h4, h5, h6").evaluate_all(
        "nodes => nodes.filter(n => n.offsetParent !== null).map(n => n.tagName.toLowerCase())")]


def assert_headings_in_order(page: Page) -> None:
    levels = headings(page)
    assert levels and levels[0] == 1, levels
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:])), levels


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_public_page_has_no_axe_violations_and_its_headings_in_order(page: Page, demo_server: DemoServer,
                                                                          language):
    goto(page, demo_server, f"/public?lang={language}", text=TITLES[language], demo_person=None)
    expect(page.get_by_role("table").first).to_be_visible()
    assert violations(page) == []
    assert_headings_in_order(page)
    shot(page, f"public_{language}")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_accessibility_statement_has_no_axe_violations(page: Page, demo_server: DemoServer, language):
    goto(page, demo_server, f"/accessibility?lang={language}", text=STATEMENTS[language], demo_person=None)
    assert violations(page) == []
    assert_headings_in_order(page)
    shot(page, f"accessibility_{language}")


def test_the_huddle_board_has_no_axe_violations_and_its_chart_a_text_alternative(page: Page,
                                                                                   demo_server: DemoServer):
    goto(page, demo_server, f"/huddle?unit={UNIT}", text="Suositteluindeksi (NPS), 30 pv")
    expect(page.locator(".st-key-sr-trend")).to_contain_text("NPS viikoittain")
    assert violations(page) == []
    assert_headings_in_order(page)


def test_the_signed_out_landing_page_is_the_public_page(page: Page, demo_server: DemoServer):
    goto(page, demo_server, "/", text=TITLES["fi"], demo_person=None)
    expect(page.get_by_role("link", name="Henkilöstön kirjautuminen")).to_be_visible()


def _tab_to(page: Page, accessible_name: str, most: int = 40) -> None:
    """Press Tab until the focused element has this accessible name (label, aria-label or text)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            const own = ['A', 'BUTTON'].includes(e.tagName) ? e.innerText : '';
            return e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText) || own; }""")
        if accessible_name in focused:
            return
    raise AssertionError(f"{accessible_name!r} cannot be reached with Tab")


def _published_texts(demo_server: DemoServer) -> list[str]:
    """The demo's published public texts, newest first (which ones are published depends on the day)."""
    engine = make_engine(demo_server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            return [action.text for action in public_actions(session, language="en")]
    finally:
        engine.dispose()


def test_a_visitor_filters_searches_and_reaches_the_sign_in_by_keyboard_alone(page: Page, demo_server: DemoServer):
    texts = _published_texts(demo_server)
    wanted = texts[0]
    word = max(wanted.rstrip(".").split(), key=len).lower()
    other = next(text for text in texts if word not in text.lower())
    goto(page, demo_server, "/public?lang=en", text=TITLES["en"], demo_person=None)
    _tab_to(page, "Search by word")
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(other[:30], exact=False)).to_have_count(0)
    expect(page.get_by_text(wanted[:30], exact=False).first).to_be_visible()
    # The demo's actions have no topic yet, so choosing one leaves nothing to show.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.keyboard.type("I felt safe")
    page.keyboard.press("Enter")
    wait_for_app(page, "No published actions match these choices.")
    shot(page, "public_keyboard_filtered")
    _tab_to(page, "Accessibility statement", most=80)
    page.keyboard.press("Enter")
    wait_for_app(page, "Known limitations")
    _tab_to(page, TITLES["en"])
    page.keyboard.press("Enter")
    wait_for_app(page, TITLES["en"])
    _tab_to(page, "Staff sign-in", most=120)
    page.keyboard.press("Enter")
    # The visitor chose English with ?lang=en; the sign-in page keeps it.
    wait_for_app(page, "Demo mode")
    expect(page.get_by_role("heading", name="Demo mode")).to_be_visible()
