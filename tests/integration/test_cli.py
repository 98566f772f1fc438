"""`python -m data COMMAND`, driven in-process against a real database (CONTRACTS.md, command line)."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from board.periods import Period, helsinki_date
from board.stages import Stage
from data.__main__ import main
from data.db import make_engine, session_scope
from data.models import AuditEvent, Feedback, Unit
from data.schema import schema_state
from data.huddle_board import metrics_for
from data.settings import Settings
from tests.conftest import NOW
from tests.factories import add_feedback, add_theme, make_tree

UNITS_CSV = """code,parent_code,name_fi,name_sv,name_en,level
C,,Testin hyvinvointialue,,,county
A,C,Perusterveydenhuolto,,,result_area
U1,A,Keskustan terveysasema,,,unit
U2,A,Rantakylän terveysasema,,,unit
"""
CONTRACT_KEYS = {"unit", "from", "to", "n_nps", "nps", "nps_ci95", "promoters", "passives", "detractors",
                 "volume", "likert", "overdue_replies", "due_soon_replies", "in_development"}


@pytest.fixture
def cli(monkeypatch, capsys, database_url):
    """Run the command line on the test database; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_NOW", NOW.isoformat() + "+00:00")  # the state "now" is NOW's, on any day
    for name in ("VARTTI_REPLY_DAYS", "VARTTI_MIN_N"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_migrate_creates_the_schema_and_can_be_run_again(cli, database_url):
    engine = make_engine(database_url)
    try:
        assert schema_state(engine).current is None
        code, out, _ = cli("migrate")
        assert code == 0 and schema_state(engine).is_current
        assert schema_state(engine).head in out
        assert cli("migrate")[0] == 0
    finally:
        engine.dispose()


def test_units_loads_the_tree_and_prints_a_summary(cli, engine, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS_CSV, encoding="utf-8")
    code, out, err = cli("units", str(path))
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    assert json.loads(out) == {"created": 4, "updated": 0, "unchanged": 0, "deactivated": 0}
    path.write_text(UNITS_CSV.replace("U2,A,Rantakylän terveysasema,,,unit\n", ""), encoding="utf-8")
    code, out, _ = cli("units", str(path))
    assert code == 0
    assert json.loads(out) == {"created": 0, "updated": 0, "unchanged": 3, "deactivated": 1}
    with session_scope(engine) as session:
        assert {u.code: u.active for u in session.exec(select(Unit)).all()} == {
            "C": True, "A": True, "U1": True, "U2": False}
        actors = set(session.exec(select(AuditEvent.actor)).all())
    assert actors == {"cli"}


def _write_bytes(tmp_path, data: bytes):
    path = tmp_path / "units.csv"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    "make_file, fragment",
    [
        (lambda p: _write_bytes(p, UNITS_CSV.replace("U2,A,", "U2,X,").encode()), "parent 'X' is not in the file"),
        (lambda p: _write_bytes(p, UNITS_CSV.replace(",level", "").encode()), "missing columns: level"),
        (lambda p: _write_bytes(p, UNITS_CSV.encode("cp1252")), "nothing written"),
        (lambda p: str(p / "no-such-file.csv"), "nothing written"),
        (lambda p: _write_bytes(p, (UNITS_CSV + "U3,A," + "x" * 201 + ",,,unit\n").encode()),
         "name_fi is longer than 200 characters"),
    ],
    ids=["unknown parent", "missing column", "not utf-8", "missing file", "name too long for the column"],
)
def test_units_refuses_an_unusable_file_and_writes_nothing(cli, engine, tmp_path, make_file, fragment):
    code, out, err = cli("units", make_file(tmp_path))
    assert code == 2
    assert out == ""
    assert fragment in err and "Traceback" not in err
    assert _count(engine, Unit) == 0 and _count(engine, AuditEvent) == 0


def test_a_broken_file_leaves_an_existing_tree_as_it_was(cli, engine, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS_CSV, encoding="utf-8")
    assert cli("units", str(path))[0] == 0
    path.write_text(UNITS_CSV.replace("U1,A,Keskustan", "U1,A,Uusi nimi") + "U3,A,,,,unit\n", encoding="utf-8")
    assert cli("units", str(path))[0] == 2
    with session_scope(engine) as session:
        assert session.exec(select(Unit.name_fi).where(Unit.code == "U1")).one() == "Keskustan terveysasema"
    assert _count(engine, Unit) == 4 and _count(engine, AuditEvent) == 4


@pytest.fixture
def tree(engine):
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    return engine


def test_seed_demo_refuses_a_database_that_has_data(cli, tree):
    code, out, err = cli("seed-demo", "--seed", "7")
    assert code == 1 and out == ""
    assert "refused" in err and "empty database" in err
    assert _count(tree, Unit) == 7 and _count(tree, Feedback) == 0


