"""`python -m data import-dir` (CONTRACTS.md): a drop folder's files are imported by themselves and moved,
two watchers never take the same file, and a kill at any moment leaves nothing half-imported."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from data.db import session_scope
from data.drop_folder import LOCK_NAME, drop_folder_view, folder_lock, note_problem
from data.import_worker import import_file
from data.models import AuditEvent, Feedback
from tests.conftest import NOW, ROOT
from tests.factories import person
from tests.import_support import (
    HETUS,
    county,  # noqa: F401  (the fixture)
    native_csv,
    native_row,
    sql_count,
    the_preparing_process_is_killed_at_each_write,
)
from tests.integration.test_cli import cli  # noqa: F401  (the fixture)

SUMMARY_KEYS = ["read", "inserted", "duplicates", "conflicts", "rejected", "redacted", "file", "moved_to"]
DEADLINE = 120


@pytest.fixture
def drop(tmp_path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


def _drop(folder: Path, name: str, content: str | bytes, age: float = 60) -> Path:
    """A file that landed `age` seconds ago (files are taken when they have not changed for a few seconds)."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    moment = time.time() - age
    os.utime(path, (moment, moment))
    return path


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def test_each_file_is_imported_oldest_first_and_moved_by_its_outcome_with_one_json_line_each(cli, county, drop):
    _drop(drop, "b.csv", native_csv([native_row("b1"), native_row("b2", nps="12")]), age=60)
    _drop(drop, "a.csv", native_csv([native_row("a1"), native_row("a2")]), age=120)
    _drop(drop, "c.xlsx", b"\x00\xff" * 200, age=30)
    code, out, err = cli("import-dir", str(drop), "--once")
    assert code == 0, err
    lines = _lines(out)
    assert [list(line) for line in lines] == [SUMMARY_KEYS] * 3
    assert [(line["file"], line["moved_to"], line["inserted"], line["rejected"]) for line in lines] == [
        ("a.csv", "done", 2, 0), ("b.csv", "partial", 1, 1), ("c.xlsx", "unreadable", 0, 0)]
    assert "c.xlsx: file unusable, nothing written" in err and "Traceback" not in err
    assert (_names(drop), _names(drop / "done"), _names(drop / "partial"), _names(drop / "unreadable")) == (
        [], ["a.csv"], ["b.csv"], ["c.xlsx"])
    assert sql_count(county, "feedback") == 3 and sql_count(county, "import_reject") == 1
    assert sql_count(county, "import_run") == 2


@pytest.mark.parametrize("name, age", [
    ("palaute.csv.part", 600), ("palaute.tmp", 600), (".palaute.csv.x7Yq", 600), ("palaute.csv", 1),
], ids=["ends in .part", "ends in .tmp", "hidden (rsync)", "changed a second ago"])
def test_a_file_that_is_still_being_written_is_not_taken(cli, county, drop, name, age):
    _drop(drop, name, native_csv([native_row("w1")]), age=age)
    code, out, _ = cli("import-dir", str(drop), "--once")
    assert (code, out) == (0, "")
    assert (drop / name).exists() and sql_count(county, "feedback") == 0


def test_a_file_whose_content_was_imported_before_is_moved_without_work(cli, county, drop):
    # As when a watcher is killed after its commit but before the move: the run holds the content's hash.
    content = native_csv([native_row("k1"), native_row("k2", nps="12")]).encode()
    import_file(county, actor=None, content=content, file_name="k.csv", now=NOW,
                content_hash=hashlib.sha256(content).hexdigest())
    _drop(drop, "k.csv", content)
    _drop(drop, "copy of k.csv", content, age=30)
    code, out, err = cli("import-dir", str(drop), "--once")
    assert code == 0
    assert [(line["file"], line["moved_to"], line["inserted"], line["duplicates"], line["rejected"])
            for line in _lines(out)] == [("k.csv", "partial", 0, 1, 1), ("copy of k.csv", "partial", 0, 1, 1)]
    assert "imported before" in err
    assert sql_count(county, "import_run") == 1 and sql_count(county, "import_reject") == 1
    assert _names(drop / "partial") == ["copy of k.csv", "k.csv"]


