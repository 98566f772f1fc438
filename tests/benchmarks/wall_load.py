"""Many wall screens and editors on one server: its CPU busy share, the refresh latency, the errors.

    .venv/bin/python tests/benchmarks/wall_load.py [--screens 50] [--editors 20] [--minutes 5]
        [--units PTH-TA-KESK:30,PTH-TA-RANT:8,SOS-LAP-NKES:6,ESH-SIS-POLI:6] [--think 20] [--db DEMO.db]
        [--grow 5000000]

Starts `streamlit run app.py` (demo mode, the repository's .streamlit/config.toml) on a free port over a
private copy of a seeded demo county, issues kiosk links, and opens in one headless Chromium (Debian's, through
Playwright):
- N wall screens: kiosk links `/huddle?unit=…&screen=…`, most of them of one unit, refreshing by themselves
  at the board's real interval (60 s, the page's own `st.fragment(run_every=…)`);
- M editors, each a tab signed in as a demo supervisor: half on the inbox of Keskustan terveysasema (the unit
  most screens show) changing its deadline filter, half each on the kanban of a unit of its own moving a theme
  between Tunnistettu and Kehittämisryhmällä (a write: an audit row, a new data revision, so every board is
  computed again at its next refresh), each acting every `--think` seconds (±50 %, random).

It measures two phases of `--minutes` each, after the pages are open and one refresh interval has passed:
the screens alone, then the screens with the editors. For each phase: the server process's CPU seconds
(utime + stime from /proc) over wall seconds × cores (its busy share of the machine), CPU seconds per screen
refresh (screens alone), the refreshes' latency from the browser's request to the server's "finished"
(p50/p95), the editors' actions (p50/p95 from the action to its script run's end), refreshes missed, errors
(exceptions on a page, actions that failed) and the server's memory. One JSON object per phase on stdout.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sys

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playwright.async_api import async_playwright, expect  # noqa: E402

from tests.benchmarks.wall_refresh import private_copy, seeded_demo  # noqa: E402
from tests.benchmarks.wall_support import (CHROMIUM, CHROMIUM_ARGS, ROOT, RunWatch,  # noqa: E402
                                           descendants_cpu_seconds, kiosk_links, percentile, rss_mb, serving,
                                           watch)

REFRESH_SECONDS = 60  # pages/huddle.py REFRESH_SECONDS
COUNTY = "JSHVA"  # the demo county's root unit
SUPERVISOR = "Esihenkilö – Keskustan terveysasema"
# The kanban editors sign in as the second demo supervisor, made supervisor of the whole county in the private
# copy, and each works on a unit of its own: editors moving the same few cards would mostly measure conflicts.
KANBAN_SUPERVISOR = ("demo:apulaisesihenkilo", "Apulaisesihenkilö – Keskustan terveysasema")
DEADLINES = ("Myöhässä", "Erääntyy 3 pv:n sisällä", "Kaikki")
STAGE_LABELS = {"tunnistettu": "Tunnistettu", "kehittamisryhmalla": "Kehittämisryhmällä"}
BOARD = '[class*="st-key-panel-trend"]'
ACTION_SECONDS = 60


@dataclass
class Editor:
    name: str
    page: object
    run: RunWatch
    kind: str  # "inbox" or "kanban"
    unit: str = ""
    actions: list[tuple[float, float]] = field(default_factory=list)  # (started, seconds)
    failures: list[str] = field(default_factory=list)


def kanban_units(database: Path) -> list[str]:
    """Units with a theme to move between Tunnistettu and Kehittämisryhmällä, most such themes first."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT u.code FROM theme t JOIN unit u ON u.id = t.unit_id WHERE t.stage IN "
                          "('tunnistettu', 'kehittamisryhmalla') GROUP BY u.code ORDER BY count(*) DESC, u.code")
        return [code for (code,) in rows]


def grown(demo: Path, rows: int) -> Path:
    """The demo county with `rows` more answers of three years spread over its units (scale_bench.py's rows, loaded
    straight into `feedback`, the aggregates rebuilt by the app's command); made once, next to the demo."""
    from sqlmodel import select

    from data.db import make_engine, session_scope
    from data.models import Unit
    from tests.benchmarks.scale_bench import load_rows

    target = demo.with_name(f"{demo.stem}_{rows}{demo.suffix}")
    if target.exists():
        return target
    building = private_copy(demo, target.with_suffix(".part"))
    engine = make_engine(f"sqlite:///{building}")
    with session_scope(engine) as session:
        unit_ids = list(session.exec(select(Unit.id).where(Unit.level == "unit", Unit.active)).all())
    load_rows(engine, unit_ids, rows, key="grow")
    engine.dispose()
    subprocess.run([sys.executable, "-m", "data", "aggregates", "rebuild"], cwd=ROOT, check=True,
                   env={**os.environ, "VARTTI_DATABASE_URL": f"sqlite:///{building}"})
    building.rename(target)
    return target


