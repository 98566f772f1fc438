"""Where an import's time goes (not a test): one import of N generated native rows (import_bench.py's file) into a
fresh database, each step timed by wrapping the function that does it.

    .venv/bin/python tests/benchmarks/import_phases.py [--rows 50000] [--pg postgresql+psycopg://…] [--skip-pg]

Steps: reading the file (CSV to raw rows, what is left of preparing), parsing and checking (`parse_rows`, of
which screening the texts in bulk), classifying (units, of which key look-ups), staging the new rows for the
driver, then in the write transaction the insert of `feedback` and the aggregates' grouped upserts.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_bench  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from data import feedback_checks, import_pipeline, imports  # noqa: E402
from data.db import session_scope  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)


def timed(owner, name: str, label: str) -> None:
    """Replace owner.name by a wrapper that adds its time to SPENT[label]."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[label] += time.perf_counter() - started
    setattr(owner, name, wrapper)


def phases(url: str, content: bytes, rows: int, label: str) -> None:
    engine = import_bench._fresh(url)
    SPENT.clear()
    started = time.perf_counter()
    with session_scope(engine, write=True) as session:
        imports.import_feedback(session, actor=None, content=content, file_name="bench.csv", now=import_bench.NOW)
    total = time.perf_counter() - started
    engine.dispose()
    steps = [("read the file (rest of preparing)", SPENT["prepare"] - SPENT["parse"] - SPENT["classify"]
              - SPENT["stage"]),
             ("parse and check", SPENT["parse"] - SPENT["screen"]), ("  screen texts in bulk", SPENT["screen"]),
             ("classify", SPENT["classify"] - SPENT["lookup"]), ("  key look-ups", SPENT["lookup"]),
             ("stage new rows", SPENT["stage"]), ("insert feedback", SPENT["insert"]),
             ("aggregates", SPENT["aggregates"]), ("rest of storing (run, audit, commit)",
                                                   total - SPENT["prepare"] - SPENT["insert"] - SPENT["aggregates"])]
    print(f"{label}: {rows:,} new rows in {total:.2f} s ({rows / total:,.0f} rows/s)")
    for name, seconds in steps:
        print(f"  {name:40} {seconds:6.2f} s {100 * seconds / total:5.1f} %")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--pg", default=os.environ.get("VARTTI_TEST_PG_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    timed(imports, "prepare_import", "prepare")
    timed(imports, "parse_rows", "parse")
    timed(feedback_checks, "screen_many", "screen")
    timed(import_pipeline.Pipeline, "feed", "classify")
    timed(import_pipeline.Pipeline, "_existing", "lookup")
    timed(imports, "staged_rows", "stage")
    timed(imports, "write_new_rows", "insert")
    timed(imports, "count_inserted", "aggregates")
    content = import_bench.generate(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        phases(f"sqlite:///{folder}/phases.db", content, args.rows, "SQLite")
    if not args.skip_pg:
        schema = f"vartti_phases_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = make_url(args.pg).update_query_dict({"options": f"-csearch_path={schema}"})
            phases(url.render_as_string(hide_password=False), content, args.rows, "PostgreSQL")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
