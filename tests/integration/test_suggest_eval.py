"""`python -m data suggest-eval` and `python -m data suggestions train` (the bar itself is measured by
tests/benchmarks/suggest_eval.py, not asserted here)."""
from __future__ import annotations

import csv
import json

import pytest

from data.__main__ import main
from data.db import session_scope
from data.schema import upgrade
from data.db import make_engine
from tests.conftest import NOW
from tests.factories import make_tree
from tests.integration.test_topics import tagged_history

COLUMNS = ["id", "trust", "date", "question", "text", "labels", "sentiment"]
PHRASES = {
    "Food & drink": ["the food was cold", "lovely meals and drinks", "food was tasty", "no choice of food",
                     "the dinner was late and cold", "good breakfast", "meals were bland", "more drinks please"],
    "Parking": ["no parking spaces", "parking was expensive", "could not park the car", "car park full",
                "parking too far away", "free parking would help", "parking machine broken", "easy to park"],
    "Staff manner": ["staff were rude", "kind and friendly nurses", "the doctor was polite", "rude receptionist",
                     "friendly staff", "staff were caring", "unfriendly nurse", "the team were lovely"],
}


def labelled_rows(prefix: str, labelled: bool = True) -> list[dict]:
    rows = []
    for label, phrases in PHRASES.items():
        for number, phrase in enumerate(phrases):
            rows.append({"id": f"{prefix}{label[:3]}{number}", "trust": "T", "date": "01/01/2024",
                         "question": "FFT Why?", "text": phrase, "labels": label if labelled else "",
                         "sentiment": "2"})
    return rows


def write_csv(path, rows, columns=COLUMNS) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def run(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("VARTTI_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_suggest_eval_predicts_every_test_row_and_prints_its_figures(run, tmp_path):
    write_csv(tmp_path / "train.csv", labelled_rows("a") + labelled_rows("b"))
    test_rows = [{**row, "text": row["text"] + " today"} for row in labelled_rows("t")]
    write_csv(tmp_path / "test.csv", test_rows)
    code, out, _ = run("suggest-eval", "--train", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"),
                       "--out", str(tmp_path / "predictions.csv"))
    summary = json.loads(out.strip().splitlines()[-1])
    assert code == 0
    assert summary["train"] == 48 and summary["test"] == 24 and summary["labels"] == 3
    assert 0.5 < summary["micro_f1"] <= 1 and 0 < summary["macro_f1"] <= 1
    predictions = list(csv.DictReader((tmp_path / "predictions.csv").open(encoding="utf-8")))
    assert [row["id"] for row in predictions] == [row["id"] for row in test_rows]
    assert all(row["labels"] and set(row["labels"].split("|")) <= set(PHRASES) for row in predictions)


@pytest.mark.parametrize("columns", [COLUMNS, [c for c in COLUMNS if c != "labels"]], ids=["empty", "absent"])
def test_suggest_eval_without_test_labels_predicts_and_prints_no_figures(run, tmp_path, columns):
    write_csv(tmp_path / "train.csv", labelled_rows("a"))
    write_csv(tmp_path / "test.csv", labelled_rows("t", labelled=False), columns)
    code, out, _ = run("suggest-eval", "--train", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"),
                       "--out", str(tmp_path / "predictions.csv"))
    assert code == 0 and set(json.loads(out)) == {"train", "test", "labels"}


@pytest.mark.parametrize("content", ["", "id,question\n1,x\n", "\xff\xfe\x00garbage"], ids=["empty", "no-text", "binary"])
def test_suggest_eval_refuses_an_unusable_file(run, tmp_path, content):
    write_csv(tmp_path / "train.csv", labelled_rows("a"))
    (tmp_path / "test.csv").write_bytes(content.encode("latin-1"))
    code, out, err = run("suggest-eval", "--train", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"),
                         "--out", str(tmp_path / "predictions.csv"))
    assert code == 2 and out == "" and "unusable" in err


def test_suggestions_train_refuses_too_few_tags_then_trains(monkeypatch, capsys, database_url):
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_NOW", NOW.isoformat() + "+00:00")
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    assert main(["suggestions", "train"]) == 1
    with session_scope(engine, write=True) as session:
        tagged_history(session)
    capsys.readouterr()
    assert main(["suggestions", "train", "--no-figures"]) == 0
    assert json.loads(capsys.readouterr().out) == {"model": 1, "examples": 30, "topics": 3}
    engine.dispose()
