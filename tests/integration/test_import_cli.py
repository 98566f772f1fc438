"""`python -m data import` and `export` (CONTRACTS.md): one JSON line, exit codes 0/3/2, a kill leaves nothing."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from data.db import session_scope
from tests.conftest import NOW, ROOT
from tests.factories import make_tree
from tests.import_support import HETUS, identity_codes_in, native_csv, native_row, sql_count
from tests.integration.test_cli import cli  # noqa: F401  (the fixture)

SUMMARY_KEYS = ["read", "inserted", "duplicates", "conflicts", "rejected", "redacted"]


@pytest.fixture
def county(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    return engine


def _file(tmp_path, content: str | bytes, name: str = "palaute.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def test_import_prints_one_json_line_and_exits_0_then_3_with_rejects_then_2_for_junk(cli, county, tmp_path):
    good = _file(tmp_path, native_csv([native_row("a1"), native_row("a2")]))
    code, out, err = cli("import", good)
    assert code == 0 and out.count("\n") == 1
    assert list(json.loads(out)) == SUMMARY_KEYS
    assert json.loads(out) == {"read": 2, "inserted": 2, "duplicates": 0, "conflicts": 0, "rejected": 0,
                               "redacted": 0}
    assert cli("import", good)[0:2] == (0, json.dumps({"read": 2, "inserted": 0, "duplicates": 2, "conflicts": 0,
                                                       "rejected": 0, "redacted": 0}) + "\n")
    mixed = _file(tmp_path, native_csv([native_row("b1"), native_row("b2", nps="12")]), "mixed.csv")
    code, out, err = cli("import", mixed)
    assert code == 3 and json.loads(out)["rejected"] == 1
    assert "row 3, column nps: out_of_range" in err
    junk = _file(tmp_path, b"\x00\xff" * 500, "junk.csv")
    code, out, err = cli("import", junk)
    assert (code, out) == (2, "") and "nothing written" in err and "Traceback" not in err
    assert sql_count(county, "feedback") == 3


@pytest.mark.parametrize("argv, fragment", [
    (("--profile", "ei_ole"), "unknown profile"),
    (("--profile", "../../etc/passwd"), "unknown profile"),
], ids=["unknown profile", "a path as profile"])
def test_import_refuses_an_unknown_profile_with_exit_2(cli, county, tmp_path, argv, fragment):
    code, out, err = cli("import", _file(tmp_path, native_csv([native_row("a1")])), *argv)
    assert (code, out) == (2, "") and fragment in err


def test_a_dry_run_prints_the_same_summary_and_writes_nothing(cli, county, tmp_path):
    path = _file(tmp_path, native_csv([native_row("a1"), native_row("a2", unit_code="X")]))
    code, out, _ = cli("import", path, "--dry-run")
    assert code == 3 and json.loads(out)["inserted"] == 1
    assert sql_count(county, "feedback") == 0 and sql_count(county, "import_run") == 0
    assert cli("import", path)[1] == out


def test_the_nhs_export_imports_from_the_command_line_and_says_its_answer_is_not_an_nps(cli, county):
    code, out, err = cli("import", str(ROOT / "tests/fixtures/imports/nhs_fft_comments_sample.csv"),
                         "--profile", "nhs_fft")
    assert code == 3 and json.loads(out)["read"] == 300
    assert "not an NPS" in err and "all are kept on /admin" in err


def test_export_writes_neutralised_csv_to_a_file_and_refuses_an_unknown_unit(cli, county, tmp_path):
    rows = [native_row("e1", free_text="=1+1", open_answer=f"hetu {HETUS[0]}"), native_row("e2", unit_code="U3")]
    cli("import", _file(tmp_path, native_csv(rows)))
    target = tmp_path / "out.csv"
    code, out, err = cli("export", "--unit", "A", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(target))
    assert code == 0 and "exported 1 rows" in err
    exported = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["source_id"], r["free_text"], r["status"]) for r in exported] == [("e1", "'=1+1", "not_requested")]
    assert identity_codes_in(target.read_text(encoding="utf-8")) == []
    assert cli("export", "--unit", "EI-OLE")[0] == 2


def test_killing_an_import_half_way_leaves_no_row_of_the_file(county, database_url, tmp_path):
    path = _file(tmp_path, native_csv(native_row(f"k{i}", nps=str(i % 11)) for i in range(300_000)))
    env = {**os.environ, "VARTTI_DATABASE_URL": database_url}
    process = subprocess.Popen([sys.executable, "-m", "data", "import", path], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2.5)   # start-up takes about a second; the file then needs several more
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    count = sql_count(county, "feedback")
    assert count in (0, 300_000), f"{count} rows of a killed import were left behind"
    assert count == 0, "the import finished before the kill; make the file bigger"
    assert sql_count(county, "import_run") == 0


@pytest.mark.parametrize("setting, value, content, words", [
    ("VARTTI_IMPORT_MAX_ROWS", "5", native_csv(native_row(f"r{i}") for i in range(6)),
     "more than 5 rows (VARTTI_IMPORT_MAX_ROWS)"),
    ("VARTTI_IMPORT_MAX_BYTES", "1000", native_csv(native_row(f"r{i}") for i in range(20)),
     "larger than 0.001 MB (VARTTI_IMPORT_MAX_BYTES)"),
    ("VARTTI_IMPORT_MAX_COLUMNS", "10", native_csv([native_row("r1")]),
     "more than 10 columns (VARTTI_IMPORT_MAX_COLUMNS)"),
    ("VARTTI_IMPORT_MAX_CELL_CHARS", "50", native_csv([native_row("r1", free_text="x" * 51)]),
     "longer than 50 characters (VARTTI_IMPORT_MAX_CELL_CHARS)"),
    ("VARTTI_REPLY_DAYS", "14", native_csv([native_row("r1", open_answer="ystävällinen")]).encode() + b"r2,caf\xe9\r\n",
     "mixes UTF-8 and Windows-1252 (first at line 3)"),
], ids=["rows", "bytes", "columns", "cell length", "mixed encoding"])
def test_import_refuses_a_file_beyond_a_limit_set_in_the_environment_with_exit_2(
        cli, county, tmp_path, monkeypatch, setting, value, content, words):
    monkeypatch.setenv(setting, value)
    path = _file(tmp_path, content)
    for dry_run in ((), ("--dry-run",)):
        code, out, err = cli("import", path, *dry_run)
        assert (code, out) == (2, "") and "nothing written" in err and words in err and "Traceback" not in err
    assert sql_count(county, "feedback") == 0 and sql_count(county, "import_run") == 0


def test_an_unusable_import_limit_setting_is_a_configuration_error(cli, county, tmp_path, monkeypatch):
    monkeypatch.setenv("VARTTI_IMPORT_MAX_ROWS", "paljon")
    code, out, err = cli("import", _file(tmp_path, native_csv([native_row("a1")])))
    assert (code, out) == (2, "") and "VARTTI_IMPORT_MAX_ROWS" in err
    assert sql_count(county, "feedback") == 0


# --- Property: any generated file is either unusable (nothing written) or adds up ----------------

CELLS = st.one_of(
    st.sampled_from(["", "5", "11", "-1", "x", "10 - Erittäin todennäköisesti", "kyllä", "ei", "U1", "U9",
                     "2026-11-20T09:15:00", "20.11.2026", "toimipiste", "=cmd|' /C calc'!A0", "\ufeff"]),
    st.sampled_from(HETUS),
    st.text(max_size=30),
)
ROW = st.fixed_dictionaries({
    "source_id": st.sampled_from([f"p{i}" for i in range(8)]),
    "unit_code": st.sampled_from(["U1", "U2", "U3", "EI"]),
    "received_at": st.sampled_from(["2026-11-20T09:15:00", "2026-11-21", "huomenna", ""]),
    "nps": st.one_of(st.integers(-2, 12).map(str), st.just("")),
    "saatavuus": CELLS,
    "free_text": CELLS,
    "open_answer": st.text(max_size=60),
    "reply_requested": st.sampled_from(["", "1", "0", "kyllä", "nej", "joo"]),
})


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=25), delimiter=st.sampled_from([",", ";"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), junk=st.binary(max_size=20))
def test_any_generated_file_adds_up_and_never_stores_an_identity_code(county, rows, delimiter, encoding, junk):
    from data.file_reading import FileUnusable
    from data.imports import import_feedback

    source = f"prop{time.monotonic_ns()}"
    text = native_csv([native_row(**{"key": r["source_id"]}, **{k: v for k, v in r.items() if k != "source_id"},
                                  source=source) for r in rows], delimiter=delimiter)
    try:
        content = text.encode(encoding)
    except UnicodeEncodeError:
        content = text.encode("utf-8")
    content += junk if junk.startswith(b"\n") else b""
    before = sql_count(county, "feedback"), sql_count(county, "import_run")
    try:
        with session_scope(county, write=True) as session:
            summary = import_feedback(session, actor=None, content=content, file_name="p.csv", now=NOW)
    except FileUnusable:
        assert (sql_count(county, "feedback"), sql_count(county, "import_run")) == before
        return
    assert summary.read == summary.inserted + summary.duplicates + summary.conflicts + summary.rejected
    assert sql_count(county, "feedback") == before[0] + summary.inserted
    with session_scope(county, write=True) as session:
        again = import_feedback(session, actor=None, content=content, file_name="p.csv", now=NOW)
    assert again.inserted == 0 and again.read == summary.read
    assert again.duplicates == summary.inserted + summary.duplicates
    from tests.import_support import database_text
    assert identity_codes_in(database_text(county)) == []