def test_a_name_already_in_done_gets_a_number_and_nothing_is_overwritten(cli, county, drop):
    _drop(drop, "palaute.csv", native_csv([native_row("n1")]))
    cli("import-dir", str(drop), "--once")
    _drop(drop, "palaute.csv", native_csv([native_row("n2")]))
    code, out, _ = cli("import-dir", str(drop), "--once")
    assert code == 0 and _lines(out)[0]["inserted"] == 1
    assert _names(drop / "done") == ["palaute (2).csv", "palaute.csv"]


def test_the_file_name_is_screened_before_it_is_printed_or_stored(cli, county, drop):
    _drop(drop, f"asiakas_{HETUS[0]}.csv", native_csv([native_row("h1")]))
    code, out, _ = cli("import-dir", str(drop), "--once")
    assert code == 0 and HETUS[0] not in out and _lines(out)[0]["file"] == "asiakas_[henkilötunnus].csv"
    from tests.import_support import database_text, identity_codes_in
    assert identity_codes_in(database_text(county)) == []


def test_a_second_watcher_takes_nothing_while_the_first_holds_the_folder(cli, county, drop):
    _drop(drop, "a.csv", native_csv([native_row("l1")]))
    with folder_lock(drop) as held:
        assert held
        with folder_lock(drop) as second:
            assert second is False
        code, out, _ = cli("import-dir", str(drop), "--once")
    assert (code, out) == (0, "") and _names(drop) == ["a.csv"] and sql_count(county, "feedback") == 0
    assert _lines(cli("import-dir", str(drop), "--once")[1])[0]["moved_to"] == "done"


@pytest.mark.parametrize("make, problem", [
    (lambda folder: None, "missing"),
    (lambda folder: folder.write_text("ei kansio"), "missing"),
    (lambda folder: (folder.mkdir(), (folder / "done").write_text("ei kansio")), "not_writable"),
], ids=["missing", "a file, not a folder", "done/ cannot be made"])
def test_an_unusable_folder_exits_2_with_a_clear_message_and_is_noted_for_the_admin(cli, county, tmp_path,
                                                                                      make, problem):
    folder = tmp_path / "drop"
    make(folder)
    code, out, err = cli("import-dir", str(folder), "--once")
    assert (code, out) == (2, "") and "error: the drop folder" in err and "Traceback" not in err
    with session_scope(county) as session:
        admin = person(session, Role.ADMIN, "C")
        view = drop_folder_view(session, viewer=admin, folder=str(folder))
    assert view.last_notice.problem == problem


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_that_is_not_writable_exits_2_and_its_files_stay(cli, county, drop):
    _drop(drop, "a.csv", native_csv([native_row("r1")]))
    drop.chmod(0o500)
    try:
        code, _, err = cli("import-dir", str(drop), "--once")
    finally:
        drop.chmod(0o700)
    assert code == 2 and "not writable" in err and _names(drop) == ["a.csv"]


def test_a_file_that_vanishes_during_its_import_keeps_its_rows_and_is_noted(cli, county, drop, monkeypatch):
    import data.drop_folder as drop_folder
    real = drop_folder.import_file

    def import_then_vanish(*args, **kwargs):
        summary = real(*args, **kwargs)
        (drop / "a.csv").unlink()   # the vendor's clean-up job takes the file back
        return summary

    monkeypatch.setattr(drop_folder, "import_file", import_then_vanish)
    _drop(drop, "a.csv", native_csv([native_row("v1"), native_row("v2")]))
    code, out, err = cli("import-dir", str(drop), "--once")
    assert code == 0 and _lines(out)[0]["moved_to"] is None and "vanished" in err and "rows are stored" in err
    assert sql_count(county, "feedback") == 2
    with session_scope(county) as session:
        view = drop_folder_view(session, viewer=person(session, Role.ADMIN, "C"), folder=str(drop))
    assert (view.last_notice.problem, view.last_notice.file) == ("vanished_after", "a.csv")


