"""Scale benchmark (not a test): the table of issue 16, measured on a generated county.

    .venv/bin/python tests/benchmarks/scale_bench.py [--rows 5000000] [--small 10000] [--units 1000]
        [--runs 3] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--skip-pg] [--skip-sqlite]
        [--sqlite-dir /tmp] [--reuse] [--rebuild COMMAND]

For each database (PostgreSQL and SQLite) it makes two fresh databases, migrated as the app migrates
them (`vartti_scale_small` / `vartti_scale` on PostgreSQL, dropped and made again; `scale_small.db` /
`scale.db` in --sqlite-dir): one of --small rows and one of --rows rows over three years, with --units
units in a four-level tree. The rows go in directly (COPY on PostgreSQL, executemany in big
transactions on SQLite); the app's secondary indexes of `feedback` are dropped for the load and made
again after it with the statements that made them, then ANALYZE (VACUUM ANALYZE on PostgreSQL).
The load writes `feedback` only (the raw insert); the app's command that rebuilds its aggregates from
`feedback` (`python -m data aggregates rebuild`, found by its name or given with --rebuild) is run after
it, so that the figures below measure the aggregates. A reused database is migrated to the code's head.

Then it times the app's own functions (the services the pages call, with a director's or a
supervisor's access) on both sizes, medians of --runs runs, and prints each figure next to its value at
--small rows, the ratio, and the issue's goal. --reuse keeps databases of the right size from an
earlier run instead of generating them again.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import select  # noqa: E402

from auth.access import Grant, Viewer  # noqa: E402
from auth.roles import Role  # noqa: E402
from board.periods import calendar_period, helsinki_date  # noqa: E402
from board.quarters import last_quarters  # noqa: E402
from data.board_cache import REVISION_SECONDS, cached_board, computations, data_revision, forget_boards  # noqa: E402
from data.board_figures import board_signals  # noqa: E402
from data.db import make_engine, session_scope  # noqa: E402
from data.huddle_board import huddle_board  # noqa: E402
from data.import_pipeline import FEEDBACK_COLUMNS, write_feedback_rows, sqlite_converter  # noqa: E402
from data.inbox import InboxFilters, ReplyStatus, inbox  # noqa: E402
from data.models import Feedback, Unit  # noqa: E402
from data.organisation import UnitRow, upsert_units  # noqa: E402
from data.public import public_figures  # noqa: E402
from data.rollup import rollup  # noqa: E402
from data.schema import upgrade  # noqa: E402
from data.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 30, 10, 0)   # naive UTC, a Monday
YEARS = 3
CHUNK = 200_000
PUBLIC_QUARTERS = 6                    # pages/public.py TREND_QUARTERS
SETTINGS = Settings(database_url="unused", demo=True, reply_days=14, min_n=5)
COLLECTIONS = ["sms"] * 58 + ["kiosk"] * 14 + ["web"] * 16 + ["tablet"] * 5 + ["paper"] * 4 + ["email"] * 2 + ["phone"]
CHANNELS = ["toimipiste"] * 6 + ["verkko"] * 2 + ["puhelin", "chat_video", "kotikaynti"]
NPS = [10] * 40 + [9] * 22 + [8] * 12 + [7] * 8 + [6, 6, 6, 5, 5, 4, 3, 2, 1, 0, 0, 0, 0]
TEXTS = ["", "", "", "Ystävällinen vastaanotto ja nopea apu.", "Jonotin liian kauan, mutta hoito oli hyvää.",
         "Lääkäri kuunteli ja selitti selkeästi. Kiitos!", "Parkkipaikkoja on liian vähän.",
         "Ajanvaraus puhelimessa oli vaikeaa, odotin puoli tuntia.", "Hoitaja oli kiireinen eikä ehtinyt kuunnella.",
         "Kaikki sujui hyvin.", "Tiloissa oli kylmä ja ahdasta."]
SEARCHED = "parkkipaik"                # the inbox's text search: a word some texts hold


# --- The county ------------------------------------------------------------------------------------

def tree(units: int) -> list[UnitRow]:
    """A county, 9 result areas, 10 service areas each and the rest as units, about `units` in all."""
    rows = [UnitRow("SC", "", "Mittakaava-alue", "", "", "county")]
    areas = [f"RA{a}" for a in range(9)]
    rows += [UnitRow(code, "SC", f"Tulosalue {code}", "", "", "result_area") for code in areas]
    services = [f"{area}S{s}" for area in areas for s in range(10)]
    rows += [UnitRow(code, code[:3], f"Palvelualue {code}", "", "", "service_area") for code in services]
    left = max(1, units - len(rows))
    rows += [UnitRow(f"{services[i % len(services)]}U{i // len(services)}", services[i % len(services)],
                     f"Yksikkö {i}", "", "", "unit") for i in range(left)]
    return rows


def generated(unit_ids: list[int], rows: int, seed: int = 16, key: str = "s"):
    """`rows` feedback rows in FEEDBACK_COLUMNS order (Python values), spread over three years up to NOW; each
    source_id is `key` and a number."""
    rng = random.Random(seed)
    span = int(YEARS * 365.25 * 86400)
    start = NOW - timedelta(seconds=span)
    for i in range(rows):
        received = start + timedelta(seconds=rng.randrange(span))
        collection = rng.choice(COLLECTIONS)
        requested = rng.random() < 0.08
        replied = received + timedelta(hours=rng.randrange(1, 400)) if requested and rng.random() < 0.85 else None
        if replied is not None and replied > NOW:
            replied = None
        likert = [rng.choice((None, 3, 4, 4, 5, 5, 5, 2, 1)) for _ in range(7)]
        values = {
            "unit_id": rng.choice(unit_ids), "received_at": received, "service_date": received.date(),
            "channel": rng.choice(CHANNELS), "collection": collection, "nps": rng.choice(NPS),
            "saatavuus": likert[0], "kohtaaminen": likert[1], "osallistuminen": likert[2], "turvallisuus": likert[3],
            "tiedon_saanti": likert[4], "ymmarrettavyys": likert[5], "hyodyllisyys": likert[6],
            "open_answer": rng.choice(TEXTS) or None, "free_text": rng.choice(TEXTS) or None,
            "reply_requested": requested, "service_code": None, "language": "fi",
            "source": collection, "source_id": f"{key}{i:09d}", "replied_at": replied,
            "redacted": False, "version": 1, "quote_picked_at": None,
            "replied_by": "bench" if replied else None, "no_reply_reason": None,
        }
        yield tuple(values[name] for name in FEEDBACK_COLUMNS)


# --- Making the databases ----------------------------------------------------------------------------

def _load(engine, rows: int, units: int) -> None:
    upgrade(engine)
    with session_scope(engine, write=True) as session:
        upsert_units(session, tree(units), actor="bench", now=NOW)
        unit_ids = list(session.exec(select(Unit.id).where(Unit.level == "unit")).all())
    load_rows(engine, unit_ids, rows)


def load_rows(engine, unit_ids: list[int], rows: int, key: str = "s") -> None:
    """`rows` generated rows straight into `feedback` (its secondary indexes made again after), then ANALYZE; the
    aggregates are left to the app's rebuild command."""
    dialect = engine.dialect
    deferred = _drop_feedback_indexes(engine)
    converters = None
    if dialect.name == "sqlite":
        table = Feedback.__table__
        converters = [sqlite_converter(table.c[name].type, dialect) for name in FEEDBACK_COLUMNS]
    started, done, batch = time.perf_counter(), 0, []
    for row in generated(unit_ids, rows, key=key):
        if converters:
            row = tuple(v if v is None or c is None else c(v) for v, c in zip(row, converters))
        batch.append(row)
        if len(batch) >= CHUNK:
            with session_scope(engine, write=True) as session:
                write_feedback_rows(session, batch)
            done += len(batch)
            batch = []
            print(f"    {done:>10,} rows, {done / (time.perf_counter() - started):,.0f} rows/s", flush=True)
    if batch:
        with session_scope(engine, write=True) as session:
            write_feedback_rows(session, batch)
    print(f"    loaded {rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with engine.begin() as connection:
        for statement in deferred:
            connection.exec_driver_sql(statement)
    print(f"    {len(deferred)} indexes made again in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    if dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    print(f"    ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)


def _drop_feedback_indexes(engine) -> list[str]:
    """The app's secondary indexes of `feedback`, dropped for the load and returned as the statements that make
    them again exactly as the migrations made them (a bulk load builds an index once instead of row by row)."""
    if engine.dialect.name == "postgresql":
        listed = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'feedback' AND indexname LIKE 'ix_%'"
    else:
        listed = ("SELECT name, sql FROM sqlite_master "
                  "WHERE type = 'index' AND tbl_name = 'feedback' AND name LIKE 'ix_%'")
    with engine.begin() as connection:
        found = connection.execute(text(listed)).all()
        for name, _ in found:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [statement for _, statement in found]


def _count(engine) -> int:
    try:
        with session_scope(engine) as session:
            return session.exec(select(func.count()).select_from(Feedback)).one()
    except Exception:  # no schema yet
        return -1


def _upgrade(url: str) -> None:
    """A reused database gets the migrations (indexes) that came after it was made."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def _rebuild_command(given: str | None) -> str | None:
    """The app's command that rebuilds aggregates from feedback, when it has one (issue 16, part A)."""
    if given:
        return given
    shown = subprocess.run([sys.executable, "-m", "data", "--help"], cwd=ROOT, capture_output=True, text=True).stdout
    for word in shown.replace(",", " ").replace("{", " ").replace("}", " ").split():
        if word.startswith("rebuild"):
            return word
        if word in ("aggregates", "aggregate"):
            return f"{word} rebuild"
    return None


def _rebuild(url: str, command: str | None) -> None:
    if not command:
        return
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "data", *command.split()], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "VARTTI_DATABASE_URL": url})
    print(f"    `python -m data {command}`: exit {done.returncode} in {time.perf_counter() - started:.1f} s "
          f"{done.stdout.strip()[-200:]} {done.stderr.strip()[-300:]}", flush=True)