def test_seed_demo_if_empty_leaves_a_database_with_data_alone(cli, tree):
    audit_before = _count(tree, AuditEvent)
    code, out, err = cli("seed-demo", "--if-empty")
    assert (code, err) == (0, "")
    assert "not loaded" in out
    assert _count(tree, Unit) == 7 and _count(tree, Feedback) == 0
    assert _count(tree, AuditEvent) == audit_before


@pytest.mark.parametrize(
    "argv",
    [
        ("metrics", "--unit", "C"),
        ("units", "UNITS"),
        ("seed-demo",),
        ("seed-demo", "--if-empty"),
    ],
    ids=["metrics", "units", "seed-demo", "seed-demo --if-empty"],
)
def test_a_command_on_an_unmigrated_database_says_to_migrate(cli, database_url, tmp_path, argv):
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    code, out, err = cli(*[str(units) if arg == "UNITS" else arg for arg in argv])
    assert code == 1 and out == ""
    assert "run `python -m data migrate`" in err and "Traceback" not in err
    engine = make_engine(database_url)
    try:
        assert schema_state(engine).current is None  # nothing was created behind the user's back
    finally:
        engine.dispose()


# ---------------------------------------------------------------- metrics

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture
def october(tree):
    """U1 in October 2026: 3 promoters, 1 passive, 1 detractor → NPS 40.0; and some outside it."""
    with session_scope(tree, write=True) as session:
        for score, kohtaaminen in [(10, 5), (9, 4), (10, 5), (7, 3), (2, 1)]:
            add_feedback(session, "U1", datetime(2026, 10, 15, 9, 0), nps=score, kohtaaminen=kohtaaminen)
        add_feedback(session, "U1", datetime(2026, 10, 20, 9, 0), nps=None)            # counts in volume only
        add_feedback(session, "U1", datetime(2026, 9, 30, 20, 59), nps=0)             # 30.9. 23.59 Helsinki
        add_feedback(session, "U1", datetime(2026, 10, 31, 22, 0), nps=0)             # 1.11. 0.00 Helsinki
        add_feedback(session, "U2", datetime(2026, 10, 10, 9, 0), nps=0)              # another unit
        # A reply asked for long ago and never sent: overdue whatever today is.
        add_feedback(session, "U1", datetime(2026, 1, 5, 9, 0), nps=3, reply_requested=True)
        add_theme(session, "U1", Stage.TRIAL, datetime(2026, 10, 1))
        add_theme(session, "U1", Stage.DONE, datetime(2026, 10, 1))
    return tree


def _one_json_line(out: str) -> dict:
    lines = out.splitlines()
    assert len(lines) == 1 and out.endswith("\n"), out
    return json.loads(lines[0])


def test_metrics_of_a_period_are_the_hand_counted_figures(cli, october):
    code, out, err = cli("metrics", "--unit", "U1", "--from", "2026-10-01", "--to", "2026-10-31")
    assert (code, err) == (0, "")
    data = _one_json_line(out)
    assert set(data) == CONTRACT_KEYS
    assert (data["unit"], data["from"], data["to"]) == ("U1", "2026-10-01", "2026-10-31")
    assert (data["n_nps"], data["promoters"], data["passives"], data["detractors"]) == (5, 3, 1, 1)
    assert (data["nps"], data["volume"]) == (40.0, 6)
    # Adjusted Wald: n' = 8, p' = 3.75/8, d' = 1.75/8 → 25.0 ± 54.8
    assert data["nps_ci95"] == [-29.8, 79.8]
    assert data["likert"]["kohtaaminen"] == {"n": 5, "mean": 3.6, "agree_pct": 60.0}
    assert data["likert"]["saatavuus"] == {"n": 0, "mean": None, "agree_pct": None}
    assert (data["overdue_replies"], data["due_soon_replies"], data["in_development"]) == (1, 0, 1)


@pytest.mark.parametrize(
    "code, first, last",
    [("U1", "2026-10-01", "2026-10-31"), ("A", "2026-10-01", "2026-10-31"), ("C", "2026-09-30", "2026-11-01"),
     ("U2", "2026-10-10", "2026-10-10"), ("U1", "2026-11-02", "2026-11-02")],
)
def test_metrics_prints_what_metrics_for_computes(cli, october, code, first, last):
    exit_code, out, _ = cli("metrics", "--unit", code, "--from", first, "--to", last)
    assert exit_code == 0
    with session_scope(october) as session:
        expected = metrics_for(session, unit_code=code, now=NOW, settings=Settings(),
                               period=Period(date.fromisoformat(first), date.fromisoformat(last))).as_json()
    assert _one_json_line(out) == json.loads(json.dumps(expected))


def test_metrics_of_an_area_include_its_whole_subtree(cli, october):
    data = _one_json_line(cli("metrics", "--unit", "A", "--from", "2026-10-01", "--to", "2026-10-31")[1])
    assert (data["n_nps"], data["detractors"], data["volume"]) == (6, 2, 7)
    assert data["nps"] == round(100 * (3 - 2) / 6, 1) == 16.7