def test_a_file_the_watcher_may_not_read_is_set_aside_in_unreadable_and_nothing_is_written(cli, county, drop,
                                                                                             monkeypatch):
    # As root the test cannot take the read permission away, so reading it fails as it would then.
    real = Path.read_bytes

    def refused(path):
        if path.name == "salainen.csv":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refused)
    _drop(drop, "salainen.csv", native_csv([native_row("p1")]))
    code, out, err = cli("import-dir", str(drop), "--once")
    assert code == 0 and _lines(out)[0]["moved_to"] == "unreadable"
    assert "could not be read by this user (Permission denied)" in err
    assert sql_count(county, "feedback") == 0 and _names(drop / "unreadable") == ["salainen.csv"]


def test_the_same_problem_twice_in_a_row_is_noted_once(county, drop):
    with session_scope(county, write=True) as session:
        assert note_problem(session, folder=drop, problem="missing", file="", now=NOW)
        assert not note_problem(session, folder=drop, problem="missing", file="", now=NOW)
        assert note_problem(session, folder=drop, problem="vanished", file="a.csv", now=NOW)
    with session_scope(county) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "drop_folder.problem")).all()
    assert [e.after["problem"] for e in events] == ["missing", "vanished"]


def test_the_admin_sees_the_last_run_and_the_files_waiting_in_partial_and_unreadable(cli, county, drop):
    _drop(drop, "a.csv", native_csv([native_row("s1")]), age=90)
    _drop(drop, f"b_{HETUS[1]}.csv", native_csv([native_row("s2", unit_code="EI")]), age=60)
    _drop(drop, "c.csv", b"\x00" * 10, age=30)
    cli("import-dir", str(drop), "--once")
    _drop(drop, "d.csv", "tulossa", age=0)
    with session_scope(county) as session:
        view = drop_folder_view(session, viewer=person(session, Role.ADMIN, "C"), folder=str(drop))
        with pytest.raises(AccessDenied):
            drop_folder_view(session, viewer=person(session, Role.SUPERVISOR, "U1"), folder=str(drop))
    assert view.problem is None and view.incoming == 1
    assert (view.last_run.file_name, view.last_run.rejected) == ("b_[henkilötunnus].csv", 1)
    assert sorted((f.folder, f.name) for f in view.waiting) == [("partial", "b_[henkilötunnus].csv"),
                                                               ("unreadable", "c.csv")]


def test_a_dropped_file_is_found_in_the_database_as_feedback_of_its_unit(cli, county, drop):
    _drop(drop, "kioski.csv", native_csv([native_row("i1", unit_code="U2", reply_requested="1")]))
    cli("import-dir", str(drop), "--once")
    with session_scope(county) as session:
        stored = session.exec(select(Feedback).where(Feedback.source_id == "i1")).one()
    assert stored.reply_requested and stored.received_at.isoformat() == "2026-11-20T07:15:00"


# --- Kills and stops: a watcher subprocess on the test database -----------------------------------