def screens_of(spec: str, total: int) -> list[str]:
    """The unit of each screen: "A:30,B:8,…" scaled to `total` screens, the first unit taking what is left."""
    wanted = [(code, int(count)) for code, count in (part.split(":") for part in spec.split(","))]
    scale = total / sum(count for _, count in wanted)
    units = [code for code, count in wanted[1:] for _ in range(int(count * scale))]
    return [wanted[0][0]] * (total - len(units)) + units


async def settled(page, run: RunWatch, done_before: int, timeout: float = ACTION_SECONDS) -> None:
    """Wait until a script run after `done_before` has finished and none is waiting."""
    deadline = time.monotonic() + timeout
    while len(run.done) <= done_before or run.asked:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{run.name}: no finished run in {timeout} s")
        await asyncio.sleep(0.05)


async def choose(page, scope, option: str) -> None:
    box = scope.get_by_role("combobox")
    await expect(box).to_be_visible(timeout=ACTION_SECONDS * 1000)
    listbox = page.get_by_role("listbox")
    for _ in range(3):
        await box.click()
        try:
            await expect(listbox).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            continue
    await listbox.get_by_role("option", name=option, exact=True).click()


async def sign_in(page, run: RunWatch, url: str, person: str) -> None:
    await page.goto(url, timeout=ACTION_SECONDS * 1000)
    button = page.get_by_role("button", name=person, exact=True)
    await expect(button).to_be_visible(timeout=ACTION_SECONDS * 1000)
    before = len(run.done)
    await button.click()
    await settled(page, run, before)


async def inbox_action(editor: Editor, turn: int) -> None:
    """Read: the inbox's deadline filter set to the next choice."""
    before = len(editor.run.done)
    await choose(editor.page, editor.page.locator(".st-key-inbox-f-deadline"), DEADLINES[turn % len(DEADLINES)])
    await settled(editor.page, editor.run, before)


async def kanban_action(editor: Editor, turn: int) -> None:
    """Write: a theme moved from Tunnistettu to Kehittämisryhmällä, or back (confirming a WIP limit if asked)."""
    page = editor.page
    source, target = ("tunnistettu", "kehittamisryhmalla") if turn % 2 == 0 else ("kehittamisryhmalla", "tunnistettu")
    cards = page.locator(f'.st-key-column-{source} [class*="st-key-card-"]')
    count = await cards.count()
    if not count:
        source, target = target, source
        cards = page.locator(f'.st-key-column-{source} [class*="st-key-card-"]')
        count = await cards.count()
    # The card by its own key: the column's order changes when a card moves.
    key = await cards.nth(random.randrange(count)).evaluate(
        "el => [...el.classList].find(c => /^st-key-card-\\d+$/.test(c))")
    card = page.locator(f".{key}")
    before = len(editor.run.done)
    await choose(page, card, STAGE_LABELS[target])
    await settled(page, editor.run, before)
    before = len(editor.run.done)
    await card.get_by_role("button", name="Siirrä", exact=True).click()
    await settled(page, editor.run, before)
    confirm = card.locator('[class*="st-key-confirm-"] button')
    if await confirm.count():
        before = len(editor.run.done)
        await confirm.first.click()
        await settled(page, editor.run, before)


async def work(editor: Editor, think: float, stop_at: float, record_from: float) -> None:
    turn = 0
    while time.monotonic() < stop_at:
        await asyncio.sleep(think * random.uniform(0.5, 1.5))
        if time.monotonic() >= stop_at:
            break
        started = time.monotonic()
        try:
            await (inbox_action if editor.kind == "inbox" else kanban_action)(editor, turn)
            if started >= record_from:
                editor.actions.append((started, time.monotonic() - started))
        except Exception as problem:  # noqa: BLE001 - any failure of an action is counted and reported
            editor.failures.append(f"{type(problem).__name__}: {str(problem)[:160]}")
        turn += 1


def browsers_cpu(server) -> float:
    """The CPU seconds of this benchmark's own browsers (Chromium under Playwright), not the server's."""
    return descendants_cpu_seconds(os.getpid(), skip=server.process.pid)


