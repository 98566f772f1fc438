"""The huddle itself in Chromium: huddle mode, an idea from a phone through the QR link, an escalation taken
by the parent unit, and the huddle log that shows it all."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import pinned_clock
from tests.e2e.conftest import PAGE_TIMEOUT_MS, VIEWPORT, demo_county, goto, shot, wait_for_app

SUPERVISOR = "Esihenkilö – Keskustan terveysasema"
PHONE = {"width": 390, "height": 844}
IDEA = "Jonotusnumerot näkyviin aulaan"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_county(tmp_path_factory.mktemp("huddle-itself"), pinned_clock()) as running:
        # The demo supervisor also leads the health stations (tier 2), so one person can answer the escalation.
        running.cli("grant", "demo:esihenkilo", "--role", "supervisor", "--unit", "PTH-TA")
        yield running


def _context(browser: Browser, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context


def test_a_huddle_is_run_an_idea_captured_from_a_phone_a_theme_escalated_and_taken_and_logged(browser, server):
    wall_context, phone_context, parent_context = (_context(browser, VIEWPORT), _context(browser, PHONE),
                                                   _context(browser, VIEWPORT))
    try:
        wall = wall_context.new_page()
        goto(wall, server, "/huddle?unit=PTH-TA-KESK", "Suositteluindeksi (NPS), 30 pv", demo_person=SUPERVISOR)
        wall.get_by_role("button", name="Huddle-työkalut").click()
        wait_for_app(wall, "Aloita 5 min huddle")
        wall.get_by_role("button", name="Aloita 5 min huddle").click()
        wait_for_app(wall, "1/5 · Mikä muuttui eilisestä")
        expect(wall.get_by_text("Aikaa jäljellä tässä kohdassa 1:00")).to_be_visible()
        wall.get_by_role("button", name="Seuraava kohta").click()
        wait_for_app(wall, "2/5 · Erääntyvät vastaukset")
        wall.get_by_role("button", name="Näytä QR-koodi").click()
        wait_for_app(wall, "Linkki:")
        link = wall.locator(".st-key-hm-capture-link").inner_text().strip()
        assert "/capture?token=" in link
        wall.locator(".st-key-huddle-mode").scroll_into_view_if_needed()
        shot(wall, "huddle-itself-1-mode-and-qr")

        phone = phone_context.new_page()
        phone.goto(link)
        wait_for_app(phone, "Idea tai ongelma: Keskustan terveysasema, vastaanotto")
        phone.get_by_label("Idea tai ongelma").fill(IDEA)
        phone.get_by_role("button", name="Lähetä").click()
        wait_for_app(phone, "Kiitos! Idea on nyt yksikön kanbanissa: Tunnistettu.")
        shot(phone, "huddle-itself-2-phone-capture")

        wall.get_by_text("Siirrä teema laajempaan kehittämiseen").click()
        wall.get_by_role("combobox", name="Teema").click()
        wall.keyboard.type(IDEA)
        wall.keyboard.press("Enter")
        wall.get_by_label("Perustelu (pakollinen)").fill("Aulan näytöt ovat koko terveysasemien yhteiset")
        wall.get_by_role("button", name="Siirrä ylemmälle tasolle").click()
        wait_for_app(wall, "Teema siirretty ylemmälle tasolle.")

        parent = parent_context.new_page()
        goto(parent, server, "/kanban?unit=PTH-TA", "Siirretty alemmalta tasolta", demo_person=SUPERVISOR)
        incoming = parent.locator(".st-key-escalations-incoming")
        expect(incoming.get_by_text(IDEA)).to_be_visible()
        expect(incoming.get_by_text("Keskustan terveysasema, vastaanotto → Terveysasemat")).to_be_visible()
        incoming.get_by_role("button", name="Ota työn alle").first.click()
        wait_for_app(parent, "Siirto käsitelty.")
        shot(parent, "huddle-itself-3-parent-took-it")

        wall.get_by_role("button", name="Lopeta huddle").click()
        wait_for_app(wall, "Paikalla (henkilömäärä)")
        wall.get_by_label("Paikalla (henkilömäärä)").fill("6")
        wall.get_by_role("button", name="Kirjaa huddle pidetyksi").click()
        wait_for_app(wall, "Huddle kirjattu: 0 min, paikalla 6.")
        log = wall.locator('[data-testid="stExpander"]').filter(has_text="Huddle-loki")
        expect(log.get_by_text(f"Idea puhelimelta: {IDEA}")).to_be_visible()
        expect(log.get_by_text(f"Siirretty ylemmälle tasolle: {IDEA}")).to_be_visible()
        expect(log.get_by_text("paikalla 6 · päätöksiä 3")).to_be_visible()
        expect(wall.locator(".st-key-escalations-sent").get_by_text("otettu työn alle").first).to_be_visible()
        log.scroll_into_view_if_needed()
        shot(wall, "huddle-itself-4-log")
    finally:
        for context in (wall_context, phone_context, parent_context):
            context.close()


def test_a_capture_page_without_a_valid_token_shows_nothing_but_a_refusal(browser, server):
    context = _context(browser, PHONE)
    try:
        phone = context.new_page()
        phone.goto(server.url("/capture?token=arvattu"))
        wait_for_app(phone, "Linkki ei ole voimassa. Skannaa taululta uusi QR-koodi.")
        expect(phone.get_by_role("button", name="Lähetä")).to_have_count(0)
    finally:
        context.close()
