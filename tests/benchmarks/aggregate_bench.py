"""Time the year roll-up and the public county figures from the daily aggregates against the raw rows (issue 16).

Usage: .venv/bin/python tests/benchmarks/aggregate_bench.py [--rows 200000] [--units 200] [--runs 3] [--url URL]
Builds a fresh database (default a SQLite file in /tmp; a PostgreSQL URL must point at an empty database/schema),
fills it with random feedback over two years through the app's insert path (aggregates kept in step), then prints
median timings of the same figures computed both ways. A benchmark, not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import insert  # noqa: E402

from board.likert import STATEMENT_KEYS  # noqa: E402
from board.periods import Period  # noqa: E402
from board.quarters import Quarter  # noqa: E402
from data import public, rollup  # noqa: E402
from data.aggregates import count_new  # noqa: E402
from data.db import make_engine, session_scope  # noqa: E402
from data.models import Feedback  # noqa: E402
from data.organisation import UnitRow, unit_by_code, upsert_units  # noqa: E402
from data.schema import upgrade  # noqa: E402
from data.settings import Settings  # noqa: E402
from tests import raw_figures as raw  # noqa: E402

NOW = datetime(2026, 11, 23, 8, 0)
SETTINGS = Settings(database_url="unused", min_n=5, reply_days=14)


def _tree(units: int) -> list[UnitRow]:
    rows = [UnitRow("C", "", "County", "", "", "county")]
    for a in range(4):
        rows.append(UnitRow(f"A{a}", "C", f"Area {a}", "", "", "result_area"))
        for s in range(5):
            rows.append(UnitRow(f"S{a}{s}", f"A{a}", f"Service {a}{s}", "", "", "service_area"))
    rows += [UnitRow(f"U{i}", f"S{i % 4}{i % 5}", f"Unit {i}", "", "", "unit") for i in range(units)]
    return rows


def _fill(engine, rows: int, units: int) -> None:
    rng = random.Random(16)
    with session_scope(engine, write=True) as session:
        upsert_units(session, _tree(units), actor="bench", now=NOW)
        ids = [unit_by_code(session, f"U{i}").id for i in range(units)]
    start = NOW - timedelta(days=730)
    for chunk in range(0, rows, 20_000):
        batch = []
        for i in range(chunk, min(rows, chunk + 20_000)):
            received = start + timedelta(seconds=rng.randrange(730 * 86400))
            requested = rng.random() < 0.08
            batch.append({"unit_id": rng.choice(ids), "source": "bench", "source_id": str(i), "received_at": received,
                          "channel": rng.choice(("toimipiste", "verkko", "puhelin")), "collection": "sms",
                          "nps": rng.randrange(11), **{k: rng.choice((None, 1, 2, 3, 4, 5)) for k in STATEMENT_KEYS},
                          "reply_requested": requested, "no_reply_reason": None,
                          "replied_at": received + timedelta(hours=rng.randrange(1, 400)) if requested else None,
                          "redacted": False, "version": 1})
        with session_scope(engine, write=True) as session:
            session.execute(insert(Feedback), batch)
            count_new(session, batch)


def _median(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:////tmp/aggregate_bench_{args.rows}.db"
    if url.startswith("sqlite:////"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    _fill(engine, args.rows, args.units)
    print(f"{engine.dialect.name}: {args.rows} rows, {args.units} units filled in {time.perf_counter() - started:.1f} s")
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    quarters = [Quarter(2025, q) for q in (3, 4)] + [Quarter(2026, q) for q in range(1, 5)]
    with session_scope(engine) as session:
        root = unit_by_code(session, "C")

        def year_rollup():
            rollup.compute_rollup(session, root, period=year, kind="year", now=NOW, settings=SETTINGS)
            rollup.monthly_trend_of(session, root, last_day=year.last, settings=SETTINGS)

        def county_figures():
            public.public_figures(session, language="fi", quarters=quarters, min_n=5)

        aggregate = {name: _median(args.runs, work) for name, work in (("year", year_rollup), ("public", county_figures))}
        for name, oracle in (("_compared_counts", raw.compared_counts),
                             ("_channel_counts", raw.channel_counts), ("_reply_hours", raw.reply_hours),
                             ("reply_deadlines", raw.reply_deadlines)):
            setattr(rollup, name, oracle)
        public._quarter_counts = raw.quarter_counts
        rows_only = {name: _median(args.runs, work) for name, work in (("year", year_rollup),
                                                                       ("public", county_figures))}
    for name, label in (("year", "roll-up of the tree, a year (+ monthly trend)"),
                        ("public", "public county figures, six quarters")):
        print(f"  {label}: raw rows {rows_only[name] * 1000:.0f} ms, aggregates {aggregate[name] * 1000:.0f} ms "
              f"({rows_only[name] / aggregate[name]:.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
