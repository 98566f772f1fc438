"""Time the director's roll-up on the demo county (a benchmark, not a test).

Usage: .venv/bin/python tests/benchmarks/rollup_bench.py [--kind quarter] [--runs 5]
Uses VARTTI_DATABASE_URL (default: the demo SQLite database data/vartti.db).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import select  # noqa: E402

from board.periods import as_utc_naive, calendar_period, helsinki_date  # noqa: E402
from data.db import make_engine, session_scope  # noqa: E402
from data.models import Feedback, Unit  # noqa: E402
from data.rollup import compute_rollup, monthly_trend  # noqa: E402
from data.settings import load_settings  # noqa: E402
from auth.access import Grant, Viewer  # noqa: E402
from auth.roles import Role  # noqa: E402
import os  # noqa: E402
from sqlalchemy import func  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="quarter", choices=["week", "month", "quarter", "year"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings({k: v for k, v in os.environ.items() if k.startswith("VARTTI_")})
    engine = make_engine(settings.database_url)
    now = as_utc_naive(datetime.now(timezone.utc))
    period = calendar_period(args.kind, helsinki_date(now))
    with session_scope(engine) as session:
        root = session.exec(select(Unit).where(Unit.parent_id.is_(None))).first()
        units = session.exec(select(func.count()).select_from(Unit)).one()
        rows = session.exec(select(func.count()).select_from(Feedback)).one()
    viewer = Viewer(subject="benchmark", name="benchmark", grants=(Grant(Role.DIRECTOR, root.code, root.path),))
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        with session_scope(engine) as session:
            result = compute_rollup(session, root, period=period, kind=args.kind, now=now, settings=settings)
            monthly_trend(session, viewer=viewer, unit_code=root.code, last_day=period.last, settings=settings)
        timings.append(time.perf_counter() - started)
    print(f"{engine.dialect.name}: {units} units, {rows} feedback rows, {len(result.nodes)} nodes, "
          f"{args.kind} {period.first}–{period.last}: median {statistics.median(timings) * 1000:.0f} ms, "
          f"max {max(timings) * 1000:.0f} ms over {args.runs} runs (roll-up + monthly trend)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
