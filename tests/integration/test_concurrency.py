"""Two supervisors editing the same card or feedback: the second is told, nothing is lost.

Each test runs on SQLite and on PostgreSQL with real, separate sessions. SQLite lets one writer in
at a time (a write session begins with BEGIN IMMEDIATE), so there two overlapping writers queue at
BEGIN; on PostgreSQL both transactions run, and the second one's UPDATE waits for the first one's
row lock, then finds that `version = :seen` matches no row any more.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from auth.access import Viewer
from auth.roles import Role
from board.kanban import WipLimits
from board.stages import Stage
from data.db import is_sqlite, session_scope
from data.models import Action, AuditEvent, Feedback, Theme
from data.actions import add_action, edit_action, publish_action
from data.editing import StaleEdit
from data.handling import handle_many, mark_no_reply_needed, mark_replied
from data.themes import create_theme, edit_theme, move_theme
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person

WAIT = 10  # seconds; a test that needs longer has hung
ROUNDS = 30  # random rounds per kind of row (theme, feedback), each 8-16 reads and writes by 2-3 people


@dataclass
class World:
    anna: Viewer
    bert: Viewer
    theme: int
    action: int
    feedback: list[int] = field(default_factory=list)


@pytest.fixture
def world(engine) -> World:
    with session_scope(engine, write=True) as session:
        make_tree(session, NOW)
        anna = person(session, Role.SUPERVISOR, "U1", name="Anna")
        bert = person(session, Role.SUPERVISOR, "S", name="Bert")
        theme = create_theme(session, viewer=anna, unit_code="U1", title="Puhelinjonot", now=NOW)
        action = add_action(session, viewer=anna, theme_id=theme.id, taken_on=date(2026, 11, 20), text="Tehtiin",
                            now=NOW)
        feedback = [add_feedback(session, "U1", datetime(2026, 11, 10 + i), reply_requested=True,
                                 open_answer=f"Palaute {i}").id for i in range(3)]
    return World(anna, bert, theme.id, action.id, feedback)


def _read(engine, model, row_id):
    """What a supervisor's page shows: the row as read in a session of its own."""
    with session_scope(engine) as session:
        return session.exec(select(model).where(model.id == row_id)).one()


def _audit_count(engine, entity, entity_id, action_prefix):
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id),
            AuditEvent.action.startswith(action_prefix))).one()


# Each case: the table read, the two supervisors' writes, and a field that tells whose write stands.
def _title(who):
    return lambda s, v, w, seen: edit_theme(s, viewer=v, theme_id=w.theme, seen_version=seen, title=f"{who} otsikko",
                                            description="", owner=who, now=NOW)