def _watcher(database_url: str, folder: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "VARTTI_DATABASE_URL": database_url}
    return subprocess.Popen([sys.executable, "-m", "data", "import-dir", str(folder), *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _holds_lock(process: subprocess.Popen, folder: Path) -> bool:
    """Whether the process holds the folder's flock now (read from /proc/locks, so the test takes no lock)."""
    inode = (folder / LOCK_NAME).stat().st_ino if (folder / LOCK_NAME).exists() else None
    if inode is None:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and str(process.pid) in fields and fields[-3].endswith(f":{inode}"):
            return True
    return False


def _until(found, never: str):
    """What `found` gives once it gives something, asked again and again: other processes' state sends no event."""
    deadline = time.monotonic() + DEADLINE
    while not (value := found()):
        assert time.monotonic() < deadline, never
        time.sleep(0.01)
    return value


def _running(process: subprocess.Popen, doing: str) -> subprocess.Popen:
    assert process.poll() is None, f"the watcher ended before it was seen {doing}; make the file bigger"
    return process


def _until_taking(process: subprocess.Popen, folder: Path) -> None:
    _until(lambda: _holds_lock(_running(process, "taking the file"), folder), "the watcher never took the file")


def _big_file(folder: Path, rows: int) -> Path:
    return _drop(folder, "iso.csv", native_csv(native_row(f"big{i}", nps=str(i % 11)) for i in range(rows)))


ROWS = 40_000


def test_a_watcher_killed_mid_file_leaves_it_whole_and_the_restart_finishes_it(county, database_url, drop):
    _big_file(drop, ROWS)
    process = _watcher(database_url, drop, "--once")
    _until_taking(process, drop)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=DEADLINE)
    rows, runs = sql_count(county, "feedback"), sql_count(county, "import_run")
    in_folder = _names(drop) == ["iso.csv"]
    # Untouched in the folder with nothing written, or fully imported (moved, or left for the restart).
    assert (rows, runs) in ((0, 0), (ROWS, 1)), f"{rows} rows and {runs} runs after the kill"
    assert in_folder or (rows, _names(drop / "done")) == (ROWS, ["iso.csv"])
    again = subprocess.run([sys.executable, "-m", "data", "import-dir", str(drop), "--once"], cwd=ROOT,
                           env={**os.environ, "VARTTI_DATABASE_URL": database_url}, capture_output=True,
                           text=True, timeout=DEADLINE)
    assert again.returncode == 0, again.stderr
    assert (_names(drop), _names(drop / "done")) == ([], ["iso.csv"])
    assert (sql_count(county, "feedback"), sql_count(county, "import_run")) == (ROWS, 1)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` now (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            found.append(int(stat.parent.name))
    return found


def _ended(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_watcher_killed_while_a_second_process_prepares_its_file_leaves_no_process_behind(county, database_url,
                                                                                            drop):
    if county.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL prepares a big file in a second process")
    rows = ROWS  # eight parts: the second process is still preparing when the watcher is killed
    _big_file(drop, rows)
    process = _watcher(database_url, drop, "--once")
    preparing = _until(lambda: _children(_running(process, "preparing the file apart").pid),
                       "the watcher never prepared the file in a second process")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=DEADLINE)
    # The preparing process shares the watcher's folder lock and database socket: it must end too.
    _until(lambda: all(_ended(pid) for pid in preparing), "the second process outlived the killed watcher")
    assert sql_count(county, "feedback") == 0
    again = subprocess.run([sys.executable, "-m", "data", "import-dir", str(drop), "--once"], cwd=ROOT,
                           env={**os.environ, "VARTTI_DATABASE_URL": database_url}, capture_output=True,
                           text=True, timeout=DEADLINE)
    assert again.returncode == 0, again.stderr
    assert (_names(drop), _names(drop / "done")) == ([], ["iso.csv"])
    assert sql_count(county, "feedback") == rows


def test_a_file_whose_preparing_process_dies_is_set_aside_and_the_next_file_is_still_imported(cli, county, drop,
                                                                                               monkeypatch):
    if county.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL prepares a big file in a second process")
    the_preparing_process_is_killed_at_each_write(monkeypatch)
    _big_file(drop, ROWS)
    _drop(drop, "pieni.csv", native_csv([native_row("p1")]), age=30)
    code, out, err = cli("import-dir", str(drop), "--once")
    assert code == 0, err
    assert [(line["file"], line["moved_to"]) for line in _lines(out)] == [("iso.csv", "unreadable"),
                                                                          ("pieni.csv", "done")]
    assert "iso.csv could not be prepared (the preparing process ended with code -9)" in err
    assert "put it back in the folder to try again" in err
    assert sql_count(county, "feedback") == 1 and _names(drop / "unreadable") == ["iso.csv"]


def test_sigterm_lets_the_watcher_finish_the_file_it_is_taking_then_stop(county, database_url, drop):
    _big_file(drop, ROWS // 4)
    process = _watcher(database_url, drop, "--interval", "0.2")
    _until_taking(process, drop)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 0, err
    assert [(line["file"], line["moved_to"], line["inserted"]) for line in _lines(out)] == [
        ("iso.csv", "done", ROWS // 4)]
    assert sql_count(county, "feedback") == ROWS // 4
