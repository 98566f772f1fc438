"""The huddle wall screen in real Chromium: layout, figures, unit picking, timer, self-refresh."""
from __future__ import annotations

import math
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer, goto, shot, wait_for_app
from tests.import_support import native_csv, native_row

pytestmark = pytest.mark.e2e

NPS_TITLE = "Suositteluindeksi (NPS), 30 pv"
REPLY_TILES = ("tile-replies-overdue", "tile-replies-soon", "tile-replies-awaiting", "tile-replies-ok")
TILES = (".st-key-tile-nps", ".st-key-tile-volume", ".st-key-tile-development",
         ", ".join(f".st-key-{key}" for key in REPLY_TILES))
REFRESH_BOUND_MS = 75_000  # the board re-renders every 60 s


def _plain(text: str) -> str:
    """Whitespace (also U+00A0 and U+202F of Finnish number grouping) as single spaces; − as -."""
    return re.sub(r"\s+", " ", text.replace("\u2212", "-")).strip()


def _integer(text: str) -> int:
    return int(_plain(text).replace(" ", ""))


def _roundings(value: float) -> set[int]:
    """The integers a board may show for a figure that `metrics` printed rounded to one decimal.

    The board rounds the unrounded figure; when the printed value ends in .5 both neighbours are right.
    """
    if math.isclose(value - math.floor(value), 0.5):
        return {math.floor(value), math.ceil(value)}
    return {round(value)}


