"""`python -m data suggest-eval`: train topic suggestions on one labelled CSV, predict another.

The CSVs have the columns of shared/reference/nhs_fft_labelled_train.csv
(`id, trust, date, question, text, labels, sentiment`; labels joined with `|`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from board.topics import label_counts, macro_f1, micro_f1
from data.topic_model import Example, Settings, train

REQUIRED = {"id", "text"}
SEPARATOR = "|"


class EvalFileUnusable(Exception):
    pass


@dataclass(frozen=True)
class Row:
    id: str
    example: Example
    labels: set[str]


def read_rows(text: str, *, language: str = "en") -> list[Row]:
    """The labelled comments of a CSV; a file without `id` and `text` columns is unusable."""
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    if not REQUIRED <= columns:
        raise EvalFileUnusable(f"missing columns: {', '.join(sorted(REQUIRED - columns))}")
    rows = []
    for record in reader:
        labels = {label.strip() for label in (record.get("labels") or "").split(SEPARATOR) if label.strip()}
        example = Example(text=record.get("text") or "", question=record.get("question") or "",
                          sentiment=record.get("sentiment") or "",
                          language=(record.get("language") or language).strip() or language)
        rows.append(Row(record["id"], example, labels))
    return rows


def evaluate(train_rows: list[Row], test_rows: list[Row], out, settings: Settings = Settings()) -> dict:
    """Train on train_rows only, write `id,labels` for every test row, return the summary."""
    train_rows = [row for row in train_rows if row.labels]
    model = train([row.example for row in train_rows], [row.labels for row in train_rows], settings)
    suggestions = model.suggest([row.example for row in test_rows]) if test_rows else []
    predicted = [{topic for topic, _ in row_suggestions} for row_suggestions in suggestions]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "labels"])
    for row, topics in zip(test_rows, suggestions):
        writer.writerow([row.id, SEPARATOR.join(topic for topic, _ in topics)])
    summary = {"train": len(train_rows), "test": len(test_rows), "labels": len(model.topics)}
    # The figures are over the test rows that carry labels (an unlabelled row has nothing to check).
    scored = [(row.labels, topics) for row, topics in zip(test_rows, predicted) if row.labels]
    if scored:
        truth, guessed = [t for t, _ in scored], [p for _, p in scored]
        summary["micro_f1"] = round(micro_f1(truth, guessed), 4)
        summary["macro_f1"] = round(macro_f1(truth, guessed, label_counts([r.labels for r in train_rows])), 4)
    return summary
