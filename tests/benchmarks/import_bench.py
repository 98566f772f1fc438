"""Import benchmark (not a test): generate N native rows, import them into SQLite and PostgreSQL, print rows/s.

    .venv/bin/python tests/benchmarks/import_bench.py [--rows 1000000] [--repeat 1] [--pg postgresql+psycopg://…]
        [--skip-pg] [--skip-sqlite] [--sqlite-parted]

Each database is fresh (a temporary SQLite file; a new PostgreSQL schema, dropped afterwards). The
whole file is one import, as `python -m data import` does it (`import_file`): one transaction; on
PostgreSQL a big file is prepared in a second process part by part while the first stores the parts.
`--sqlite-parted` imports on SQLite that way too, which the app does not do (it would hold SQLite's only
write lock while the file is read), to show what it would give. A second import of
the same file (all duplicates) is timed too, and so is the raw insert of the same rows, already in the
form the database stores, into a fresh database (COPY on PostgreSQL, executemany on SQLite with the page
cache the import takes): the import's speed as a share of it is the figure issue 16 asks to be at least 50 %.
With `--repeat N` each
database is benchmarked N times (fresh each time) and the medians are printed last: the raw insert alone varies
by ±40 % between runs on a shared machine.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from data.db import make_engine, session_scope  # noqa: E402
from data.feedback_files import NATIVE_FIELDS  # noqa: E402
from data.import_pipeline import FEEDBACK_COLUMNS, write_feedback_rows  # noqa: E402
from data.import_worker import import_file, parts_prepared_apart  # noqa: E402
from data.imports import SQLITE_CACHE_KIB, store_parts  # noqa: E402
from data.organisation import UnitRow, upsert_units  # noqa: E402
from data.schema import upgrade  # noqa: E402

NOW = datetime(2026, 11, 30, 12, 0)
UNITS = 50
TEXTS = ["Ystävällinen vastaanotto ja nopea apu.", "Jonotin liian kauan, mutta hoito oli hyvää.", "",
         "Lääkäri kuunteli ja selitti selkeästi. Kiitos!", "Parkkipaikkoja on liian vähän.", ""]


def generate(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NATIVE_FIELDS)
    start = datetime(2025, 1, 1)
    for i in range(rows):
        moment = start + timedelta(seconds=rng.randrange(0, 600 * 86400))
        writer.writerow([
            "bench", f"b{i:08d}", f"B{rng.randrange(UNITS):02d}", moment.isoformat(timespec="seconds"),
            moment.date().isoformat(), rng.choice(["toimipiste", "verkko", "puhelin"]), rng.choice(["sms", "web", "kiosk"]),
            rng.randrange(11), rng.randint(1, 5), "", rng.randint(1, 5), "", "", "", rng.randint(1, 5),
            rng.choice(TEXTS), rng.choice(TEXTS), rng.choice(["0", "0", "0", "1"]), "", "", "fi",
        ])
    return out.getvalue().encode("utf-8")


def tree() -> list[UnitRow]:
    units = [UnitRow("BC", "", "Benchmark county", "", "", "county")]
    units += [UnitRow(f"B{i:02d}", "BC", f"Yksikkö {i}", "", "", "unit") for i in range(UNITS)]
    return units


def _fresh(url: str):
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine, write=True) as session:
        upsert_units(session, tree(), actor="bench", now=NOW)
    return engine


def _import(engine, content: bytes, parted: bool):
    if not parted:
        return import_file(engine, actor=None, content=content, file_name="bench.csv", now=NOW)
    with session_scope(engine, write=True) as session:
        parts = parts_prepared_apart(engine, actor=None, content=content, file_name="bench.csv", profile="native")
        return store_parts(session, actor=None, parts=parts, now=NOW)


def bench(url: str, raw_url: str, content: bytes, rows: int, label: str, parted: bool = False) -> dict[str, float]:
    """One round: the import, the import again and the raw insert; their seconds."""
    engine = _fresh(url)
    rates, times = {}, {}
    for attempt in ("first import", "again (duplicates)"):
        started = time.perf_counter()
        summary = _import(engine, content, parted)
        seconds = time.perf_counter() - started
        rates[attempt], times[attempt] = rows / seconds, seconds
        print(f"{label:10} {attempt:20} {rows:>9,} rows {seconds:7.1f} s {rows / seconds:>9,.0f} rows/s  "
              f"{summary.as_json()}", flush=True)
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        stored = [tuple(row) for row in driver.execute(f"SELECT {', '.join(FEEDBACK_COLUMNS)} FROM feedback")]
    engine.dispose()
    raw = _fresh(raw_url)
    started = time.perf_counter()
    with session_scope(raw, write=True) as session:
        if raw.dialect.name == "sqlite":  # the page cache the import itself takes for its insert
            session.execute(text(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
        write_feedback_rows(session, stored)
    seconds = time.perf_counter() - started
    raw.dispose()
    print(f"{label:10} {'raw insert':20} {rows:>9,} rows {seconds:7.1f} s {rows / seconds:>9,.0f} rows/s  "
          f"import = {100 * rates['first import'] * seconds / rows:.0f} % of raw", flush=True)
    return {**times, "raw insert": seconds}


def report(label: str, rounds: list[dict[str, float]], rows: int) -> None:
    """The median seconds of each step over the rounds, and the median import's share of the median raw insert."""
    median = {step: statistics.median(r[step] for r in rounds) for step in rounds[0]}
    for step, seconds in median.items():
        print(f"{label:10} median of {len(rounds)}: {step:20} {seconds:7.2f} s {rows / seconds:>9,.0f} rows/s", flush=True)
    print(f"{label:10} median of {len(rounds)}: import = {100 * median['raw insert'] / median['first import']:.0f} % "
          f"of raw", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("VARTTI_TEST_PG_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per database; medians printed last")
    parser.add_argument("--sqlite-parted", action="store_true", help="SQLite prepared part by part beside the writer")
    args = parser.parse_args()
    started = time.perf_counter()
    content = generate(args.rows)
    print(f"generated {args.rows:,} rows ({len(content) / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s",
          flush=True)
    rounds = []
    for _ in range(0 if args.skip_sqlite else args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            rounds.append(bench(f"sqlite:///{folder}/bench.db", f"sqlite:///{folder}/raw.db", content, args.rows,
                                "SQLite", args.sqlite_parted))
    if rounds:
        report("SQLite", rounds, args.rows)
    if not args.skip_pg:
        rounds = []
        schemas = [f"vartti_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        try:
            urls = [make_url(args.pg).update_query_dict({"options": f"-csearch_path={schema}"})
                    .render_as_string(hide_password=False) for schema in schemas]
            for _ in range(args.repeat):
                with admin.connect() as connection:  # fresh schemas each round
                    for schema in schemas:
                        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                rounds.append(bench(urls[0], urls[1], content, args.rows, "PostgreSQL"))
        finally:
            with admin.connect() as connection:
                for schema in schemas:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        report("PostgreSQL", rounds, args.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
