"""The public page and the huddle board in real Chromium: axe-core finds no WCAG 2.1 AA violations, and the
public page works by keyboard alone."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from data.db import make_engine, session_scope
from data.public import ACTIONS_SHOWN, public_actions
from tests.e2e.conftest import DemoServer, goto, settled_shot, shot, wait_for_app

TITLES = {"fi": "Palautteesi vaikutti", "sv": "Din respons gjorde skillnad", "en": "Your feedback made a difference"}
STATEMENTS = {"fi": "Saavutettavuusseloste", "sv": "Tillgänglighetsutlåtande", "en": "Accessibility statement"}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
UNIT = "IKA-KH-ITA"
UNIT_LOOP = {"fi": "Palautteesta muutokseen", "sv": "Från respons till förändring", "en": "From feedback to change"}


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
    # The element is on the page before the first Tab: a key pressed while it is still being drawn would pass it.
    expect(page.get_by_label(accessible_name).or_(page.get_by_role("link", name=accessible_name)).filter(visible=True).first).to_be_visible()
    seen = []
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            const own = ['A', 'BUTTON'].includes(e.tagName) ? e.innerText : '';
            return e.tagName + ': ' + (e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText)
                                       || own); }""")
        if accessible_name in focused:
            return
        seen.append(focused)
    raise AssertionError(f"{accessible_name!r} cannot be reached with Tab; the focus went through {seen}")


def _published_texts(demo_server: DemoServer, search: str | None = None) -> list[str]:
    """The demo's published public texts as an English reader gets them, newest first: the first page, or all
    that a search finds (which ones are published depends on the day)."""
    engine = make_engine(demo_server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            return [action.text for action in public_actions(session, language="en", search=search,
                                                             limit=1000 if search else ACTIONS_SHOWN)]
    finally:
        engine.dispose()


def test_a_visitor_filters_searches_and_reaches_the_sign_in_by_keyboard_alone(page: Page, demo_server: DemoServer):
    texts = _published_texts(demo_server)
    wanted = texts[0]
    word = max(wanted.rstrip(".").split(), key=len).lower()
    found = _published_texts(demo_server, search=word)
    # One the search leaves out, told apart from all it finds by its opening: the demo's English texts often
    # begin alike ("Based on your feedback, …"), and the search also looks in the other languages.
    other = next(text for text in texts if text not in found and not any(text[:30] in shown for shown in found))
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


def _unit_with_actions(demo_server: DemoServer) -> tuple[str, str]:
    """A unit of the demo with published actions, and the quarter ("YYYY-QN") of its newest one."""
    engine = make_engine(demo_server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            newest = public_actions(session, language="fi", limit=1)[0]
            day = newest.taken_on
            return newest.unit.code, f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    finally:
        engine.dispose()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_units_own_page_and_the_archive_have_no_axe_violations(page: Page, demo_server: DemoServer, language):
    code, quarter = _unit_with_actions(demo_server)
    goto(page, demo_server, f"/public?unit={code}&lang={language}", text=UNIT_LOOP[language], demo_person=None)
    expect(page.locator(".st-key-public-unit-figures table")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)  # WCAG 3.1.1, not Streamlit's "en"
    assert violations(page) == []
    assert_headings_in_order(page)
    settled_shot(page, f"public_unit_{language}")
    goto(page, demo_server, f"/public?period={quarter}&lang={language}", text=TITLES[language], demo_person=None)
    expect(page.locator(".st-key-public-archive")).to_be_visible()
    assert violations(page) == []
    assert_headings_in_order(page)
    settled_shot(page, f"public_archive_{language}")


def test_an_unknown_unit_code_gets_a_message_not_a_trace(page: Page, demo_server: DemoServer):
    goto(page, demo_server, "/public?unit=EI-OLE&lang=en", text="There is no public page", demo_person=None)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    assert violations(page) == []


def _overflowing(page: Page) -> list[str]:
    """What is wider than its box on the page now: the document, or a table's scroll box."""
    return page.evaluate("""() => {
        const wide = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) wide.push('document ' + root.scrollWidth);
        document.querySelectorAll('[data-testid="stTable"] > div').forEach((box, i) => {
            if (box.scrollWidth > box.clientWidth + 1) wide.push('table ' + i + ' ' + box.scrollWidth + '/' + box.clientWidth);
        });
        return wide; }""")


@pytest.mark.parametrize("path", ["/public?lang=fi", "/public?unit={code}&lang=sv"])
def test_on_a_390_px_phone_the_figures_tables_need_no_sideways_scroll(browser, demo_server: DemoServer, path):
    code, _ = _unit_with_actions(demo_server)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fi-FI", timezone_id="Europe/Helsinki",
                                  is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        goto(phone, demo_server, path.format(code=code), text="NPS", demo_person=None)
        expect(phone.locator("[class*='st-key-public-'] [data-testid='stTable']").first).to_be_visible()
        expect(phone.get_by_test_id("stSkeleton")).to_have_count(0)
        assert _overflowing(phone) == []
        # Each stacked cell carries its column's name.
        label = phone.locator("[class*='st-key-public-'] tbody td").first.evaluate(
            "cell => getComputedStyle(cell, '::before').content")
        assert "NPS" in label
        settled_shot(phone, "public_phone_" + ("unit" if "unit=" in path else "overview"))
        assert violations(phone) == []
    finally:
        context.close()


def _focused(page: Page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement; const r = e.getBoundingClientRect();
        return {tag: e.tagName, text: (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 60),
                left: r.left, right: r.right, width: r.width, height: r.height,
                visible: e.checkVisibility({visibilityProperty: true, opacityProperty: true})}; }""")


def test_by_keyboard_alone_no_focus_stop_is_invisible_and_the_older_actions_are_reached(page: Page,
                                                                                     demo_server: DemoServer):
    goto(page, demo_server, "/public?lang=en", text=TITLES["en"], demo_person=None)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    width = page.viewport_size["width"]
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = _focused(page)
        stops.append(focused)
        if focused["tag"] in ("BODY", "MAIN"):
            continue
        assert focused["visible"] and focused["width"] > 0 and focused["height"] > 0, focused
        assert focused["right"] > 0 and focused["left"] < width, f"off-screen focus stop: {focused}"
        if "Older actions" in focused["text"]:
            break
    else:
        raise AssertionError(f"'Older actions' not reached by Tab: {[s['text'] for s in stops]}")
    assert stops[0]["text"] == "Skip to main content"  # the statement names it
    page.keyboard.press("Enter")
    wait_for_app(page, "Actions 13–24")
    expect(page).to_have_url(re.compile(r"page=2"))
    shot(page, "public_keyboard_page_2")
