"""The huddle board on every wall screen: truthful signals, no scrolling, type legible from 3.5 m.

The test builds its own unit (it depends on nothing the demo data happens to hold): feedback imported
through the importer, a theme and actions through the services, all dated from the server's pinned clock.
"""
from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from auth.access import Grant, Viewer
from auth.roles import Role
from board.periods import HELSINKI, helsinki_date
from data.db import make_engine, session_scope
from data.models import Unit
from data.organisation import UnitRow, upsert_units
from data.actions import add_action, publish_action
from data.themes import create_theme
from tests.e2e.conftest import PAGE_TIMEOUT_MS, DemoServer, goto, shot

pytestmark = pytest.mark.e2e

UNIT = "SEINA-14"
UNIT_NAME = "Seinänäytön testiyksikkö"
# (width, height, device scale factor): a small wall, full HD, and 4K both unscaled and at 200 %.
WALLS = [(1366, 768, 1), (1920, 1080, 1), (3840, 2160, 1), (3840, 2160, 2)]
# Meaningful type at least about 1/45 of the screen height (legible from 3.5 m on a 55" screen).
LEGIBLE_SHARE = 1 / 45
QUIET_DAYS = 5  # the newest answer is 5 days old: stale with the default VARTTI_STALE_DAYS of 3
AWAITED_TEXT = "Tekstiviestimuistutus ennen ajanvarausta"
UNPUBLISHED = ("Odotustilaan lisättiin näyttö vuoronumeroille", "Puhelinajat siirrettiin aamupäivään")
PUBLISHED = "Ajanvarauksen ohjeet kirjoitettiin selkokielelle"


def _helsinki(moment_utc: datetime) -> str:
    """A naive-UTC moment as the Helsinki local time the feedback file speaks."""
    return moment_utc.replace(tzinfo=UTC).astimezone(HELSINKI).replace(tzinfo=None).isoformat(timespec="minutes")


def _feedback_rows(now: datetime) -> list[dict]:
    """60 answers in each of the last two 30-day periods with almost the same NPS, and two replies awaited."""
    rows = []
    # 30 promoters, 18 passives, 12 detractors (NPS 30) now; 29, 19, 12 (NPS 28.3) before: not news.
    periods = [(QUIET_DAYS, (30, 18, 12)), (31, (29, 19, 12))]
    for first_day, (promoters, passives, detractors) in periods:
        scores = [10] * promoters + [8] * passives + [3] * detractors
        for i, score in enumerate(scores):
            received = now - timedelta(days=first_day + i % 24, hours=2 + i % 5)
            rows.append({"nps": score, "received_at": _helsinki(received), "reply_requested": "0"})
    for hours in (1, 3):  # asked for a reply 5 days ago: due in 9 days, neither overdue nor due soon
        rows.append({"nps": 5, "received_at": _helsinki(now - timedelta(days=QUIET_DAYS, hours=hours)),
                     "reply_requested": "1"})
    return [{"source": "seina14", "source_id": f"s{i}", "unit_code": UNIT, **row} for i, row in enumerate(rows)]


def _add_unit(session, now: datetime) -> None:
    units = session.exec(select(Unit)).all()
    by_id = {unit.id: unit for unit in units}
    rows = [UnitRow(u.code, by_id[u.parent_id].code if u.parent_id else "", u.name_fi, u.name_sv, u.name_en, u.level)
            for u in units if u.active]
    parent = next(u for u in units if u.level == "service_area" and u.active)
    upsert_units(session, [*rows, UnitRow(UNIT, parent.code, UNIT_NAME, "", "", "unit")], actor="e2e", now=now)


def _themes_and_actions(session, now: datetime) -> None:
    unit = session.exec(select(Unit).where(Unit.code == UNIT)).one()
    supervisor = Viewer(subject="e2e-supervisor", name="E2E esihenkilö", grants=(Grant(Role.SUPERVISOR, UNIT, unit.path),))
    theme = create_theme(session, viewer=supervisor, unit_code=UNIT, title="Ajanvaraus ruuhkautuu", owner="Sari K.",
                         now=now)
    today = helsinki_date(now)
    public = add_action(session, viewer=supervisor, theme_id=theme.id, taken_on=today - timedelta(days=9),
                        text=PUBLISHED, public_text="Ajanvarauksen ohjeet ovat nyt selkokielellä.", now=now)
    publish_action(session, viewer=supervisor, action_id=public.id, seen_version=public.version, publish=True, now=now)
    for days_ago, text in zip((2, 4), UNPUBLISHED):
        add_action(session, viewer=supervisor, theme_id=theme.id, taken_on=today - timedelta(days=days_ago), text=text,
                   now=now)


