"""The organisation tree from the units file: reading, creating, updating, moving, deactivating."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from board.periods import Period
from data.db import session_scope
from data.metrics import feedback_figures
from data.models import AuditEvent, Feedback, Unit
from data.organisation import (
    UnitFileError,
    UnitRow,
    UnitsSummary,
    active_units,
    read_unit_rows,
    unit_by_code,
    upsert_units,
)
from data.units import UnknownUnit, find_unit
from tests.conftest import NOW
from tests.factories import TREE, add_feedback

HEADER = "code,parent_code,name_fi,name_sv,name_en,level"
GOOD = f"""{HEADER}
C,,Testin hyvinvointialue,Välfärdsområdet Test,Test county,county
A,C,Perusterveydenhuolto,Primärvård,Primary care,result_area
S,A,"Terveysasemat, vastaanotot",Hälsostationer,Health stations,service_area
U1,S,Keskustan terveysasema,,,unit
"""
GOOD_ROWS = [
    UnitRow("C", "", "Testin hyvinvointialue", "Välfärdsområdet Test", "Test county", "county"),
    UnitRow("A", "C", "Perusterveydenhuolto", "Primärvård", "Primary care", "result_area"),
    UnitRow("S", "A", "Terveysasemat, vastaanotot", "Hälsostationer", "Health stations", "service_area"),
    UnitRow("U1", "S", "Keskustan terveysasema", "", "", "unit"),
]


SEMICOLONS = """code;parent_code;name_fi;name_sv;name_en;level
C;;Testin hyvinvointialue;Välfärdsområdet Test;Test county;county
A;C;Perusterveydenhuolto;Primärvård;Primary care;result_area
S;A;Terveysasemat, vastaanotot;Hälsostationer;Health stations;service_area
U1;S;Keskustan terveysasema;;;unit
"""


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        SEMICOLONS,
        "\ufeff" + GOOD,
        "\ufeff" + SEMICOLONS.replace("\n", "\r\n"),
        GOOD.replace("U1,S,Keskustan", "  U1 , S ,Keskustan") + "\n\n",
        "level,code,name_en,name_fi,parent_code,name_sv\n"
        "county,C,Test county,Testin hyvinvointialue,,Välfärdsområdet Test\n"
        "result_area,A,Primary care,Perusterveydenhuolto,C,Primärvård\n"
        'service_area,S,Health stations,"Terveysasemat, vastaanotot",A,Hälsostationer\n'
        "unit,U1,,Keskustan terveysasema,S,\n",
    ],
    ids=["comma", "semicolon", "comma with BOM", "semicolon with BOM and CRLF",
         "spaces and blank lines", "columns in another order"],
)
def test_a_good_units_file_is_read_whatever_its_dialect(text):
    assert read_unit_rows(text) == GOOD_ROWS


@pytest.mark.parametrize(
    "text, fragment",
    [
        (GOOD.replace(",level", ",taso"), "missing columns: level"),
        (GOOD.replace("name_sv,name_en,", ""), "missing columns: name_sv, name_en"),
        (HEADER + "\n", "no units"),
        ("", "missing columns"),
        (GOOD + "U1,S,Toinen,,,unit\n", "line 6: code 'U1' appears twice"),
        (GOOD + "U2,X,Jokin,,,unit\n", "U2: parent 'X' is not in the file"),
        (GOOD + "C2,,Toinen alue,,,county\n", "exactly one root (empty parent_code), found 2"),
        (GOOD.replace("C,,", "C,U1,"), "exactly one root (empty parent_code), found 0"),
        (GOOD + "U2,S,Jokin,,,yksikkö\n", "line 6: level 'yksikkö' is not one of county, result_area"),
        (GOOD + "U2,S,Jokin,,,Unit\n", "level 'Unit' is not one of"),
        (GOOD + "A2,U1,Jokin,,,result_area\n", "A2: a result_area cannot be under a unit"),
        (GOOD + "U2,U1,Jokin,,,unit\n", "U2: a unit cannot be under a unit"),
        (GOOD + "U2,S,,Något,,unit\n", "line 6: name_fi is empty"),
        (GOOD + "U2,S,  ,Något,,unit\n", "line 6: name_fi is empty"),
        (GOOD + "U/2,S,Jokin,,,unit\n", "line 6: code 'U/2' must be 1–40 characters without '/'"),
        (GOOD + ",S,Jokin,,,unit\n", "line 6: code '' must be 1–40 characters"),
        (GOOD + "U" * 41 + ",S,Jokin,,,unit\n", "must be 1–40 characters"),
        (GOOD + "U2,U2,Jokin,,,unit\n", "a unit cannot be its own parent"),
        (GOOD + "U2,S," + "x" * 201 + ",,,unit\n", "name_fi is longer than 200 characters"),
        (GOOD + "U2,S,Jokin," + "x" * 201 + ",,unit\n", "name_sv is longer than 200 characters"),
    ],
    ids=["missing level", "missing two columns", "header only", "empty file", "duplicate code",
         "unknown parent", "two roots", "no root", "bad level", "level in capitals", "child above parent",
         "child level equal to parent", "empty name_fi", "blank name_fi", "code with slash", "empty code",
         "code too long", "own parent", "name_fi too long", "name_sv too long"],
)
def test_an_unusable_units_file_is_refused_with_the_reason(text, fragment):
    with pytest.raises(UnitFileError) as raised:
        read_unit_rows(text)
    assert fragment in str(raised.value)


def test_every_problem_of_a_file_is_reported_at_once():
    text = GOOD + "U1,S,,,,unit\nU3,X,Jokin,,,ward\n"
    with pytest.raises(UnitFileError) as raised:
        read_unit_rows(text)
    message = str(raised.value)
    for fragment in ("line 6: code 'U1' appears twice", "line 6: name_fi is empty",
                     "line 7: level 'ward'", "U3: parent 'X' is not in the file"):
        assert fragment in message


# ---------------------------------------------------------------- writing the tree

LATER = datetime(2026, 11, 24, 8, 0)


def _units(session) -> dict[str, Unit]:
    return {unit.code: unit for unit in session.exec(select(Unit)).all()}


def _audit(session, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.exec(query).all())


def _with(rows: list[UnitRow], code: str, **changes) -> list[UnitRow]:
    return [UnitRow(**{**row.__dict__, **changes}) if row.code == code else row for row in rows]


@pytest.fixture
def tree(session):
    summary = upsert_units(session, TREE, actor="test", now=NOW)
    assert summary == UnitsSummary(created=7, updated=0, unchanged=0, deactivated=0)
    return session


def test_a_new_tree_is_created_with_paths_from_the_root(tree):
    units = _units(tree)
    assert {code: unit.level for code, unit in units.items()} == {row.code: row.level for row in TREE}
    c, a, s, u1 = units["C"], units["A"], units["S"], units["U1"]
    assert c.parent_id is None and u1.parent_id == s.id
    assert u1.path == f"/{c.id}/{a.id}/{s.id}/{u1.id}/"
    assert units["U3"].path == f"/{c.id}/{units['B'].id}/{units['U3'].id}/"
    assert all(unit.active for unit in units.values())
    created = _audit(tree, "unit.create")
    assert sorted(event.entity_id for event in created) == sorted(row.code for row in TREE)
    assert all(event.actor == "test" and event.at == NOW and event.before is None for event in created)


def test_loading_the_same_file_again_changes_nothing(tree):
    paths = {code: unit.path for code, unit in _units(tree).items()}
    events = len(_audit(tree))
    summary = upsert_units(tree, TREE, actor="test", now=LATER)
    assert summary == UnitsSummary(created=0, updated=0, unchanged=7, deactivated=0)
    assert len(_audit(tree)) == events
    assert {code: unit.path for code, unit in _units(tree).items()} == paths


def test_a_renamed_unit_is_updated_and_audited_with_before_and_after(tree):
    rows = _with(TREE, "U1", name_fi="Keskustan terveysasema ja neuvola", name_sv="Centrums hälsostation")
    summary = upsert_units(tree, rows, actor="admin@example.fi", now=LATER)
    assert summary == UnitsSummary(created=0, updated=1, unchanged=6, deactivated=0)
    assert unit_by_code(tree, "U1").name_fi == "Keskustan terveysasema ja neuvola"
    [event] = _audit(tree, "unit.update")
    assert (event.actor, event.at, event.entity, event.entity_id) == ("admin@example.fi", LATER, "unit", "U1")
    assert event.unit_id == unit_by_code(tree, "U1").id
    assert (event.before["name_fi"], event.after["name_fi"]) == (
        "Keskustan terveysasema", "Keskustan terveysasema ja neuvola")
    assert (event.before["name_sv"], event.after["name_sv"]) == ("", "Centrums hälsostation")


def test_the_audit_trail_survives_the_commit(engine):
    # before/after are JSON columns: what was written must come back as written on both backends.
    with session_scope(engine, write=True) as session:
        upsert_units(session, TREE, actor="test", now=NOW)
    with session_scope(engine, write=True) as session:
        upsert_units(session, _with(TREE, "U2", parent_code="B"), actor="test", now=LATER)
    with session_scope(engine) as session:
        [event] = _audit(session, "unit.update")
        units = _units(session)
        assert event.before == {"parent_id": units["S"].id, "name_fi": "Rantakylän terveysasema",
                                "name_sv": "", "name_en": "", "level": "unit", "active": True}
        assert event.after == {**event.before, "parent_id": units["B"].id}


# Feedback: U1 3, U2 2, U3 1 inside the period.
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 23))


@pytest.fixture
def with_feedback(tree):
    for code, count in (("U1", 3), ("U2", 2), ("U3", 1)):
        for i in range(count):
            add_feedback(tree, code, datetime(2026, 11, 10, 10, i), nps=10)
    return tree


def _volumes(session, *codes) -> dict[str, int]:
    return {code: feedback_figures(session, unit_by_code(session, code), PERIOD, min_n=1).volume
            for code in codes}


@pytest.mark.parametrize(
    "moved, new_parent, volumes",
    [
        ("U2", "B", {"C": 6, "A": 3, "S": 3, "U1": 3, "U2": 2, "B": 3, "U3": 1}),
        ("S", "B", {"C": 6, "A": 0, "S": 5, "U1": 3, "U2": 2, "B": 6, "U3": 1}),
        ("U3", "S", {"C": 6, "A": 6, "S": 6, "U1": 3, "U2": 2, "B": 0, "U3": 1}),
    ],
    ids=["a unit to another area", "a service area with its units", "a unit deeper"],
)
def test_a_moved_unit_takes_its_subtree_and_its_figures_along(with_feedback, moved, new_parent, volumes):
    session = with_feedback
    assert _volumes(session, "C", "A", "B") == {"C": 6, "A": 5, "B": 1}
    summary = upsert_units(session, _with(TREE, moved, parent_code=new_parent), actor="test", now=LATER)
    assert summary == UnitsSummary(created=0, updated=1, unchanged=6, deactivated=0)
    units = _units(session)
    for unit in units.values():  # every path is its parent's path plus its own id
        parent = next((p for p in units.values() if p.id == unit.parent_id), None)
        assert unit.path == (parent.path if parent else "/") + f"{unit.id}/"
    assert units[moved].parent_id == units[new_parent].id
    assert _volumes(session, *volumes) == volumes


def test_moved_paths_are_stored_not_only_in_the_session(engine):
    with session_scope(engine, write=True) as session:
        upsert_units(session, TREE, actor="test", now=NOW)
        add_feedback(session, "U1", datetime(2026, 11, 10, 10, 0), nps=10)
    with session_scope(engine, write=True) as session:
        upsert_units(session, _with(TREE, "S", parent_code="B"), actor="test", now=LATER)
    with session_scope(engine) as session:
        units = _units(session)
        assert units["U1"].path == f"/{units['C'].id}/{units['B'].id}/{units['S'].id}/{units['U1'].id}/"
        assert _volumes(session, "A", "B") == {"A": 0, "B": 1}


def test_a_unit_missing_from_the_file_is_deactivated_never_deleted(with_feedback):
    session = with_feedback
    u3 = unit_by_code(session, "U3")
    summary = upsert_units(session, [row for row in TREE if row.code != "U3"], actor="test", now=LATER)
    assert summary == UnitsSummary(created=0, updated=0, unchanged=6, deactivated=1)
    assert session.exec(select(func.count()).select_from(Unit)).one() == 7
    assert unit_by_code(session, "U3").active is False
    assert session.exec(select(func.count()).select_from(Feedback).where(Feedback.unit_id == u3.id)).one() == 1
    [event] = _audit(session, "unit.deactivate")
    assert (event.entity_id, event.before, event.after) == ("U3", {"active": True}, {"active": False})
    assert "U3" not in [unit.code for unit in active_units(session)]
    with pytest.raises(UnknownUnit):
        find_unit(session, "U3")
    # A second run without it does not deactivate it again.
    again = upsert_units(session, [row for row in TREE if row.code != "U3"], actor="test", now=LATER)
    assert again == UnitsSummary(created=0, updated=0, unchanged=6, deactivated=0)
    assert len(_audit(session, "unit.deactivate")) == 1


def test_a_whole_missing_branch_is_deactivated(tree):
    summary = upsert_units(tree, [row for row in TREE if row.code not in {"S", "U1", "U2"}],
                           actor="test", now=LATER)
    assert summary.deactivated == 3
    assert {code for code, unit in _units(tree).items() if not unit.active} == {"S", "U1", "U2"}


def test_a_deactivated_unit_comes_back_when_the_file_has_it_again(with_feedback):
    session = with_feedback
    upsert_units(session, [row for row in TREE if row.code != "U3"], actor="test", now=LATER)
    summary = upsert_units(session, TREE, actor="test", now=LATER)
    assert summary == UnitsSummary(created=0, updated=1, unchanged=6, deactivated=0)
    assert find_unit(session, "U3").active is True
    [event] = _audit(session, "unit.update")
    assert (event.entity_id, event.before["active"], event.after["active"]) == ("U3", False, True)
    assert _volumes(session, "U3", "B") == {"U3": 1, "B": 1}


def test_a_new_unit_joins_an_existing_tree(tree):
    rows = TREE + [UnitRow("U4", "B", "Perhesosiaalityö", "", "", "unit")]
    summary = upsert_units(tree, rows, actor="test", now=LATER)
    assert summary == UnitsSummary(created=1, updated=0, unchanged=7, deactivated=0)
    units = _units(tree)
    assert units["U4"].path == units["B"].path + f"{units['U4'].id}/"


def test_a_file_read_from_disk_builds_the_same_tree(session):
    rows = read_unit_rows(SEMICOLONS)
    assert upsert_units(session, rows, actor="test", now=NOW).created == 4
    assert unit_by_code(session, "S").name_fi == "Terveysasemat, vastaanotot"
    assert unit_by_code(session, "C").name("sv") == "Välfärdsområdet Test"
    assert unit_by_code(session, "U1").name("sv") == "Keskustan terveysasema"