CASES = {
    "theme title": (Theme, "theme", lambda w: w.theme, _title("Anna"), _title("Bert"), "title", "Anna otsikko"),
    "theme move": (
        Theme, "theme", lambda w: w.theme,
        lambda s, v, w, seen: move_theme(s, viewer=v, theme_id=w.theme, seen_version=seen, target=Stage.IN_GROUP,
                                         wip=WipLimits(), now=NOW),
        lambda s, v, w, seen: move_theme(s, viewer=v, theme_id=w.theme, seen_version=seen,
                                         target=Stage.NOT_PURSUED, reason="Ei", wip=WipLimits(), now=NOW),
        "stage", Stage.IN_GROUP.value),
    "feedback reply": (
        Feedback, "feedback", lambda w: w.feedback[0],
        lambda s, v, w, seen: mark_replied(s, viewer=v, feedback_id=w.feedback[0], seen_version=seen,
                                           replied_at=NOW - timedelta(hours=1), now=NOW),
        lambda s, v, w, seen: mark_no_reply_needed(s, viewer=v, feedback_id=w.feedback[0], seen_version=seen,
                                                   reason="Ei tarvetta", now=NOW),
        "replied_by", "Anna"),
    "action text": (
        Action, "action", lambda w: w.action,
        lambda s, v, w, seen: edit_action(s, viewer=v, action_id=w.action, seen_version=seen,
                                          taken_on=date(2026, 11, 20), text="Annan teksti", public_text="Julki",
                                          now=NOW),
        lambda s, v, w, seen: publish_action(s, viewer=v, action_id=w.action, seen_version=seen, publish=True,
                                             now=NOW),
        "text", "Annan teksti"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_second_of_two_supervisors_who_read_the_same_version_is_told_and_sees_the_first_ones_values(
        engine, world, case):
    model, entity, row_id, first, second, shown, first_value = CASES[case]
    audited_before = _audit_count(engine, entity, row_id(world), "")
    seen_by_anna = _read(engine, model, row_id(world)).version
    seen_by_bert = _read(engine, model, row_id(world)).version
    assert seen_by_anna == seen_by_bert == 1
    with session_scope(engine, write=True) as session:
        first(session, world.anna, world, seen_by_anna)
    with pytest.raises(StaleEdit) as stale:
        with session_scope(engine, write=True) as session:
            second(session, world.bert, world, seen_by_bert)
    assert stale.value.current.version == 2 and stale.value.current.values[shown] == first_value
    final = _read(engine, model, row_id(world))
    assert final.version == 2 and getattr(final, shown) == first_value
    assert _audit_count(engine, entity, row_id(world), "") == audited_before + 1


def _waiting_on_a_lock(engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )).scalar() > 0


def _overlap(engine, first, second):
    """Run `first` in a write transaction that stays open until `second`, in another, is seen waiting for it."""
    first_wrote, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def run_first():
        try:
            with session_scope(engine, write=True) as session:
                outcome["first"] = first(session)
                first_wrote.set()
                release.wait(WAIT)
        except Exception as problem:  # reported by the asserts below
            outcome["first"] = problem
            first_wrote.set()

    def run_second():
        try:
            with session_scope(engine, write=True) as session:
                outcome["second"] = second(session)
        except Exception as problem:
            outcome["second"] = problem

    one, two = threading.Thread(target=run_first), threading.Thread(target=run_second)
    one.start()
    assert first_wrote.wait(WAIT)
    two.start()
    # The second transaction must be blocked by the first one, not merely run after it.
    deadline = time.monotonic() + WAIT
    if is_sqlite(engine):
        two.join(0.3)
        assert two.is_alive(), "the second writer did not wait for the first"
    else:
        while not _waiting_on_a_lock(engine):
            assert time.monotonic() < deadline and two.is_alive(), "the second transaction never waited for a lock"
            time.sleep(0.02)
    release.set()
    one.join(WAIT)
    two.join(WAIT)
    assert not one.is_alive() and not two.is_alive()
    return outcome["first"], outcome["second"]


def test_two_overlapping_transactions_on_the_same_card_lose_nothing(engine, world):
    first, second = _overlap(
        engine,
        lambda s: edit_theme(s, viewer=world.anna, theme_id=world.theme, seen_version=1, title="Annan",
                             description="", owner=None, now=NOW),
        lambda s: edit_theme(s, viewer=world.bert, theme_id=world.theme, seen_version=1, title="Bertin",
                             description="Bertin kuvaus", owner="Bert", now=NOW),
    )
    assert first.version == 2
    assert isinstance(second, StaleEdit), second
    assert second.current.version == 2 and second.current.values["title"] == "Annan"
    final = _read(engine, Theme, world.theme)
    assert (final.title, final.description, final.owner, final.version) == ("Annan", "", None, 2)
    assert _audit_count(engine, "theme", world.theme, "theme.edit") == 1


def test_a_batch_overlapping_a_single_edit_names_the_item_and_changes_none(engine, world):
    middle = world.feedback[1]
    first, second = _overlap(
        engine,
        lambda s: mark_replied(s, viewer=world.anna, feedback_id=middle, seen_version=1,
                               replied_at=NOW - timedelta(hours=1), now=NOW),
        lambda s: handle_many(s, viewer=world.bert, items=[(i, 1) for i in world.feedback],
                              action="no_reply_needed", reason="Kiitospalaute", now=NOW),
    )
    assert first.version == 2
    assert isinstance(second, StaleEdit), second
    assert second.stale_ids == (middle,) and second.current.values["replied_by"] == "Anna"
    rows = [_read(engine, Feedback, i) for i in world.feedback]
    assert [r.no_reply_reason for r in rows] == [None, None, None]
    assert [r.version for r in rows] == [1, 2, 1]


# --------------------------------------------------------------------------- many interleavings

@dataclass
class Truth:
    """What the database must hold: the version and the value of the last successful write."""

    version: int = 1
    value: str | None = None
    successes: list[tuple[int, str]] = field(default_factory=list)  # (seen version, value written)


def _write(session, target, viewer, row_id, seen, value):
    if target == "theme":
        return edit_theme(session, viewer=viewer, theme_id=row_id, seen_version=seen, title=value, description="",
                          owner=None, now=NOW)
    return mark_no_reply_needed(session, viewer=viewer, feedback_id=row_id, seen_version=seen, reason=value, now=NOW)


def _current(engine, target, row_id):
    row = _read(engine, Theme if target == "theme" else Feedback, row_id)
    return row.version, row.title if target == "theme" else row.no_reply_reason


SHOWN = {"theme": "title", "feedback": "no_reply_reason"}


def _check_invariants(engine, target, row_id, truth: Truth):
    version, value = _current(engine, target, row_id)
    assert version == truth.version == 1 + len(truth.successes)
    if truth.successes:
        assert value == truth.successes[-1][1]  # every success is final or superseded by a later one
    assert [seen for seen, _ in truth.successes] == list(range(1, version))  # no two writes on one read
    entity, prefix = ("theme", "theme.edit") if target == "theme" else ("feedback", "feedback.")
    assert _audit_count(engine, entity, row_id, prefix) == len(truth.successes)


def test_many_random_interleavings_of_reads_and_writes_keep_every_invariant(engine, world):
    rng = random.Random(20261123)
    with session_scope(engine) as session:
        actors = [person(session, Role.SUPERVISOR, code, name=name)
                  for code, name in (("U1", "Anna"), ("S", "Bert"), ("C", "Cecilia"))]
    with session_scope(engine, write=True) as session:
        themes = [create_theme(session, viewer=actors[0], unit_code="U1", title=f"Teema {i}", now=NOW).id
                  for i in range(ROUNDS)]
        feedback = [add_feedback(session, "U1", datetime(2026, 11, 1), open_answer="x").id for _ in range(ROUNDS)]
    rounds = [("theme", row_id, f"Teema {i}") for i, row_id in enumerate(themes)]
    rounds += [("feedback", row_id, None) for row_id in feedback]
    outcomes = {"written": 0, "stale": 0}
    for target, row_id, initial in rounds:
        truth = Truth(value=initial)
        crew = actors[:rng.choice((2, 3))]
        seen: dict[int, int] = {}
        for step in range(rng.randint(8, 16)):
            who = rng.randrange(len(crew))
            if who not in seen or rng.random() < 0.4:
                seen[who], shown = _current(engine, target, row_id)
                assert (seen[who], shown) == (truth.version, truth.value)
                continue
            value = f"{crew[who].name} {step}"
            try:
                with session_scope(engine, write=True) as session:
                    _write(session, target, crew[who], row_id, seen[who], value)
            except StaleEdit as stale:
                assert seen[who] != truth.version, "a write on a current read was refused"
                assert stale.current.version == truth.version
                assert stale.current.values[SHOWN[target]] == truth.value
                outcomes["stale"] += 1
            else:
                assert seen[who] == truth.version, "a write on a stale read succeeded"
                truth.successes.append((seen[who], value))
                truth.version += 1
                truth.value = value
                outcomes["written"] += 1
            if rng.random() < 0.5:
                del seen[who]  # the page is reloaded before the next write
        _check_invariants(engine, target, row_id, truth)
    assert min(outcomes.values()) >= 50  # the seed gives both outcomes plenty of times


@pytest.mark.parametrize("target", ["theme", "feedback"])
def test_three_supervisors_writing_at_the_same_time_never_lose_an_update(engine, world, target):
    row_id = world.theme if target == "theme" else world.feedback[2]
    with session_scope(engine) as session:
        actors = [person(session, Role.SUPERVISOR, code, name=name)
                  for code, name in (("U1", "Anna"), ("S", "Bert"), ("C", "Cecilia"))]
    successes: list[tuple[int, str]] = []
    stale_reads = []
    lock = threading.Lock()
    start = threading.Barrier(len(actors))

    def work(index: int) -> None:
        rng = random.Random(index)
        start.wait(WAIT)
        for step in range(8):
            seen, _ = _current(engine, target, row_id)
            time.sleep(rng.random() * 0.005)
            value = f"{actors[index].name} {step}"
            try:
                with session_scope(engine, write=True) as session:
                    _write(session, target, actors[index], row_id, seen, value)
            except StaleEdit as stale:
                with lock:
                    stale_reads.append((seen, stale.current.version))
            else:
                with lock:
                    successes.append((seen, value))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(actors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert not any(thread.is_alive() for thread in threads)
    assert len(successes) + len(stale_reads) == 8 * len(actors)
    assert all(current > seen for seen, current in stale_reads)  # refused only when someone had written since
    successes.sort()
    truth = Truth(version=1 + len(successes), successes=successes)
    _check_invariants(engine, target, row_id, truth)


# --------------------------------------------------------------------------- an import in progress

def _held_import(engine, monkeypatch, rows: int):
    """Start an import of `rows` rows in a thread and hold it as its first batch is parsed."""
    from data import import_worker, imports
    from tests.import_support import native_csv, native_row

    parsing, release = threading.Event(), threading.Event()
    parse_rows = imports.parse_rows

    def slow_parse_rows(*args, **kwargs):
        parsing.set()
        assert release.wait(WAIT), "the import was never released"
        return parse_rows(*args, **kwargs)

    monkeypatch.setattr(imports, "parse_rows", slow_parse_rows)
    content = native_csv([native_row(f"held-{i}") for i in range(rows)]).encode()
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["summary"] = import_worker.import_file(engine, actor=None, content=content, file_name="iso.csv", now=NOW)
        except Exception as problem:  # reported by the test's asserts
            outcome["summary"] = problem

    thread = threading.Thread(target=run)
    thread.start()
    assert parsing.wait(WAIT), "the import never started parsing"
    return thread, release, outcome


@pytest.mark.parametrize("write", ["sign-in", "edit"])
def test_a_sign_in_or_an_edit_is_saved_at_once_while_a_file_is_being_imported(engine, world, monkeypatch, write):
    from data.access import record_sign_in

    importer, release, outcome = _held_import(engine, monkeypatch, rows=20)
    done = threading.Event()

    def user_write():
        with session_scope(engine, write=True) as session:
            if write == "sign-in":
                record_sign_in(session, viewer=world.anna, now=NOW)
            else:
                edit_theme(session, viewer=world.anna, theme_id=world.theme, seen_version=1, title="Kesken tuonnin",
                           description="", owner=None, now=NOW)
        done.set()

    writer = threading.Thread(target=user_write)
    writer.start()
    try:
        # The import is still held in the middle of its file: the write must not wait for it.
        assert done.wait(5), "the write waited behind the import"
    finally:
        release.set()
        importer.join(WAIT)
        writer.join(WAIT)
    assert outcome["summary"].inserted == 20, outcome["summary"]
    assert _audit_count(engine, "user" if write == "sign-in" else "theme", "supervisor@U1" if write == "sign-in"
                        else world.theme, "auth.sign_in" if write == "sign-in" else "theme.edit") == 1


def test_an_import_that_meets_a_key_stored_meanwhile_counts_it_as_a_duplicate_and_stores_the_rest(engine, world):
    from data import import_worker, imports
    from tests.import_support import native_csv, native_row

    content = native_csv([native_row("race-1"), native_row("race-2")]).encode()
    with session_scope(engine) as session:
        prepared = imports.prepare_import(session, actor=None, content=content, file_name="a.csv")
    # Another import stores one of the keys between this file's preparation and its storing.
    with session_scope(engine, write=True) as session:
        imports.import_feedback(session, actor=None, content=native_csv([native_row("race-1")]).encode(),
                                file_name="b.csv", now=NOW)
    summary = import_worker.import_file(engine, actor=None, content=content, file_name="a.csv", now=NOW,
                                        prepare=lambda: [prepared])
    assert (summary.inserted, summary.duplicates) == (1, 1)
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Feedback).where(
            Feedback.source_id.startswith("race-"))).one() == 2
