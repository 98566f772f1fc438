"""Server CPU of one wall-screen refresh: a kiosk board in headless Chromium, its refreshes fired one at a time.

    .venv/bin/python tests/benchmarks/wall_refresh.py [--db DEMO.db] [--unit PTH-TA-KESK] [--refreshes 30]
                                                      [--changed] [--profile OUT.prof]

Starts `streamlit run app.py` on a free port over a private copy of a seeded demo county (made with
`python -m data seed-demo` when --db does not exist yet), issues a kiosk link, opens `/huddle?unit=…&screen=…`
in Debian's Chromium (Playwright) with the page's clock faked, and moves that clock past the board's refresh
interval, one refresh at a time. For each refresh it reads the server process's CPU time (utime + stime from
/proc, so a machine loaded by others does not inflate it) before the refresh is asked for and after its
`script_finished` message arrives on the websocket. `--changed` writes an audit row before each refresh, so
every refresh finds a new data revision and computes the board instead of finding it shared. `--profile`
runs the server under cProfile (slower) and writes the script runs' totals.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.benchmarks.wall_support import (CHROMIUM, CHROMIUM_ARGS, ROOT, kiosk_links,  # noqa: E402
                                           serving, watch)

REFRESH_MS = 60_000  # pages/huddle.py REFRESH_SECONDS
BOARD = '[class*="st-key-panel-trend"]'


def seeded_demo(path: Path) -> Path:
    """The demo county at `path`, migrated and seeded when it is not there yet."""
    if not path.exists():
        env = {"VARTTI_DATABASE_URL": f"sqlite:///{path}", "PATH": "/usr/bin:/bin"}
        for command in (["migrate"], ["seed-demo"]):
            subprocess.run([sys.executable, "-m", "data", *command], cwd=ROOT, env=env, check=True,
                           capture_output=True)
    return path


def private_copy(template: Path, target: Path) -> Path:
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target


def touch_revision(database: Path) -> None:
    """A change of state as the board sees one: a new audit row (the data revision moves)."""
    from data.audit import record
    from data.db import make_engine, session_scope

    engine = make_engine(f"sqlite:///{database}")
    try:
        with session_scope(engine, write=True) as session:
            record(session, actor="bench", action="bench.tick", entity="bench", entity_id="0", unit_id=None,
                   now=datetime.now(timezone.utc).replace(tzinfo=None))
    finally:
        engine.dispose()


def settle(page, run, count: int, timeout: float = 120) -> None:
    """Wait until the page has finished `count` script runs and asks for nothing more."""
    deadline = time.monotonic() + timeout
    while len(run.done) < count or run.asked:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{run.name}: {len(run.done)} runs done, {len(run.asked)} waiting")
        page.wait_for_timeout(10)


def measure(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="wall-refresh-"))
    database = private_copy(seeded_demo(Path(args.db)), work / "vartti.db")
    token = kiosk_links(database, [args.unit])[args.unit]
    samples: list[float] = []
    idle: list[float] = []
    with serving(database, log=work / "streamlit.log", profile=Path(args.profile) if args.profile else None,
                 extra_args=tuple(args.server_arg)) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.clock.install()
        run = watch(page, args.unit)
        page.goto(server.url(f"/huddle?unit={args.unit}&screen={token}"), timeout=120_000)
        page.wait_for_selector(BOARD, timeout=120_000)
        settle(page, run, 1)
        for i in range(args.warmup + args.refreshes):
            if args.changed:
                touch_revision(database)
            before, started = server.cpu(), time.monotonic()
            page.clock.run_for(REFRESH_MS)
            settle(page, run, len(run.done) + 1)
            spent, wall = server.cpu() - before, time.monotonic() - started
            if i >= args.warmup:
                samples.append(spent)
                # The same stretch of time without a refresh: what the idle server costs meanwhile.
                before = server.cpu()
                page.wait_for_timeout(wall * 1000)
                idle.append(server.cpu() - before)
        errors = run.errors
        if args.screenshot:
            page.clock.run_for(1000)  # the chart draws on timers of the faked clock too
            page.screenshot(path=args.screenshot)
        browser.close()
        rss = Path(f"/proc/{server.process.pid}/status").read_text()
    return {
        "unit": args.unit, "refreshes": len(samples), "changed": args.changed,
        "cpu_ms_median": round(1000 * statistics.median(samples), 1),
        "cpu_ms_mean": round(1000 * statistics.fmean(samples), 1),
        "cpu_ms_min": round(1000 * min(samples), 1), "cpu_ms_max": round(1000 * max(samples), 1),
        "idle_ms_median_same_time": round(1000 * statistics.median(idle), 1),
        "latency_s_median": round(statistics.median(run.refreshes()[-len(samples):]), 3),
        "server_rss_mb": round(int(next(line.split()[1] for line in rss.splitlines()
                                        if line.startswith("VmRSS:"))) / 1024),
        "errors": errors, "log": str(work / "streamlit.log"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="/tmp/vartti_wall_demo.db", help="seeded demo county (made if missing)")
    parser.add_argument("--unit", default="PTH-TA-KESK")
    parser.add_argument("--refreshes", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--changed", action="store_true", help="a new data revision before every refresh")
    parser.add_argument("--profile", help="profile the server's script runs into this file")
    parser.add_argument("--screenshot", help="save the board after the last refresh as this PNG")
    parser.add_argument("--server-arg", action="append", default=[], help="passed on to streamlit run")
    print(json.dumps(measure(parser.parse_args())))


if __name__ == "__main__":
    main()