@pytest.fixture(scope="module")
def wall_unit(demo_server: DemoServer, tmp_path_factory) -> datetime:
    """The test unit: an insignificant NPS change, two replies awaited, unpublished actions, an import that stopped."""
    now = demo_server.now()
    engine = make_engine(demo_server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine, write=True) as session:
            _add_unit(session, now)
    finally:
        engine.dispose()
    feedback = tmp_path_factory.mktemp("wall") / "seina14.csv"
    rows = _feedback_rows(now)
    with feedback.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    demo_server.cli("import", str(feedback))
    engine = make_engine(demo_server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine, write=True) as session:
            _themes_and_actions(session, now)
    finally:
        engine.dispose()
    return now


def _open(browser: Browser, server: DemoServer, width: int, height: int, scale: int) -> Page:
    context = browser.new_context(viewport={"width": width // scale, "height": height // scale},
                                  device_scale_factor=scale, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    goto(page, server, f"/huddle?unit={UNIT}", text="Suositteluindeksi (NPS), 30 pv")
    expect(page.locator(".st-key-panel-trend svg.marks").first).to_be_visible()
    expect(page.frame_locator('[data-testid="stIFrame"]').get_by_role("button", name="10 min", exact=True)).to_be_visible()
    return page


# Every element with its own visible text on the board, and its rendered size: chart text is scaled with its SVG.
_TEXT_SIZES = """() => {
    const sizes = [];
    for (const el of document.querySelectorAll('.st-key-wall *')) {
        if (el.closest('[class*="st-key-sr-"]')) continue;  // the chart's text alternative, for screen readers
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        const box = el.getBoundingClientRect();
        if (!own || box.width < 1 || box.height < 1) continue;
        let px = parseFloat(getComputedStyle(el).fontSize);
        const svg = el.closest('svg');
        if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
            px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        }
        sizes.push({text: el.textContent.trim().slice(0, 40), px});
    }
    return sizes;
}"""

_SCROLLING = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const doc = document.scrollingElement;
    const size = (el) => ({sh: el.scrollHeight, ch: el.clientHeight, sw: el.scrollWidth, cw: el.clientWidth});
    return {main: size(main), doc: size(doc)};
}"""


def _timer_sizes(page: Page) -> list[dict]:
    frame = next(f for f in page.frames if f != page.main_frame and f.url in ("about:srcdoc", "about:blank"))
    return frame.evaluate("""() => [...document.querySelectorAll('button, .label')]
        .filter((el) => el.getBoundingClientRect().width > 0)
        .map((el) => ({text: el.textContent.trim(), px: parseFloat(getComputedStyle(el).fontSize)}))""")


@pytest.mark.parametrize(("width", "height", "scale"), WALLS, ids=[f"{w}x{h}@{s}x" for w, h, s in WALLS])
def test_the_board_tells_the_truth_on_every_wall_without_scrolling(browser: Browser, demo_server: DemoServer,
                                                                    wall_unit: datetime, width, height, scale):
    page = _open(browser, demo_server, width, height, scale)
    try:
        shot(page, f"wall_{width}x{height}_{scale}x")

        nps = page.locator(".st-key-tile-nps")
        expect(nps).to_contain_text("ei merkitsevä muutos")
        assert not any(arrow in nps.inner_text() for arrow in "▲▼"), nps.inner_text()

        expect(page.locator(".st-key-tile-replies-ok")).to_have_count(0)
        awaiting = page.locator(".st-key-tile-replies-awaiting")
        expect(awaiting).to_have_count(1)
        expect(awaiting.locator('[data-testid="stMetricValue"]')).to_have_text("2")

        fixed = page.locator(".st-key-panel-fixed")
        for text in UNPUBLISHED:
            expect(fixed).to_contain_text(text)
        expect(fixed.locator('[class*="st-key-action-internal-"]')).to_have_count(2)
        expect(fixed.locator('[class*="st-key-action-public-"]')).to_contain_text("näkyy asukkaille")

        newest = helsinki_date(wall_unit - timedelta(days=QUIET_DAYS))
        stale = page.locator(".st-key-stale")
        expect(stale).to_contain_text(f"{newest.day}.{newest.month}.{newest.year}")
        expect(stale).to_contain_text(f"{QUIET_DAYS} pv sitten")
        assert stale.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgb(255, 244, 224)"  # amber

        expect(page.locator(".st-key-tile-volume")).to_contain_text("Edelliset 7 pv")

        sizes = page.evaluate(_SCROLLING)
        for name in ("main", "doc"):
            box = sizes[name]
            assert box["sh"] <= box["ch"] + 1, f"the board scrolls at {width}×{height}@{scale}x: {sizes}"
            assert box["sw"] <= box["cw"] + 1, f"sideways scrolling at {width}×{height}@{scale}x: {sizes}"

        smallest_allowed = (height / scale) * LEGIBLE_SHARE
        texts = page.evaluate(_TEXT_SIZES) + _timer_sizes(page)
        too_small = [t for t in texts if t["px"] < smallest_allowed]
        assert texts and too_small == [], f"smaller than {smallest_allowed:.1f} px at {width}×{height}@{scale}x: {too_small}"
    finally:
        page.context.close()


def test_the_huddle_timer_uses_the_boards_font_and_shows_its_end(page: Page, demo_server: DemoServer, wall_unit):
    # The browser's clock is ours to move: five minutes pass at once, no test waits for them.
    page.clock.install()
    goto(page, demo_server, f"/huddle?unit={UNIT}", text="Suositteluindeksi (NPS), 30 pv")
    timer = page.frame_locator('[data-testid="stIFrame"]')
    timer.get_by_role("button", name="5 min", exact=True).click()
    expect(timer.locator("#clock")).to_be_visible()
    expect(timer.get_by_text("Aika on täynnä")).to_be_hidden()
    sound = timer.get_by_role("button", name="Äänimerkki")
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "true")

    page.clock.fast_forward("05:02")
    expect(timer.get_by_text("Aika on täynnä")).to_be_visible()
    expect(timer.locator("#clock")).to_have_text(re.compile(r"^−0\.0\d$"))  # counts on past zero
    frame = next(f for f in page.frames if f != page.main_frame and f.url in ("about:srcdoc", "about:blank"))
    assert frame.evaluate("() => getComputedStyle(document.getElementById('timer')).backgroundColor") in (
        "rgb(179, 38, 30)", "rgb(125, 26, 21)")  # red, blinking darker
    font = frame.evaluate("""async () => { await document.fonts.ready;
        return [...document.fonts].filter((f) => f.family.includes('Vartti')).map((f) => f.status); }""")
    assert font and all(status == "loaded" for status in font), font
    shot(page, "wall_timer_over")


@pytest.mark.parametrize(("width", "height", "scale"), WALLS, ids=[f"{w}x{h}@{s}x" for w, h, s in WALLS])
def test_huddle_mode_takes_the_lower_panels_place_and_the_wall_still_does_not_scroll(
        browser: Browser, demo_server: DemoServer, wall_unit: datetime, width, height, scale):
    page = _open(browser, demo_server, width, height, scale)
    try:
        page.get_by_role("button", name="Huddle-työkalut").click()
        expect(page.get_by_role("button", name="Aloita 5 min huddle")).to_be_visible()
        page.get_by_role("button", name="Aloita 5 min huddle").click()
        expect(page.get_by_text("1/5 · Mikä muuttui eilisestä")).to_be_visible()
        expect(page.locator(".st-key-panel-trend")).to_have_count(0)
        expect(page.locator(".st-key-panel-fixed")).to_have_count(0)
        expect(page.locator(".st-key-tile-replies-awaiting")).to_be_visible()  # the tiles stay in view
        area = page.locator(".st-key-huddle-tools-area")
        expect(area).to_be_visible()
        shot(page, f"wall_tools_{width}x{height}_{scale}x")
        sizes = page.evaluate(_SCROLLING)
        for name in ("main", "doc"):
            box = sizes[name]
            assert box["sh"] <= box["ch"] + 1, f"the board scrolls in huddle mode at {width}×{height}@{scale}x: {sizes}"
            assert box["sw"] <= box["cw"] + 1, f"sideways scrolling at {width}×{height}@{scale}x: {sizes}"
        bottom = area.evaluate("(el) => el.getBoundingClientRect().bottom")
        assert bottom <= page.evaluate("() => window.innerHeight") + 1, "the tools fall below the wall's edge"
        step = page.get_by_text("1/5 · Mikä muuttui eilisestä")
        assert step.evaluate("(el) => el.getBoundingClientRect().bottom") <= page.evaluate("() => window.innerHeight")
        page.get_by_role("button", name="Piilota huddle-työkalut").click()
        expect(page.locator(".st-key-panel-fixed")).to_be_visible()
    finally:
        page.context.close()
