"""Measure topic suggestions against the bar of issue 19 (a benchmark, not a test).

Splits shared/reference/nhs_fft_labelled_train.csv with a fixed seed into TRAIN (80 %) and a held-out
TEST (20 %), runs `python -m data suggest-eval` on them and prints its JSON line with the time taken.
`--dev` splits TRAIN again (seed 7, or `--dev-seed N`) for tuning, so the held-out part is never tuned on;
one 657-comment dev split moves macro-F1 by ±0.02, so a choice is checked on several dev seeds.

Usage: .venv/bin/python tests/benchmarks/suggest_eval.py [--reference PATH] [--seed 19] [--dev [--dev-seed 7]]
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "nhs_fft_labelled_train.csv"
HELD_OUT_SEED, DEV_SEED = 19, 7


def split(rows: list[dict], seed: int, share: float = 0.2) -> tuple[list[dict], list[dict]]:
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    cut = round(len(shuffled) * share)
    return shuffled[cut:], shuffled[:cut]


def write(rows: list[dict], path: Path, columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument("--dev", action="store_true", help="measure on a split of TRAIN (for tuning)")
    parser.add_argument("--dev-seed", type=int, default=DEV_SEED, help="the seed of the split of TRAIN (with --dev)")
    args = parser.parse_args()
    text = args.reference.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows, columns = list(reader), reader.fieldnames
    train, test = split(rows, args.seed)
    if args.dev:
        train, test = split(train, args.dev_seed)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write(train, folder / "train.csv", columns)
        write(test, folder / "test.csv", columns)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "data", "suggest-eval", "--train", str(folder / "train.csv"),
                                 "--test", str(folder / "test.csv"), "--out", str(folder / "predictions.csv")],
                                cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    print(result.stdout.strip() or result.stderr.strip())
    print(f"{'dev' if args.dev else 'held-out'} split (seed {args.seed}{f', dev seed {args.dev_seed}' if args.dev else ''}): "
          f"train {len(train)}, test {len(test)}; suggest-eval took {seconds:.0f} s")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