def _fi_int(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _open_board(page: Page, server: DemoServer, unit: str) -> None:
    goto(page, server, f"/huddle?unit={unit}", text=NPS_TITLE)
    # Shoot only a fully drawn board: the trend chart drawn, the timer's frame loaded.
    expect(page.locator(".st-key-panel-trend").locator("canvas, svg.marks").first).to_be_visible()
    expect(page.frame_locator('[data-testid="stIFrame"]').get_by_role("button", name="10 min", exact=True)).to_be_visible()


def _metric_value(page: Page, tile: str) -> str:
    return page.locator(f".st-key-{tile} [data-testid='stMetricValue']").inner_text()


def _assert_board_agrees_with_metrics(page: Page, metrics: dict) -> None:
    unit = metrics["unit"]
    assert metrics["nps"] is not None, f"{unit}: the demo unit should have enough answers for an NPS"

    nps_tile = page.locator(".st-key-tile-nps")
    expect(nps_tile).to_have_count(1)
    shown_nps = _integer(_metric_value(page, "tile-nps"))
    assert shown_nps in _roundings(metrics["nps"]), (unit, shown_nps, metrics["nps"])
    nps_text = _plain(nps_tile.inner_text())
    assert re.search(rf"(^|\s)n = {re.escape(_fi_int(metrics['n_nps']))}(?!\d)", nps_text), (nps_text, metrics["n_nps"])
    interval = re.search(r"luottamusväli (-?\d+) … (-?\d+)", nps_text)
    assert interval, nps_text
    lo, hi = metrics["nps_ci95"]
    assert int(interval[1]) in _roundings(lo) and int(interval[2]) in _roundings(hi), (nps_text, lo, hi)

    assert _integer(_metric_value(page, "tile-development")) == metrics["in_development"], unit

    present = [key for key in REPLY_TILES if page.locator(f".st-key-{key}").count()]
    assert len(present) == 1, f"{unit}: exactly one replies tile expected, found {present}"
    overdue, soon = metrics["overdue_replies"], metrics["due_soon_replies"]
    if overdue:
        assert present == ["tile-replies-overdue"], (unit, present, overdue, soon)
        assert _integer(_metric_value(page, "tile-replies-overdue")) == overdue
        tile_text = _plain(page.locator(".st-key-tile-replies-overdue").inner_text())
        if soon:
            assert f"Lisäksi {_fi_int(soon)} erääntyy" in tile_text, tile_text
        else:
            assert "erääntyy" not in tile_text, tile_text
    elif soon:
        assert present == ["tile-replies-soon"], (unit, present, overdue, soon)
        assert _integer(_metric_value(page, "tile-replies-soon")) == soon
    else:
        # Replies not yet due are counted calmly; a ✓ only when none is awaited (metrics does not count those).
        assert present in (["tile-replies-awaiting"], ["tile-replies-ok"]), (unit, present, overdue, soon)


def _assert_no_error_shown(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    expect(page.get_by_text("This app has encountered an error")).to_have_count(0)


def test_huddle_board_fits_the_wall_screen_and_agrees_with_metrics(page: Page, demo_server: DemoServer):
    _open_board(page, demo_server, "PTH-TA-KESK")
    shot(page, "huddle_PTH-TA-KESK")

    sizes = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const doc = document.scrollingElement;
            const size = (el) => ({sh: el.scrollHeight, ch: el.clientHeight, sw: el.scrollWidth, cw: el.clientWidth});
            const boxes = [...document.querySelectorAll('[class*="st-key-tile-"], [class*="st-key-panel-"]')]
                .map((el) => ({key: [...el.classList].find((c) => c.startsWith('st-key-')),
                               bottom: el.getBoundingClientRect().bottom, right: el.getBoundingClientRect().right,
                               ...size(el)}));
            return {main: size(main), doc: size(doc), overflowY: getComputedStyle(main).overflowY, boxes};
        }"""
    )
    main, doc = sizes["main"], sizes["doc"]
    assert sizes["overflowY"] in {"auto", "scroll"}, "stMain is no longer the scrolling element; update the test"
    assert main["sh"] <= main["ch"] + 1, f"the board scrolls: stMain {main}"
    assert doc["sh"] <= doc["ch"] + 1, f"the page scrolls: {doc}"
    assert main["sw"] <= main["cw"] + 1 and doc["sw"] <= doc["cw"] + 1, f"sideways scrolling: {sizes}"
    assert len(sizes["boxes"]) == 9, sizes["boxes"]  # 4 tiles, trend, statements, themes, voice, fixes
    for box in sizes["boxes"]:
        assert box["bottom"] <= 1080 and box["right"] <= 1920, f"{box['key']} ends outside the screen: {box}"

    metrics = demo_server.metrics("PTH-TA-KESK")
    _assert_board_agrees_with_metrics(page, metrics)


@pytest.mark.parametrize("unit", ["PTH-TA-KESK", "IKA-KH-ITA", "ESH-PAIV-KS", "JSHVA"])
def test_every_demo_unit_board_renders_without_errors(page: Page, demo_server: DemoServer, page_errors, unit):
    log_offset = demo_server.log_size()
    _open_board(page, demo_server, unit)
    shot(page, f"every_unit_{unit}")

    _assert_no_error_shown(page)
    for tile in TILES:
        expect(page.locator(tile)).to_have_count(1)
    for panel in ("trend", "statements", "themes", "fixed"):
        expect(page.locator(f".st-key-panel-{panel}")).to_have_count(1)
    assert page_errors == []
    server_log = demo_server.log_since(log_offset)
    assert "Traceback" not in server_log and "Uncaught" not in server_log, server_log
    _assert_board_agrees_with_metrics(page, demo_server.metrics(unit))


def test_an_unknown_unit_shows_a_message_and_a_picker(page: Page, demo_server: DemoServer):
    goto(page, demo_server, "/huddle?unit=NOPE", text="NOPE")

    message = page.locator('[data-testid="stAlert"]').filter(has_text="NOPE")
    expect(message).to_have_count(1)
    expect(message).to_contain_text("ei löydy")
    # The widget itself, not the grey placeholder shown while its code loads.
    expect(page.get_by_test_id("stSelectbox").get_by_role("combobox")).to_be_visible()
    expect(page.get_by_role("button", name="Avaa huddle-taulu")).to_be_visible()
    expect(page.locator(".st-key-wall")).to_have_count(0)
    _assert_no_error_shown(page)
    shot(page, "huddle_unknown_unit")


def test_choosing_a_unit_opens_its_board(page: Page, demo_server: DemoServer):
    goto(page, demo_server, "/signin", text="Valitse yksikkö")
    page.get_by_test_id("stSelectbox").click()
    page.keyboard.type("Kotihoito")
    option = page.get_by_role("option").filter(has_text="(IKA-KH-ITA)")
    expect(option).to_have_count(1)
    label = option.inner_text()
    unit_name = label.split(" (IKA-KH-ITA)")[0].strip()
    assert unit_name, label
    option.click()
    expect(page.get_by_test_id("stSelectbox").get_by_role("combobox")).to_have_value(label)
    shot(page, "home_unit_chosen")

    page.get_by_role("button", name="Avaa huddle-taulu").click()
    expect(page).to_have_url(re.compile(r"/huddle\?unit=IKA-KH-ITA$"))
    wait_for_app(page, text=NPS_TITLE)
    expect(page.locator(".st-key-wall h1")).to_have_text(unit_name)
    _assert_no_error_shown(page)
    shot(page, "home_opened_IKA-KH-ITA")


def _seconds(clock: str) -> int:
    minutes, seconds = clock.strip().split(".")
    return int(minutes) * 60 + int(seconds)


def test_the_huddle_timer_counts_down_in_the_browser(page: Page, demo_server: DemoServer):
    _open_board(page, demo_server, "PTH-TA-KESK")
    timer = page.frame_locator('[data-testid="stIFrame"]')
    clock = timer.locator("#clock")
    expect(clock).to_be_hidden()

    timer.get_by_role("button", name="10 min", exact=True).click()
    expect(clock).to_be_visible()
    expect(clock).to_have_text(re.compile(r"^(10\.00|9\.5\d)$"))
    first = clock.inner_text()
    expect(timer.get_by_role("button", name="10 min", exact=True)).to_be_hidden()

    expect(clock).not_to_have_text(first, timeout=5_000)  # ticks within about a second
    later = clock.inner_text()
    assert re.fullmatch(r"\d{1,2}\.\d{2}", later), later
    assert _seconds(later) < _seconds(first), (first, later)
    shot(page, "huddle_timer_running")

    timer.get_by_role("button", name="Lopeta").click()
    for minutes in (5, 10, 15):
        expect(timer.get_by_role("button", name=f"{minutes} min", exact=True)).to_be_visible()
    expect(clock).to_be_hidden()
    expect(timer.get_by_role("button", name="Lopeta")).to_be_hidden()


def test_the_board_refreshes_itself_and_keeps_its_unit(page: Page, demo_server: DemoServer, tmp_path):
    _open_board(page, demo_server, "PTH-TA-KESK")
    title = page.locator(".st-key-wall h1").inner_text()
    nps_tile = page.locator(".st-key-tile-nps")
    before = nps_tile.inner_text()
    timer = page.frame_locator('[data-testid="stIFrame"]')
    timer.get_by_role("button", name="15 min", exact=True).click()
    expect(timer.locator("#clock")).to_be_visible()

    # A page reload would lose this; the fragment's rerun must not.
    page.evaluate("() => { window.__varttiE2eNoReload = true; }")
    # New feedback arrives while the board is on the wall (the server's clock is pinned, so the time
    # shown never changes): the board's next run must show the larger n without anyone touching it.
    arrived = (demo_server.now() - timedelta(hours=1)).isoformat() + "+00:00"
    rows = [native_row(f"refresh-{i}", source="e2e-refresh", unit_code="PTH-TA-KESK", received_at=arrived,
                       nps="10", service_date="") for i in range(3)]
    path = tmp_path / "refresh.csv"
    path.write_text(native_csv(rows), encoding="utf-8")
    demo_server.cli("import", str(path))
    page.wait_for_function(
        """(before) => {
            const node = document.querySelector('.st-key-tile-nps');
            return node !== null && node.innerText.trim() !== before.trim();
        }""",
        arg=before,
        polling=250,
        timeout=REFRESH_BOUND_MS,
    )
    wait_for_app(page, text=NPS_TITLE)
    after = nps_tile.inner_text()
    shot(page, "huddle_after_refresh")

    assert page.evaluate("() => window.__varttiE2eNoReload === true"), "the page was reloaded, not refreshed"
    assert parse_qs(urlparse(page.url).query).get("unit") == ["PTH-TA-KESK"], page.url
    expect(page.locator(".st-key-wall h1")).to_have_text(title)
    n_before, n_after = (int(re.search(r"n\s*=\s*([\d\s\u00a0]+)", text)[1].replace("\u00a0", "").replace(" ", ""))
                         for text in (before, after))
    assert n_after == n_before + 3, (before, after)
    for tile in TILES:
        expect(page.locator(tile)).to_have_count(1)
    # The huddle timer lives in the browser and survives the data refresh.
    expect(timer.locator("#clock")).to_be_visible()
    expect(timer.get_by_role("button", name="Lopeta")).to_be_visible()
    _assert_no_error_shown(page)
