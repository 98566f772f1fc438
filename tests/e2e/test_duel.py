"""Issue 20's "done when" in real Chromium: a supervisor starts a duel, three phones join through its link, each
adds an answer and together they vote 60 times, the ranking shows, and the top three become themes.

The phones prefer the answers in a fixed order (PREFERENCE), so the ranking has a known top. One phone reads
Swedish, one chooses by keyboard alone.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from data.db import make_engine, session_scope
from data.duel_tables import Duel, DuelItem
from data.models import Theme
from tests.e2e.conftest import PAGE_TIMEOUT_MS, SCREENSHOTS, DemoServer, goto, settled_shot, shot, wait_for_app
from tests.e2e.test_wall_screens import _SCROLLING, _TEXT_SIZES, LEGIBLE_SHARE

pytestmark = pytest.mark.e2e

UNIT = "PTH-TA-KESK"
SUPERVISOR = "Esihenkilö – Keskustan terveysasema"
TYPED = ["E2E Takaisinsoitto samana päivänä", "E2E Pysäköinti", "E2E Aulan istumapaikat"]
OWN = ["E2E Selkeämmät opasteet", "E2E Iltavastaanotto", "E2E Chat-palvelu"]
# The phones' taste, best first: the known order the ranking should find at its top.
PREFERENCE = [OWN[1], TYPED[0], OWN[0], TYPED[1], OWN[2], TYPED[2]]
VOTES_PER_PHONE = 20
PHONE = {"width": 390, "height": 844}
# The wall board with the open duel's panel: a small wall, full HD and 4K at 200 %.
WALLS = [(1366, 768, 1), (1920, 1080, 1), (3840, 2160, 2)]


def _phone(browser: Browser, language: str) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                  locale=f"{language}-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context.new_page()


def _join(phone: Page, link: str, *, language: str, add: str) -> None:
    phone.goto(link + ("" if language == "fi" else f"&lang={language}"))
    add_label = {"fi": "Lisää vastaus", "sv": "Lägg till svaret"}[language]
    wait_for_app(phone, add_label)
    phone.locator(".st-key-duel-own textarea").fill(add)
    phone.get_by_role("button", name=add_label).click()
    wait_for_app(phone, {"fi": "Kiitos! Vastauksesi", "sv": "Tack! Ditt svar"}[language])


def _vote(phone: Page, *, count: int, language: str, keyboard: bool) -> None:
    left = phone.locator(".st-key-duel-left button")
    right = phone.locator(".st-key-duel-right button")
    texts = (left.inner_text().strip(), right.inner_text().strip())
    better = left if PREFERENCE.index(texts[0]) < PREFERENCE.index(texts[1]) else right
    if keyboard:
        better.focus()
        phone.keyboard.press("Enter")
    else:
        better.click()
    done = {"fi": f"Olet tehnyt {count} valin", "sv": f"Du har gjort {count} val"}[language]
    wait_for_app(phone, done)


def _wall_shows_the_live_ranking(browser: Browser, server: DemoServer) -> None:
    """The unit's wall board shows the open duel (QR code, counts, the phones' favourite first) and still fits."""
    for width, height, scale in WALLS:
        context = browser.new_context(viewport={"width": width // scale, "height": height // scale},
                                      device_scale_factor=scale, locale="fi-FI", timezone_id="Europe/Helsinki")
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        wall = context.new_page()
        try:
            goto(wall, server, f"/huddle?unit={UNIT}", "Vertailu käynnissä – osallistu!")
            panel = wall.locator(".st-key-panel-duel")
            expect(panel.get_by_role("img")).to_be_visible()  # the QR code, with its text alternative
            expect(panel).to_contain_text("Osallistujia 3 · valintoja 60")
            expect(panel.locator(".st-key-duel-wall-item-1")).to_contain_text(PREFERENCE[0])
            settled_shot(wall, f"duel-wall-{width}x{height}-{scale}x")
            sizes = wall.evaluate(_SCROLLING)
            for name in ("main", "doc"):
                box = sizes[name]
                assert box["sh"] <= box["ch"] + 1, f"the board scrolls at {width}×{height}@{scale}x: {sizes}"
                assert box["sw"] <= box["cw"] + 1, f"sideways scrolling at {width}×{height}@{scale}x: {sizes}"
            smallest = (height / scale) * LEGIBLE_SHARE
            too_small = [t for t in wall.evaluate(_TEXT_SIZES) if t["px"] < smallest]
            assert too_small == [], f"smaller than {smallest:.1f} px at {width}×{height}@{scale}x: {too_small}"
        finally:
            context.close()


def test_a_duel_from_start_to_themes_with_three_phones(browser: Browser, page: Page, demo_server: DemoServer):
    goto(page, demo_server, f"/duels?unit={UNIT}", "Aloita uusi vertailu", demo_person=SUPERVISOR)
    page.get_by_text("Aloita uusi vertailu").click()
    page.get_by_label("Muut vaihtoehdot, yksi kullekin riville").fill("\n".join(TYPED))
    page.get_by_label("Kysymys").fill("E2E: Mitä kehitämme seuraavaksi?")
    page.get_by_role("button", name="Aloita vertailu").click()
    wait_for_app(page, "Vertailu aloitettu.")
    link = page.locator("code").first.inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/duel\?d=[\w-]+", link)
    expect(page.get_by_role("img")).not_to_have_count(0)  # the QR code
    shot(page, "duel-started")

    phones = [("fi", False), ("sv", False), ("fi", True)]
    pages = [_phone(browser, language) for language, _ in phones]
    try:
        for phone, (language, _), own in zip(pages, phones, OWN):
            _join(phone, link, language=language, add=own)
        pages[0].screenshot(path=str(SCREENSHOTS / "duel-phone-fi.png"), full_page=True)
        for n in range(1, VOTES_PER_PHONE + 1):
            for phone, (language, keyboard) in zip(pages, phones):
                _vote(phone, count=n, language=language, keyboard=keyboard)
        pages[1].screenshot(path=str(SCREENSHOTS / "duel-phone-sv.png"), full_page=True)
    finally:
        for phone in pages:
            phone.context.close()

    # A demo sign-in lasts for the tab: opening the page again signs in again.
    goto(page, demo_server, f"/duels?unit={UNIT}", "Osallistujia 3 · valintoja 60", demo_person=SUPERVISOR)
    shot(page, "duel-ranking")
    ranked = page.locator('[class*="st-key-duels-rank-"]')
    expect(ranked.first).to_contain_text(PREFERENCE[0])
    _wall_shows_the_live_ranking(browser, demo_server)

    page.get_by_role("button", name="Päätä vertailu").click()
    wait_for_app(page, "Vertailu päätetty.")
    page.get_by_role("button", name="Tee teemat").click()
    wait_for_app(page, "3 teemaa lisätty kehittämistaululle.")
    shot(page, "duel-closed-to-themes")

    engine = make_engine(demo_server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            duel = session.exec(select(Duel).where(Duel.question == "E2E: Mitä kehitämme seuraavaksi?")).one()
            made = session.exec(select(DuelItem, Theme).join(Theme, Theme.id == DuelItem.made_theme_id)
                                .where(DuelItem.duel_id == duel.id)).all()
            titles = {theme.title for _, theme in made}
            assert len(made) == 3 and all(theme.stage == "tunnistettu" for _, theme in made)
    finally:
        engine.dispose()
    assert PREFERENCE[0] in titles and titles <= set(PREFERENCE[:4])

    goto(page, demo_server, f"/kanban?unit={UNIT}", PREFERENCE[0], demo_person=SUPERVISOR)
    shot(page, "duel-themes-on-kanban")
