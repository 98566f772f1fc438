"""Shared wall board benchmark (not a test): one unit's 30 screens refreshing while other units are edited.

    .venv/bin/python tests/benchmarks/shared_board.py [--rows 200000] [--units 1000] [--minutes 3]
        [--screens 30] [--reps 200] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--skip-pg] [--skip-sqlite] [--sqlite-dir /tmp] [--reuse]

Makes its own county with scale_bench.py's loader (`vartti_shared_board` on PostgreSQL, dropped and made
again; `vartti_shared_board.db` in --sqlite-dir), so it never touches the scale bench's databases. Then,
for a service area's board and its --screens screens (each refresh in its own session, as a page's rerun):
--minutes minutes (the clock pinned, moved one minute at a time) of one refresh of every screen, and
between every two refreshes one edit elsewhere, committed through the app's services — in turn a sign-in
and a reply marked in a unit of another result area. A board must be computed once a minute; every
other computation is the revision's doing. It prints the boards computed and the seconds spent
refreshing (the edits not counted), with the data revision as it is (`scoped`) and as it was before
(`global`: the newest audit and feedback ids of the whole database, put back for the run), and what one
shared refresh spends where (medians of --reps): the session (pool checkout with its pre-ping, begin,
commit), the unit with its revision (now one statement), and before: the unit, the revision.
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, text  # noqa: E402
from sqlmodel import select  # noqa: E402

import data.board_cache as board_cache  # noqa: E402
from auth.access import Grant, Viewer  # noqa: E402
from auth.roles import Permission, Role  # noqa: E402
from data.access import record_sign_in  # noqa: E402
from data.db import make_engine, session_scope  # noqa: E402
from data.handling import mark_replied  # noqa: E402
from data.models import AuditEvent, Feedback, Unit  # noqa: E402
from data.organisation import unit_by_code  # noqa: E402
from data.units import unit_for  # noqa: E402
from tests.benchmarks.scale_bench import (  # noqa: E402
    NOW, SETTINGS, _rebuild_command, county_options, postgres_database, sqlite_database)

SCOPED = board_cache.data_revision
UNIT_AND_SCOPED = board_cache._unit_and_revision


def global_revision(session, _unit) -> tuple[int, int]:
    """The revision before issue 16's change: the whole database's newest audit and feedback rows."""
    return session.exec(select(select(func.max(AuditEvent.id)).scalar_subquery(),
                               select(func.max(Feedback.id)).scalar_subquery())).one()


def unit_and_global_revision(session, code: str):
    """What a shared refresh read before: the unit (one statement), then the global revision (another)."""
    unit = unit_by_code(session, code.strip())
    return unit, tuple(global_revision(session, unit))


def _units(engine):
    with session_scope(engine) as session:
        areas = session.exec(select(Unit).where(Unit.level == "service_area").order_by(Unit.code)).all()
        area = areas[0]
        # Units of another result area: their edits are never on this area's board.
        result_area = "/" + "/".join(area.path.strip("/").split("/")[:2]) + "/"
        elsewhere = session.exec(select(Unit).where(Unit.level == "unit", ~Unit.path.startswith(result_area))
                                 .order_by(Unit.id)).all()
    return area, elsewhere


def _awaiting(engine, units: list[Unit], count: int) -> list[tuple[Unit, int, int]]:
    with session_scope(engine) as session:
        found = []
        for unit in units:
            row = session.exec(select(Feedback.id, Feedback.version).where(
                Feedback.unit_id == unit.id, Feedback.reply_requested, Feedback.replied_at.is_(None),
                Feedback.no_reply_reason.is_(None)).limit(1)).first()
            if row:
                found.append((unit, row[0], row[1]))
            if len(found) == count:
                break
    return found


def _edit(engine, round_no: int, awaiting: list[tuple[Unit, int, int]]) -> None:
    """One edit elsewhere, through the app's services, in its own transaction."""
    with session_scope(engine, write=True) as session:
        if round_no % 2 == 0:
            who = Viewer(subject=f"bench-editor-{round_no}", name="editor", grants=())
            record_sign_in(session, viewer=who, now=NOW)
            return
        unit, feedback_id, version = awaiting[round_no // 2]
        supervisor = Viewer(subject="bench-supervisor", name="editor",
                            grants=(Grant(Role.SUPERVISOR, unit.code, unit.path),))
        mark_replied(session, viewer=supervisor, feedback_id=feedback_id, seen_version=version,
                     replied_at=NOW - timedelta(minutes=5), now=NOW)


def minutes(engine, area: Unit, elsewhere: list[Unit], minutes_n: int, screens_n: int) -> tuple[int, float, int]:
    """Boards computed, seconds spent refreshing, and refreshes: --minutes minutes of one refresh of every
    screen, with one edit elsewhere between every two refreshes (not timed)."""
    screens = [Viewer(subject=f"bench-screen-{i}", name="screen", grants=(Grant(Role.TEAM, area.code, area.path),))
               for i in range(screens_n)]
    awaiting = _awaiting(engine, elsewhere, minutes_n * screens_n // 2 + 1)
    board_cache.forget_boards()
    with session_scope(engine) as session:
        before = board_cache.computations(session)
    seconds, edits = 0.0, 0
    for minute in range(minutes_n):
        now = NOW + timedelta(minutes=minute)
        for number, viewer in enumerate(screens):
            if number:
                _edit(engine, edits, awaiting)
                edits += 1
            started = time.perf_counter()
            with session_scope(engine) as session:
                board_cache.cached_board(session, viewer=viewer, unit_code=area.code, now=now, settings=SETTINGS)
            seconds += time.perf_counter() - started
    with session_scope(engine) as session:
        computed = board_cache.computations(session) - before
    return computed, seconds, minutes_n * screens_n


def _median_ms(reps: int, work) -> float:
    timings = []
    for _ in range(reps):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def breakdown(engine, url: str, area: Unit, reps: int) -> dict[str, float]:
    """Milliseconds of one shared refresh and of its parts (medians)."""
    viewer = Viewer(subject="bench-screen", name="screen", grants=(Grant(Role.TEAM, area.code, area.path),))
    board_cache.forget_boards()
    with session_scope(engine) as session:
        board_cache.cached_board(session, viewer=viewer, unit_code=area.code, now=NOW, settings=SETTINGS)

    def in_session(work):
        def run():
            with session_scope(engine) as session:
                work(session)
        return run

    figures = {
        "shared refresh, whole (session + unit + revision + cache)": _median_ms(reps, in_session(
            lambda s: board_cache.cached_board(s, viewer=viewer, unit_code=area.code, now=NOW, settings=SETTINGS))),
        "session with one trivial statement (checkout, begin, SELECT 1, commit)": _median_ms(reps, in_session(
            lambda s: s.exec(select(1)).one())),
    }
    with session_scope(engine) as session:
        unit = unit_for(session, viewer, Permission.VIEW_HUDDLE, area.code)
        figures["now: the unit and its scoped revision, one statement, in an open session"] = _median_ms(
            reps, lambda: SCOPED(session, unit))
        figures["before: the unit and access check (unit_for), in an open session"] = _median_ms(
            reps, lambda: unit_for(session, viewer, Permission.VIEW_HUDDLE, area.code))
        figures["before: the global revision, in an open session"] = _median_ms(
            reps, lambda: global_revision(session, unit))
    if engine.dialect.name == "postgresql":
        plain = create_engine(url)  # as make_engine's, without pool_pre_ping
        figures["session with one trivial statement, no pre-ping"] = _median_ms(reps, in_session_on(plain))
        plain.dispose()
    return figures


def in_session_on(engine):
    def run():
        with session_scope(engine) as session:
            session.exec(select(1)).one()
    return run


def measure(label: str, url: str, args) -> None:
    engine = make_engine(url)
    area, elsewhere = _units(engine)
    with engine.connect() as connection:
        units = connection.execute(text("SELECT count(*) FROM unit")).scalar()
    print(f"\n{label}: board of {area.code} ({area.level}), {units} units, {args.rows:,} rows, "
          f"load average {Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
    print(f"| revision | {args.minutes} minutes × {args.screens} screens, an edit elsewhere between every two "
          "refreshes: boards computed | seconds refreshing | ms per refresh |")
    print("|---|---|---|---|")
    for name, reading in (("global (before)", unit_and_global_revision), ("scoped (now)", UNIT_AND_SCOPED)):
        board_cache._unit_and_revision = reading  # the one seam cached_board reads the unit and revision through
        try:
            computed, seconds, refreshes = minutes(engine, area, elsewhere, args.minutes, args.screens)
        finally:
            board_cache._unit_and_revision = UNIT_AND_SCOPED
        print(f"| {name} | {computed} | {seconds:.2f} | {seconds / refreshes * 1000:.2f} |", flush=True)
    print("| part of one shared refresh | median ms |")
    print("|---|---|")
    for what, ms in breakdown(engine, url, area, args.reps).items():
        print(f"| {what} | {ms:.3f} |", flush=True)
    print(f"load average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    engine.dispose()


def main() -> int:
    parser = county_options(__doc__.splitlines()[0], rows=200_000)
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument("--screens", type=int, default=30)
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()
    rebuild = _rebuild_command(None)  # the aggregates the board reads, as scale_bench.py makes them
    if not args.skip_pg:
        measure("PostgreSQL", postgres_database(args.pg, "vartti_shared_board", args.rows, args.units, args.reuse,
                                                rebuild), args)
    if not args.skip_sqlite:
        measure("SQLite", sqlite_database(Path(args.sqlite_dir), "vartti_shared_board", args.rows, args.units,
                                          args.reuse, rebuild), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