def test_metrics_honours_the_small_n_setting(cli, october, monkeypatch):
    monkeypatch.setenv("VARTTI_MIN_N", "6")
    data = _one_json_line(cli("metrics", "--unit", "U1", "--from", "2026-10-01", "--to", "2026-10-31")[1])
    assert (data["n_nps"], data["nps"], data["nps_ci95"]) == (5, None, None)


def test_metrics_defaults_to_the_last_30_days(cli, october):
    code, out, _ = cli("metrics", "--unit", "U1")
    assert code == 0
    data = _one_json_line(out)
    assert set(data) == CONTRACT_KEYS
    first, last = date.fromisoformat(data["from"]), date.fromisoformat(data["to"])
    assert (last - first).days == 29
    assert last == helsinki_date(NOW)


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (("metrics", "--unit", "NOPE"), "unknown unit: NOPE"),
        (("metrics", "--unit", "U1", "--from", "2026-10-31", "--to", "2026-10-01"), "--to is before --from"),
    ],
    ids=["unknown unit", "to before from"],
)
def test_metrics_refuses_what_it_cannot_answer(cli, october, argv, fragment):
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert fragment in err and "Traceback" not in err


def test_metrics_of_a_deactivated_unit_is_an_unknown_unit(cli, october, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,parent_code,name_fi,name_sv,name_en,level\n"
                    "C,,Testin hyvinvointialue,,,county\n", encoding="utf-8")
    assert cli("units", str(path))[0] == 0
    code, _, err = cli("metrics", "--unit", "U1")
    assert code == 2 and "unknown unit: U1" in err


@pytest.mark.parametrize("argv", [("metrics", "--unit", "U1", "--from", "1.10.2026"),
                                  ("metrics", "--unit", "U1", "--to", "2026-02-30"),
                                  ("metrics",),
                                  ("nonsense",)],
                         ids=["Finnish date", "no such day", "no unit", "unknown command"])
def test_a_malformed_command_line_is_a_usage_error(cli, capsys, argv):
    with pytest.raises(SystemExit) as raised:
        cli(*argv)
    assert raised.value.code == 2
    assert "usage: python -m data" in capsys.readouterr().err


# ---------------------------------------------------------------- an unusable database

@pytest.mark.parametrize("argv", [("migrate",), ("metrics", "--unit", "C"), ("seed-demo", "--if-empty")])
def test_an_unreachable_postgresql_is_a_clear_error_without_the_password(monkeypatch, capsys, argv):
    # Port 1 on the loopback: refused at once, nothing leaves the machine.
    monkeypatch.setenv("VARTTI_DATABASE_URL", "postgresql+psycopg://vartti:Salainen-42@127.0.0.1:1/vartti")
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "cannot use the database postgresql+psycopg://vartti:***@127.0.0.1:1/vartti" in err
    assert "Salainen-42" not in err and "Traceback" not in err


def test_a_sqlite_file_that_cannot_be_created_is_a_clear_error(monkeypatch, capsys, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("VARTTI_DATABASE_URL", f"sqlite:///{blocker / 'vartti.db'}")
    code = main(["migrate"])
    _, err = capsys.readouterr()
    assert code != 0 and "Traceback" not in err
    assert "vartti.db" in err


@pytest.mark.parametrize("name, value", [("VARTTI_MIN_N", "viisi"), ("VARTTI_REPLY_DAYS", "0")])
def test_a_bad_setting_is_named(monkeypatch, capsys, tmp_path, name, value):
    monkeypatch.setenv("VARTTI_DATABASE_URL", f"sqlite:///{tmp_path / 'vartti.db'}")
    monkeypatch.setenv(name, value)
    code = main(["migrate"])
    assert code == 2 and name in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, code",
    [
        (["grant", "3f2a-group", "--role", "admin", "--unit", "C"], 0),
        (["grant", "anna@example.fi", "--role", "team", "--unit", "U1"], 0),
        (["grant", "3f2a-group", "--role", "boss", "--unit", "C"], 2),
        (["grant", "3f2a-group", "--role", "admin", "--unit", "NOPE"], 2),
        (["grant", " ", "--role", "admin", "--unit", "C"], 2),
    ],
)
def test_grant_makes_the_first_admin_and_refuses_unknown_roles_and_units(database_url, engine, monkeypatch,
                                                                         capsys, argv, code):
    from sqlmodel import select

    from data.db import session_scope
    from data.models import AccessGrant, AuditEvent
    from tests.conftest import NOW
    from tests.factories import make_tree

    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
    assert main(argv) == code
    assert main(argv) == code  # idempotent: a second run adds nothing
    with session_scope(engine) as session:
        grants = session.exec(select(AccessGrant)).all()
        audits = session.exec(select(AuditEvent).where(AuditEvent.action == "grant.add")).all()
    assert len(grants) == len(audits) == (1 if code == 0 else 0)
    if code == 0:
        assert (grants[0].principal, grants[0].role, grants[0].created_by) == (argv[1], argv[3], "cli")
    else:
        assert "Traceback" not in capsys.readouterr().err
