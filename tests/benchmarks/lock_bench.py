"""How long an import holds SQLite's write lock (not a test): N native rows, old shape vs two steps.

    .venv/bin/python tests/benchmarks/lock_bench.py [--rows 50000]

"one transaction" is the shape before: the whole import inside one BEGIN IMMEDIATE. "two steps" is
`import_file`: prepared in a read transaction, then stored in one write transaction; only that one
holds the lock. Each is timed on a fresh temporary database.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from data.db import make_engine, session_scope  # noqa: E402
from data.imports import prepare_import, store_import  # noqa: E402
from data.organisation import upsert_units  # noqa: E402
from data.schema import upgrade  # noqa: E402
from tests.benchmarks.import_bench import NOW, generate, tree  # noqa: E402


def fresh(folder: str, name: str):
    engine = make_engine(f"sqlite:///{folder}/{name}.db")
    upgrade(engine)
    with session_scope(engine, write=True) as session:
        upsert_units(session, tree(), actor="bench", now=NOW)
    return engine


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    content = generate(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh(folder, "one")
        started = time.perf_counter()
        with session_scope(engine, write=True) as session:
            prepared = prepare_import(session, actor=None, content=content, file_name="bench.csv")
            store_import(session, actor=None, prepared=prepared, now=NOW)
        print(f"one transaction: write lock held {time.perf_counter() - started:6.2f} s for {args.rows:,} rows")
        engine = fresh(folder, "two")
        started = time.perf_counter()
        with session_scope(engine) as session:
            prepared = prepare_import(session, actor=None, content=content, file_name="bench.csv")
        prepared_in = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope(engine, write=True) as session:
            store_import(session, actor=None, prepared=prepared, now=NOW)
        print(f"two steps:       prepared in {prepared_in:6.2f} s without the lock, "
              f"write lock held {time.perf_counter() - started:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