def postgres_database(admin_url: str, name: str, rows: int, units: int, reuse: bool, rebuild: str | None) -> str:
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    if reuse:
        engine = make_engine(url)
        have = _count(engine)
        engine.dispose()
        if have == rows:
            print(f"  {name}: reusing {rows:,} rows", flush=True)
            _upgrade(url)
            return url
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    print(f"  {name}: loading {rows:,} rows", flush=True)
    engine = make_engine(url)
    _load(engine, rows, units)
    engine.dispose()
    _rebuild(url, rebuild)
    return url


def sqlite_database(folder: Path, name: str, rows: int, units: int, reuse: bool, rebuild: str | None) -> str:
    path = folder / f"{name}.db"
    url = f"sqlite:///{path}"
    if reuse and path.exists():
        engine = make_engine(url)
        have = _count(engine)
        engine.dispose()
        if have == rows:
            print(f"  {path}: reusing {rows:,} rows", flush=True)
            _upgrade(url)
            return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"  {path}: loading {rows:,} rows", flush=True)
    engine = make_engine(url)
    _load(engine, rows, units)
    engine.dispose()
    _rebuild(url, rebuild)
    return url


# --- The figures -----------------------------------------------------------------------------------

def _median(runs: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(url: str, runs: int) -> dict[str, float]:
    """Seconds per figure of the issue's table (and a few more) on one database."""
    engine = make_engine(url)
    today = helsinki_date(NOW)
    with session_scope(engine) as session:
        root = session.exec(select(Unit).where(Unit.parent_id.is_(None))).one()
        area = session.exec(select(Unit).where(Unit.level == "service_area").order_by(Unit.code)).first()
    director = Viewer(subject="bench-director", name="bench", grants=(Grant(Role.DIRECTOR, root.code, root.path),))
    supervisor = Viewer(subject="bench-supervisor", name="bench", grants=(Grant(Role.SUPERVISOR, area.code, area.path),))
    screens = [Viewer(subject=f"bench-screen-{i}", name="screen", grants=(Grant(Role.TEAM, area.code, area.path),))
               for i in range(30)]

    def read(work):
        def run():
            with session_scope(engine) as session:
                return work(session)
        return run

    figures: dict[str, float] = {}
    for kind in ("quarter", "year"):
        period = calendar_period(kind, today)
        figures[f"roll-up, whole tree, a {kind}"] = _median(runs, read(lambda s, p=period, k=kind: rollup(
            s, viewer=director, unit_code=root.code, period=p, kind=k, now=NOW, settings=SETTINGS)))
    quarters = last_quarters(today, PUBLIC_QUARTERS)
    figures["public page, county figures by quarter"] = _median(runs, read(lambda s: public_figures(
        s, language="fi", quarters=quarters, min_n=SETTINGS.min_n)))
    for label, filters in (("inbox of a service area, all", InboxFilters()),
                           ("inbox of a service area, detractors", InboxFilters(nps_group="detractor")),
                           ("inbox of a service area, awaiting replies", InboxFilters(status=ReplyStatus.AWAITING)),
                           ("inbox of a service area, text search", InboxFilters(text=SEARCHED))):
        figures[label] = _median(runs, read(lambda s, f=filters: inbox(
            s, viewer=supervisor, filters=f, now=NOW, settings=SETTINGS)))
    figures["huddle board data of a service area, computed"] = _median(runs, read(lambda s: (
        huddle_board(s, viewer=screens[0], unit_code=area.code, now=NOW, settings=SETTINGS),
        board_signals(s, viewer=screens[0], unit_code=area.code, now=NOW, settings=SETTINGS))))

    def thirty_screens():
        forget_boards()
        for viewer in screens:
            with session_scope(engine) as session:
                cached_board(session, viewer=viewer, unit_code=area.code, now=NOW, settings=SETTINGS)

    figures["30 screens of one unit, one refresh each (shared board)"] = _median(runs, thirty_screens)
    with session_scope(engine) as session:
        computed = computations(session)
    figures["one screen's refresh when the board is shared (access check)"] = _median(runs, read(
        lambda s: cached_board(s, viewer=screens[1], unit_code=area.code, now=NOW, settings=SETTINGS)))
    figures[f"the unit's data revision, read once per {REVISION_SECONDS:g} s for all its screens"] = _median(
        runs, read(lambda s: data_revision(s, area)))
    with session_scope(engine) as session:
        assert computations(session) == computed, "a refresh of an unchanged board computed it again"
    engine.dispose()
    return figures


GOALS = {
    "roll-up, whole tree, a quarter": "≤ 1 s",
    "roll-up, whole tree, a year": "≤ 1 s PG / ≤ 2 s SQLite",
    "public page, county figures by quarter": "≤ 0.5 s",
    "inbox of a service area, detractors": "≤ 0.3 s",
    "inbox of a service area, text search": "≤ 0.3 s",
    "huddle board data of a service area, computed": "≤ 0.1 s",
    "30 screens of one unit, one refresh each (shared board)": "~1 × one",
}


def report(label: str, small_rows: int, big_rows: int, small: dict[str, float], big: dict[str, float]) -> None:
    print(f"\n{label}: {small_rows:,} rows vs {big_rows:,} rows (median seconds)")
    print(f"| what | {small_rows:,} rows | {big_rows:,} rows | ratio | goal at 5 000 000 |")
    print("|---|---|---|---|---|")
    for what, seconds in big.items():
        ratio = seconds / small[what] if small[what] else float("nan")
        print(f"| {what} | {small[what]:.3f} | {seconds:.3f} | {ratio:.1f}× | {GOALS.get(what, '')} |")
    computed = big["huddle board data of a service area, computed"]
    shared = big["30 screens of one unit, one refresh each (shared board)"]
    print(f"30 shared screens cost {shared / computed:.2f} × one computed board at {big_rows:,} rows", flush=True)


def county_options(description: str, rows: int) -> argparse.ArgumentParser:
    """The options of a bench that makes its own county on PostgreSQL and SQLite."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL URL whose user may create databases")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--sqlite-dir", default="/tmp")
    parser.add_argument("--reuse", action="store_true")
    return parser


def main() -> int:
    parser = county_options(__doc__.splitlines()[0], rows=5_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", default=None, help="the `python -m data` command that rebuilds aggregates")
    args = parser.parse_args()
    rebuild = _rebuild_command(args.rebuild)
    print(f"aggregates rebuilt after loading with: {('python -m data ' + rebuild) if rebuild else 'nothing (no such command)'}")
    backends = []
    if not args.skip_pg:
        backends.append(("PostgreSQL", lambda name, rows: postgres_database(args.pg, name, rows, args.units, args.reuse,
                                                                            rebuild)))
    if not args.skip_sqlite:
        backends.append(("SQLite", lambda name, rows: sqlite_database(Path(args.sqlite_dir), name, rows, args.units,
                                                                      args.reuse, rebuild)))
    for label, make in backends:
        print(f"{label}:", flush=True)
        small_url = make("vartti_scale_small", args.small)
        big_url = make("vartti_scale", args.rows)
        small = measure(small_url, args.runs)
        big = measure(big_url, args.runs)
        report(label, args.small, args.rows, small, big)
    return 0


if __name__ == "__main__":
    sys.exit(main())