def phase_report(name: str, server, cores: int, cpu0: float, cpu1: float, started: float, ended: float,
                 screens: list[RunWatch], editors: list[Editor], rss0: float, browsers: float) -> dict:
    wall = ended - started
    refreshes = [end - start for run in screens for start, end, fragment in run.done
                 if fragment and started <= start < ended]
    actions = [seconds for editor in editors for at, seconds in editor.actions if started <= at < ended]
    cpu = cpu1 - cpu0
    expected = len(screens) * wall / REFRESH_SECONDS
    return {
        "phase": name, "screens": len(screens), "editors": len(editors), "seconds": round(wall, 1),
        "cores": cores, "server_cpu_s": round(cpu, 2), "server_busy_share": round(cpu / (wall * cores), 3),
        "screen_refreshes": len(refreshes), "refreshes_expected": round(expected),
        "cpu_ms_per_refresh_all_in": round(1000 * cpu / len(refreshes), 1) if refreshes else None,
        "refresh_p50_s": _round(percentile(refreshes, 0.5)), "refresh_p95_s": _round(percentile(refreshes, 0.95)),
        "editor_actions": len(actions), "action_p50_s": _round(percentile(actions, 0.5)),
        "action_p95_s": _round(percentile(actions, 0.95)),
        "errors": sum(len(r.errors) for r in screens) + sum(len(e.run.errors) for e in editors),
        "failed_actions": sum(len(e.failures) for e in editors),
        "failures_sample": [f for e in editors for f in e.failures][:5],
        "errors_sample": [m for r in [*screens, *(e.run for e in editors)] for m in r.errors][:3],
        "browsers_cpu_s": round(browsers, 1),
        "server_rss_mb": [round(rss0), round(rss_mb(server.process.pid))],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


async def run_load(args) -> list[dict]:
    work_dir = Path(tempfile.mkdtemp(prefix="wall-load-"))
    template = seeded_demo(Path(args.db))
    if args.grow:
        template = grown(template, args.grow)
    database = private_copy(template, work_dir / "vartti.db")
    units = screens_of(args.units, args.screens)
    tokens = kiosk_links(database, units)
    subprocess.run([sys.executable, "-m", "data", "grant", KANBAN_SUPERVISOR[0], "--role", "supervisor", "--unit",
                    COUNTY], cwd=ROOT, env={**os.environ, "VARTTI_DATABASE_URL": f"sqlite:///{database}"},
                   check=True, capture_output=True)
    cores = os.cpu_count() or 1
    reports = []
    with serving(database, log=work_dir / "streamlit.log") as server:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            walls = await browser.new_context(viewport={"width": 1920, "height": 1080})
            desks = await browser.new_context(viewport={"width": 1600, "height": 1000})
            screens: list[RunWatch] = []
            for i, unit in enumerate(units):
                page = await walls.new_page()
                screens.append(watch(page, f"screen-{i}-{unit}"))
                await page.goto(server.url(f"/huddle?unit={unit}&screen={tokens[unit]}"), timeout=120_000)
                await page.wait_for_selector(BOARD, timeout=120_000)
            editors: list[Editor] = []
            boards = kanban_units(database)
            for i in range(args.editors):
                page = await desks.new_page()
                kind = "inbox" if i % 2 == 0 else "kanban"
                unit = boards[(i // 2) % len(boards)] if kind == "kanban" else ""
                editor = Editor(f"editor-{i}-{kind}-{unit}", page, watch(page, f"editor-{i}"), kind, unit)
                if kind == "kanban":
                    await sign_in(page, editor.run, server.url(f"/kanban?unit={unit}"), KANBAN_SUPERVISOR[1])
                else:
                    await sign_in(page, editor.run, server.url("/inbox"), SUPERVISOR)
                editors.append(editor)
            print(f"# {len(screens)} screens and {len(editors)} editors open; warming up one refresh interval",
                  file=sys.stderr)
            await asyncio.sleep(REFRESH_SECONDS)

            seconds = args.minutes * 60
            rss0, cpu0, started = rss_mb(server.process.pid), server.cpu(), time.monotonic()
            browsers0 = browsers_cpu(server)
            await asyncio.sleep(seconds)
            cpu1, ended = server.cpu(), time.monotonic()
            reports.append(phase_report("screens alone", server, cores, cpu0, cpu1, started, ended, screens, [], rss0,
                                        browsers_cpu(server) - browsers0))
            print(json.dumps(reports[-1]), flush=True)

            if editors:
                # The editors start working; their first actions fall in the warm-up, not the measurement.
                warm = time.monotonic() + args.think
                stop_at = warm + seconds
                tasks = [asyncio.create_task(work(e, args.think, stop_at, warm)) for e in editors]
                await asyncio.sleep(max(0.0, warm - time.monotonic()))
                rss0, cpu0, started = rss_mb(server.process.pid), server.cpu(), time.monotonic()
                browsers0 = browsers_cpu(server)
                await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
                cpu1, ended = server.cpu(), time.monotonic()
                browsers = browsers_cpu(server) - browsers0
                await asyncio.gather(*tasks)
                reports.append(phase_report("screens and editors", server, cores, cpu0, cpu1, started, ended,
                                            screens, editors, rss0, browsers))
                print(json.dumps(reports[-1]), flush=True)
            await browser.close()
    print(f"# server log: {work_dir / 'streamlit.log'}", file=sys.stderr)
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screens", type=int, default=50)
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5, help="length of each measured phase")
    parser.add_argument("--units", default="PTH-TA-KESK:30,PTH-TA-RANT:8,SOS-LAP-NKES:6,ESH-SIS-POLI:6",
                        help="unit:share of the screens, the first unit takes the rest")
    parser.add_argument("--think", type=float, default=20, help="seconds between an editor's actions (±50 %%)")
    parser.add_argument("--db", default="/tmp/vartti_wall_demo.db", help="seeded demo county (made if missing)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--grow", type=int, default=0,
                        help="add this many answers of three years to the demo county first (made once, kept)")
    args = parser.parse_args()
    random.seed(args.seed)
    asyncio.run(run_load(args))


if __name__ == "__main__":
    main()
