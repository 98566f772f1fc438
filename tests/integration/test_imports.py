"""Importing feedback files on SQLite and PostgreSQL: hostile files, idempotency, screening, rejects."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from board.identity import HETU_MASK
from board.periods import Period
from board.replies import ReplyPolicy
from data import import_pipeline, rejects
from data.db import session_scope
from data.export import export_feedback
from data.feedback_files import NATIVE_FIELDS
from data.file_reading import FileUnusable, ImportLimits
from data.imports import import_feedback
from data.models import AuditEvent, Feedback, ImportReject, ImportRun
from data.rejects import (
    correct_reject,
    list_rejects,
    list_runs,
    reimport_rejects,
    unmapped_unit_names,
)
from data.unit_mappings import map_unit
from tests.conftest import NOW
from tests.factories import person
from tests.import_support import (
    HETUS,
    county,  # noqa: F401  (the fixture)
    database_text,
    identity_codes_in,
    native_csv,
    native_row,
    sql_count,
)

NHS_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "nhs_fft_comments_sample.csv"


def run_import(engine, content: bytes | str, *, profile: str = "native", dry_run: bool = False,
               actor=None, file_name: str = "palaute.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    with session_scope(engine, write=True) as session:
        return import_feedback(session, actor=actor, content=data, file_name=file_name, profile=profile,
                               dry_run=dry_run, now=NOW)


def admin(engine):
    with session_scope(engine) as session:
        return person(session, Role.ADMIN, "C", "Pääkäyttäjä")


def adds_up(summary) -> bool:
    return summary.read == summary.inserted + summary.duplicates + summary.conflicts + summary.rejected


# --- Good files ----------------------------------------------------------------------------------

def test_a_native_file_is_imported_and_importing_it_again_changes_nothing(county):
    content = native_csv([native_row("a1"), native_row("a2", unit_code="U2", nps="3"), native_row("a3", nps="")])
    first = run_import(county, content)
    assert first.as_json() == {"read": 3, "inserted": 3, "duplicates": 0, "conflicts": 0, "rejected": 0,
                               "redacted": 0}
    before = database_text(county).count("\n")
    second = run_import(county, content)
    assert second.as_json() == {"read": 3, "inserted": 0, "duplicates": 3, "conflicts": 0, "rejected": 0,
                                "redacted": 0}
    assert sql_count(county, "feedback") == 3
    assert sql_count(county, "import_run") == 2 and sql_count(county, "import_reject") == 0
    with session_scope(county) as session:
        row = session.exec(select(Feedback).where(Feedback.source_id == "a1")).one()
    # Helsinki local time without an offset: 09.15 EET is 07.15 UTC.
    assert row.received_at == datetime(2026, 11, 20, 7, 15) and row.service_date == date(2026, 11, 19)
    assert (row.nps, row.saatavuus, row.channel, row.collection, row.language) == (9, 5, "toimipiste", "sms", "fi")
    assert before <= database_text(county).count("\n")


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8", ","), ("utf-8-sig", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("cp1252", ","),
], ids=["utf-8", "utf-8 with BOM", "BOM and semicolons", "Windows-1252 (Excel)", "Windows-1252 commas"])
def test_a_native_file_in_any_accepted_encoding_and_delimiter_keeps_its_letters(county, encoding, delimiter):
    content = native_csv([native_row("e1", open_answer="Hoitaja oli ystävällinen; kiitos, Åsa")],
                         delimiter=delimiter).encode(encoding)
    summary = run_import(county, content)
    assert (summary.inserted, summary.rejected) == (1, 0)
    with session_scope(county) as session:
        assert session.exec(select(Feedback.open_answer)).one() == "Hoitaja oli ystävällinen; kiitos, Åsa"


def test_an_excel_workbook_is_imported_like_a_csv(county):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["source", "source_id", "unit_code", "received_at", "nps", "reply_requested", "free_text"])
    sheet.append(["kioski", "x1", "U1", datetime(2026, 11, 20, 12, 0), 10, "kyllä", "Kiitos"])
    sheet.append(["kioski", "x2", "U3", "2026-11-21T08:00:00+02:00", 6.0, "ei", None])
    buffer = io.BytesIO()
    book.save(buffer)
    summary = run_import(county, buffer.getvalue(), file_name="palaute.xlsx")
    assert (summary.read, summary.inserted, summary.rejected) == (2, 2, 0)
    with session_scope(county) as session:
        rows = session.exec(select(Feedback).order_by(Feedback.source_id)).all()
    assert [(r.nps, r.reply_requested) for r in rows] == [(10, True), (6, False)]
    assert rows[1].received_at == datetime(2026, 11, 21, 6, 0)


WEBROPOL = (
    "Vastaajan tunnus;Yksikkö;Vastausaika;Miten asioit?;"
    "Kuinka todennäköisesti suosittelisit saamaasi palvelua läheisellesi?;Sain apua, kun sitä tarvitsin;"
    "Koin saamani hoidon/palvelun hyödylliseksi;Mikä vaikutti kokemukseesi eniten?;"
    "Haluan, että minuun otetaan yhteyttä;Sähköpostiosoite\n"
    "R-1001;U1;20.11.2026 14:05;Toimipisteessä;10 - Erittäin todennäköisesti;Täysin samaa mieltä;"
    "Jokseenkin samaa mieltä;Nopea pääsy;Kyllä;maija@example.fi\n"
    "R-1002;U2;21.11.2026 9:30;Puhelimessa;7;En osaa sanoa;Täysin eri mieltä;Jonotus;Ei;\n"
)


def test_a_webropol_export_maps_its_question_texts_and_labels_and_never_imports_the_contact(county):
    summary = run_import(county, WEBROPOL.encode("cp1252"), profile="webropol")
    assert summary.as_json() == {"read": 2, "inserted": 2, "duplicates": 0, "conflicts": 0, "rejected": 0,
                                 "redacted": 0}
    with session_scope(county) as session:
        rows = session.exec(select(Feedback).order_by(Feedback.source_id)).all()
    assert [(r.source, r.nps, r.saatavuus, r.hyodyllisyys, r.channel, r.collection, r.reply_requested)
            for r in rows] == [("webropol", 10, 5, 4, "toimipiste", "web", True),
                               ("webropol", 7, None, 1, "puhelin", "web", False)]
    assert rows[0].received_at == datetime(2026, 11, 20, 12, 5)
    assert "maija@example.fi" not in database_text(county)
    assert run_import(county, WEBROPOL.encode("cp1252"), profile="webropol").duplicates == 2


def test_the_nhs_export_needs_its_trusts_mapped_and_its_answer_never_becomes_an_nps(county):
    content = NHS_SAMPLE.read_bytes()
    first = run_import(county, content, profile="nhs_fft", file_name="nhs.csv")
    assert (first.read, first.inserted, first.rejected) == (300, 0, 300)
    assert first.notes == ("nhs_not_nps",)
    with session_scope(county) as session:
        assert unmapped_unit_names(session, viewer=admin(county)) == [("nhs_fft", "NEAS"), ("nhs_fft", "NHFT")]
        map_unit(session, viewer=admin(county), source="nhs_fft", source_name="NEAS", unit_code="U1", now=NOW)
        map_unit(session, viewer=admin(county), source="nhs_fft", source_name="NHFT", unit_code="U2", now=NOW)
    with session_scope(county, write=True) as session:
        again = reimport_rejects(session, viewer=admin(county), reject_ids=None, now=NOW)
    # Ten rows carry American dates (10/17/2021): they stay rejected for a person to correct.
    assert (again.read, again.inserted, again.rejected, again.redacted) == (300, 290, 10, 0)
    second = run_import(county, content, profile="nhs_fft", file_name="nhs.csv")
    assert (second.inserted, second.duplicates, second.rejected) == (0, 290, 10)
    with session_scope(county) as session:
        assert session.exec(select(Feedback).where(Feedback.nps.is_not(None))).all() == []
        open_rejects = list_rejects(session, viewer=admin(county))
        stored = set(session.exec(select(Feedback.source_id)).all())
    # The rows still open are exactly the ones with American dates, and none of them was stored.
    assert {r.reason for r in open_rejects} == {"import.reason.bad_time"}
    assert not {r.data["source_id"] for r in open_rejects} & stored
    american = [76, 77, 79, 80, 81, 84, 86, 87, 89, 90]
    assert sorted(r.row_number for r in open_rejects if r.run_id == first.run_id) == american
    # Importing the file again keeps its bad rows once more, with that run.
    assert sorted(r.row_number for r in open_rejects if r.run_id == second.run_id) == american


# --- Hostile files -------------------------------------------------------------------------------

GOOD = native_csv([native_row("g1")])


@pytest.mark.parametrize("content, reason", [
    (b"", "import.file.empty"),
    (b"\x00\x01\x02PNG\x00junk" * 100, "import.file.binary"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "import.file.binary"),
    (GOOD.replace("source_id", "tunniste").encode(), "import.file.missing_columns"),
    (b"nimi,osoite\nMaija,Katu 1\n", "import.file.missing_columns"),
    (GOOD.encode("utf-16"), "import.file.binary"),
    (b"\xef\xbb\xbf" + "ä".encode("cp1252") + GOOD.encode(), "import.file.encoding"),
    (GOOD.encode("cp1252") + b"\x81\x8d\x8f", "import.file.encoding"),
    (GOOD.encode() + b"\x81\x8d\x8f", "import.file.mixed_encoding"),
    (b"PK\x03\x04" + b"not really a workbook" * 50, "import.file.unreadable"),
], ids=["empty", "binary junk", "an image", "missing source_id column", "another table", "utf-16",
        "broken BOM file", "undefined Windows-1252 bytes", "UTF-8 letters and undefined bytes", "a broken zip"])
def test_a_file_that_cannot_be_read_writes_nothing(county, content, reason):
    audit_before = sql_count(county, "audit_event")
    with pytest.raises(FileUnusable) as unusable:
        run_import(county, content)
    assert unusable.value.reason == reason
    assert sql_count(county, "feedback") == 0 and sql_count(county, "import_run") == 0
    assert sql_count(county, "import_reject") == 0 and sql_count(county, "audit_event") == audit_before


@pytest.mark.parametrize("fields, column, reason", [
    ({"nps": "11"}, "nps", "import.reason.out_of_range"),
    ({"nps": "yhdeksän"}, "nps", "import.reason.not_a_number"),
    ({"saatavuus": "0"}, "saatavuus", "import.reason.out_of_range"),
    ({"received_at": "20.11.2026"}, "received_at", "import.reason.bad_time"),
    ({"received_at": "1900-01-01T00:00:00"}, "received_at", "import.reason.implausible_time"),
    ({"received_at": "9999-12-31T22:30:00"}, "received_at", "import.reason.implausible_time"),
    ({"replied_at": "2206-11-20T10:00:00"}, "replied_at", "import.reason.implausible_time"),
    ({"received_at": ""}, "received_at", "import.reason.missing"),
    ({"service_date": "2026-02-30"}, "service_date", "import.reason.bad_date"),
    ({"unit_code": "EI-OLE"}, "unit_code", "import.reason.unknown_unit"),
    ({"channel": "kirje"}, "channel", "import.reason.unknown_value"),
    ({"collection": "fax"}, "collection", "import.reason.unknown_value"),
    ({"language": "de"}, "language", "import.reason.unknown_value"),
    ({"reply_requested": "ehkä"}, "reply_requested", "import.reason.unknown_value"),
    ({"free_text": "x" * 10_001}, "free_text", "import.reason.too_long"),
    ({"open_answer": "y" * 50_000}, "open_answer", "import.reason.too_long"),
    ({"source_id": HETUS[0]}, "source_id", "import.reason.identity_code_in_key"),
    ({"source_id": ""}, "source_id", "import.reason.missing"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 40 else None)
def test_a_bad_row_is_kept_with_its_row_column_and_reason_and_the_others_are_imported(
        county, fields, column, reason):
    content = native_csv([native_row("ok1"), native_row("bad", **fields), native_row("ok2")])
    summary = run_import(county, content)
    assert (summary.read, summary.inserted, summary.rejected) == (3, 2, 1)
    with session_scope(county) as session:
        reject = session.exec(select(ImportReject)).one()
    assert (reject.row_number, reject.column, reject.reason) == (3, column, reason)
    assert HETUS[0] not in database_text(county)


def test_control_characters_and_a_formula_are_stored_as_text_and_neutralised_on_export(county):
    content = native_csv([native_row("f1", free_text="=HYPERLINK(\"http://evil\",\"klikkaa\")\x07",
                                     open_answer="@SUM(1+1)"),
                          native_row("f2", source_id="-2+3", open_answer="+358 ei numero")])
    assert run_import(county, content).inserted == 2
    out = io.StringIO()
    with session_scope(county) as session:
        export_feedback(session, viewer=None, unit_code="C", period=None, policy=ReplyPolicy(), out=out)
    text = out.getvalue()
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and ",'-2+3," in text
    assert "\x07" not in text
    for line in text.splitlines()[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in line.split(","))


def test_duplicates_inside_a_file_are_counted_and_a_changed_copy_is_a_conflict(county):
    content = native_csv([native_row("d1"), native_row("d1"), native_row("d1", nps="2"), native_row("d2")])
    summary = run_import(county, content)
    assert summary.as_json() == {"read": 4, "inserted": 2, "duplicates": 1, "conflicts": 1, "rejected": 0,
                                 "redacted": 0}
    assert not summary.all_taken
    changed = run_import(county, native_csv([native_row("d2", free_text="muutettu")]))
    assert (changed.conflicts, changed.inserted) == (1, 0)
    with session_scope(county) as session:
        assert session.exec(select(Feedback.free_text).where(Feedback.source_id == "d2")).one() is None
        assert {r.reason for r in session.exec(select(ImportReject)).all()} == {"import.reason.conflict"}


def test_no_identity_code_of_the_corpus_reaches_the_database_or_an_export(county):
    rows = [native_row(f"h{i}", free_text=f"Hetuni on {code}, soittakaa 040 765 4321",
                       open_answer=f"{code}", service_code="" if i % 2 else f"{code}")
            for i, code in enumerate(HETUS)]
    rows.append(native_row("bad-hetu", nps="99", free_text=f"{HETUS[1]} ja posti a@b.fi"))
    summary = run_import(county, native_csv(rows))
    assert summary.redacted == len(rows)
    assert summary.inserted == len(HETUS) // 2   # the rows with the code in service_code are rejected
    assert summary.rejected == len(rows) - summary.inserted
    stored = database_text(county)
    assert identity_codes_in(stored) == [] and "040 765 4321" not in stored and "a@b.fi" not in stored
    assert HETU_MASK in stored
    out = io.StringIO()
    with session_scope(county) as session:
        export_feedback(session, viewer=None, unit_code="C", period=None, policy=ReplyPolicy(), out=out)
        assert all(r.redacted for r in session.exec(select(Feedback)).all())
    assert identity_codes_in(out.getvalue()) == []


def test_a_crash_in_the_middle_of_an_import_leaves_nothing_behind(county, monkeypatch):
    monkeypatch.setattr(import_pipeline, "BATCH", 10)
    calls = {"n": 0}
    original = import_pipeline.Pipeline.feed

    def feed_then_crash(self, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")
        return original(self, rows)

    monkeypatch.setattr(import_pipeline.Pipeline, "feed", feed_then_crash)
    with pytest.raises(KeyboardInterrupt):
        run_import(county, native_csv([native_row(f"k{i}") for i in range(50)]))
    assert calls["n"] == 3
    assert sql_count(county, "feedback") == 0 and sql_count(county, "import_run") == 0


def test_a_dry_run_counts_like_an_import_and_writes_nothing(county):
    content = native_csv([native_row("p1"), native_row("p2", nps="x"), native_row("p1")])
    preview = run_import(county, content, dry_run=True)
    assert preview.as_json() == {"read": 3, "inserted": 1, "duplicates": 1, "conflicts": 0, "rejected": 1,
                                 "redacted": 0}
    assert [(r.row_number, r.column) for r in preview.rejects] == [(3, "nps")]
    assert sql_count(county, "feedback") == 0 and sql_count(county, "import_run") == 0
    assert run_import(county, content).as_json() == preview.as_json()


# --- Rejects, corrections, mappings, access ------------------------------------------------------

def test_an_admin_corrects_a_rejected_row_and_it_is_imported_and_audited(county):
    run_import(county, native_csv([native_row("c1", nps="kymmenen", free_text=f"hetu {HETUS[2]}")]))
    with session_scope(county) as session:
        [reject] = list_rejects(session, viewer=admin(county))
    assert reject.data["free_text"] == f"hetu {HETU_MASK}"
    with session_scope(county, write=True) as session:
        summary = correct_reject(session, viewer=admin(county), reject_id=reject.id, seen_version=reject.version,
                                 data={"nps": "10"}, now=NOW)
    assert (summary.inserted, summary.rejected) == (1, 0)
    with session_scope(county) as session:
        assert session.exec(select(Feedback.nps, Feedback.free_text)).one() == (10, f"hetu {HETU_MASK}")
        assert list_rejects(session, viewer=admin(county)) == []
        actions = [a for a in session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
                   if a.startswith("import.")]
        runs = list_runs(session, viewer=admin(county))
    assert actions == ["import.run", "import.reject.correct", "import.reimport"]
    assert [(r.file_name, r.inserted, r.rejected, r.open_rejects) for r in runs] == [
        ("korjatut rivit", 1, 0, 0), ("palaute.csv", 0, 1, 0)]


def test_a_correction_on_a_row_someone_else_changed_is_refused(county):
    run_import(county, native_csv([native_row("s1", nps="x")]))
    with session_scope(county) as session:
        [reject] = list_rejects(session, viewer=admin(county))
    with session_scope(county, write=True) as session:
        correct_reject(session, viewer=admin(county), reject_id=reject.id, seen_version=reject.version,
                       data={"nps": "y"}, now=NOW)
    from data.editing import StaleEdit
    with pytest.raises(StaleEdit), session_scope(county, write=True) as session:
        correct_reject(session, viewer=admin(county), reject_id=reject.id, seen_version=reject.version,
                       data={"nps": "5"}, now=NOW)
    assert sql_count(county, "feedback") == 0


@pytest.mark.parametrize("role, unit", [(Role.SUPERVISOR, "U1"), (Role.DIRECTOR, "C"), (Role.ADMIN, "A")])
def test_only_an_admin_of_the_whole_county_may_import(county, role, unit):
    with session_scope(county) as session:
        someone = person(session, role, unit)
    with pytest.raises(AccessDenied):
        run_import(county, GOOD, actor=someone)
    with pytest.raises(AccessDenied), session_scope(county) as session:
        list_runs(session, viewer=someone)
    assert run_import(county, GOOD, actor=admin(county)).inserted == 1
    with session_scope(county) as session:
        assert session.exec(select(ImportRun.actor)).one() == "admin@C"


# --- Export ----------------------------------------------------------------------------------------

def test_export_writes_the_subtree_in_native_columns_with_status_and_due_time_and_reads_back_as_duplicates(county):
    content = native_csv([native_row("x1", reply_requested="kyllä"), native_row("x2", unit_code="U3"),
                          native_row("x3", received_at="2026-10-01T12:00:00+03:00")])
    run_import(county, content)
    out = io.StringIO()
    with session_scope(county) as session:
        count = export_feedback(session, viewer=None, unit_code="A", period=Period(date(2026, 11, 1),
                                date(2026, 11, 30)), policy=ReplyPolicy(days=14), out=out)
    assert count == 1
    header, line = out.getvalue().splitlines()
    row = dict(zip(header.split(","), line.split(",")))
    assert (row["source_id"], row["unit_code"], row["status"]) == ("x1", "U1", "awaiting")
    assert (row["received_at"], row["due_at"]) == ("2026-11-20T09:15:00+02:00", "2026-12-04T09:15:00+02:00")
    again = run_import(county, out.getvalue())
    assert (again.read, again.duplicates) == (1, 1)


# --- Preparing an upload in a separate process -------------------------------------------------------

def test_an_upload_that_takes_longer_than_its_limit_is_ended_and_reported_and_nothing_is_written(county):
    import multiprocessing

    from data.import_worker import PrepareTimedOut, prepare_apart

    content = native_csv([native_row(f"slow-{i}") for i in range(20_000)]).encode()
    polls = []
    # Starting a process and reading 20 000 rows takes far longer than a tenth of a second.
    with pytest.raises(PrepareTimedOut) as timed_out:
        prepare_apart(county, actor=None, content=content, file_name="iso.csv", profile="native", seconds=0.1,
                      waiting=polls.append)
    assert timed_out.value.seconds == 0.1
    assert multiprocessing.active_children() == []  # the process was ended, not left running
    assert sql_count(county, "feedback") == 0 and sql_count(county, "import_run") == 0


def test_an_upload_prepared_apart_is_stored_like_any_import_and_a_cancel_ends_the_process(county):
    import multiprocessing

    from data.import_worker import import_file, prepare_apart

    content = native_csv([native_row("apart-1"), native_row("apart-2", nps="11")]).encode()
    prepared = prepare_apart(county, actor=None, content=content, file_name="a.csv", profile="native", seconds=60)
    summary = import_file(county, actor=None, content=content, file_name="a.csv", now=NOW,
                          prepare=lambda: [prepared])
    assert summary.as_json() == {"read": 2, "inserted": 1, "duplicates": 0, "conflicts": 0, "rejected": 1,
                                 "redacted": 0}

    class Cancelled(Exception):
        pass

    def cancel(_elapsed):
        raise Cancelled()

    big = native_csv([native_row(f"cancel-{i}") for i in range(20_000)]).encode()
    with pytest.raises(Cancelled):
        prepare_apart(county, actor=None, content=big, file_name="b.csv", profile="native", seconds=60, waiting=cancel)
    assert multiprocessing.active_children() == []
    assert sql_count(county, "feedback") == 1


# --- Limits: hostile files are refused while being read, and nothing is written ----------------

SMALL = ImportLimits(max_bytes=1_000_000, max_rows=20, max_columns=30, max_cell_chars=1_000,
                     max_unzipped_bytes=2_000_000)


def workbook(rows: list[list], *, cells: dict[tuple[int, int], str] | None = None) -> bytes:
    """An .xlsx of these rows (native header first), with extra cells placed by (row, column)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(NATIVE_FIELDS))
    for row in rows:
        sheet.append([row.get(name, "") for name in NATIVE_FIELDS])
    for (row, column), value in (cells or {}).items():
        sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(content: bytes, *, replace: dict[str, bytes] | None = None,
             edit: dict[str, tuple[bytes, bytes]] | None = None) -> bytes:
    """The workbook with parts replaced or added, or edited (pattern → put), as a hostile sender would."""
    replace, edit = replace or {}, edit or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in dict.fromkeys([*source.namelist(), *replace]):
            data = replace[name] if name in replace else source.read(name)
            if name in edit:
                data, found = re.subn(*edit[name], data)
                assert found, f"{edit[name][0]!r} not in {name}"
            target.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    # 60 MB of one letter packs to ~60 kB: a shared string that would unpack a thousandfold.
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + \
        b"a" * 60_000_000 + b"</t></si></sst>"
    return rezipped(workbook([native_row("z1")]), replace={"xl/sharedStrings.xml": shared})


def _wide_claim() -> bytes:
    good = workbook([native_row("w1"), native_row("w2")])
    return rezipped(good, edit={"xl/worksheets/sheet1.xml": (rb'<dimension ref="[A-Z0-9:]+" ?/>',
                                                              b'<dimension ref="A1:XFD1048576"/>')})


def _junk_rows(count: int) -> str:
    return native_csv([native_row(f"r{i}") for i in range(count)])


HOSTILE = [
    pytest.param(lambda: _junk_rows(21).encode(), "palaute.csv", SMALL, "import.file.too_many_rows", "20",
                 id="a CSV with one row too many"),
    pytest.param(lambda: workbook([native_row(f"r{i}") for i in range(25)]), "palaute.xlsx", SMALL,
                 "import.file.too_many_rows", "20", id="a workbook with rows beyond the limit"),
    pytest.param(lambda: workbook([native_row("r1")], cells={(1_048_576, 1): "x"}), "palaute.xlsx", ImportLimits(),
                 "import.file.too_many_rows", "1000000", id="a workbook with a cell on its last row"),
    pytest.param(lambda: (GOOD.rstrip() + "," * 40 + "x\r\n").encode(), "palaute.csv", SMALL,
                 "import.file.too_many_columns", "30", id="a CSV row wider than the limit"),
    pytest.param(lambda: workbook([native_row("r1")], cells={(2, 16_384): "x"}), "palaute.xlsx", ImportLimits(),
                 "import.file.too_many_columns", "500", id="a workbook with a cell in column XFD"),
    pytest.param(lambda: native_csv([native_row("c1", free_text="x" * 1_001)]).encode(), "palaute.csv", SMALL,
                 "import.file.cell_too_long", "1000", id="a CSV cell longer than the limit"),
    pytest.param(lambda: native_csv([native_row("c1", free_text="x\n" * 60_000)]).encode(), "palaute.csv",
                 ImportLimits(), "import.file.cell_too_long", "100000", id="a quoted CSV cell of many lines"),
    pytest.param(lambda: workbook([native_row("c1", free_text="x" * 1_001)]), "palaute.xlsx", SMALL,
                 "import.file.cell_too_long", "1000", id="a workbook cell longer than the limit"),
    pytest.param(lambda: _junk_rows(2).encode() + b" " * 1_000_000, "palaute.csv", SMALL,
                 "import.file.too_big", "1", id="a file larger than the limit"),
    pytest.param(_bomb, "palaute.xlsx", ImportLimits(), "import.file.packed_too_tightly", "100",
                 id="a zip bomb in the shared strings"),
    pytest.param(lambda: rezipped(workbook([native_row("u1")]), replace={"xl/sharedStrings.xml": bytes(range(256)) * 10_000}),
                 "palaute.xlsx", SMALL, "import.file.unzipped_too_big", "2", id="a workbook that unpacks too big"),
    pytest.param(lambda: "source_id;free_text\nx1;ystävällinen\n".encode() + b"x2;caf\xe9\n", "palaute.csv",
                 ImportLimits(), "import.file.mixed_encoding", "3", id="a stray Windows-1252 byte in UTF-8"),
]


@pytest.mark.parametrize("make, file_name, limits, reason, detail", HOSTILE)
def test_a_file_beyond_a_limit_is_refused_while_read_and_nothing_is_written(
        county, make, file_name, limits, reason, detail):
    content = make()
    audit_before = sql_count(county, "audit_event")
    for dry_run in (True, False):
        with pytest.raises(FileUnusable) as refused, session_scope(county, write=True) as session:
            import_feedback(session, actor=None, content=content, file_name=file_name, dry_run=dry_run, now=NOW,
                            limits=limits)
        assert (refused.value.reason, refused.value.detail) == (reason, detail)
    assert sql_count(county, "feedback") == 0 and sql_count(county, "import_run") == 0
    assert sql_count(county, "import_reject") == 0 and sql_count(county, "audit_event") == audit_before


def test_a_workbook_claiming_the_whole_sheet_as_its_size_is_read_as_stored(county):
    summary = run_import(county, _wide_claim(), file_name="palaute.xlsx")
    assert (summary.read, summary.inserted, summary.rejected) == (2, 2, 0)


def test_a_file_just_within_every_limit_is_imported(county):
    summary = run_import(county, native_csv([native_row(f"r{i}", free_text="x" * 1_000) for i in range(20)]))
    assert summary.inserted == 20
    with session_scope(county, write=True) as session:
        again = import_feedback(session, actor=None, now=NOW, file_name="palaute.csv", limits=SMALL,
                                content=native_csv([native_row(f"r{i}", free_text="x" * 1_000)
                                                    for i in range(20)]).encode())
    assert again.duplicates == 20


def test_a_utf8_file_with_a_stray_windows_1252_byte_is_refused_before_any_row_is_read(county):
    content = native_csv([native_row("m1", open_answer="Hoitaja oli ystävällinen")]).encode() + \
        native_csv([native_row("m2", open_answer="caf\u00e9")]).encode("cp1252").split(b"\r\n", 1)[1]
    with pytest.raises(FileUnusable) as refused:
        run_import(county, content)
    assert (refused.value.reason, refused.value.detail) == ("import.file.mixed_encoding", "3")
    assert sql_count(county, "feedback") == 0 and "Ã¤" not in database_text(county)


def test_a_kept_reject_is_cut_just_past_its_fields_maximum_and_stays_rejected_until_corrected(county):
    long_text = "Pitkä palaute. " * 3_000          # 45 000 characters: too long for free_text
    valid_text = "Hyvä palvelu" * 750              # 9 000 characters: long but valid
    run_import(county, native_csv([native_row("t1", free_text=long_text),
                                   native_row("t2", unit_code="EI-OLE", open_answer=valid_text, nps="9" * 500)]))
    with session_scope(county) as session:
        kept = {r.data["source_id"]: r for r in list_rejects(session, viewer=admin(county))}
    assert kept["t1"].data["free_text"] == long_text[:10_000] + "…"
    assert kept["t2"].data["open_answer"] == valid_text
    assert kept["t2"].data["nps"] == "9" * 200 + "…"
    with session_scope(county, write=True) as session:
        again = reimport_rejects(session, viewer=admin(county), reject_ids=None, now=NOW)
    assert (again.read, again.inserted, again.rejected) == (2, 0, 2)
    with session_scope(county, write=True) as session:
        map_unit(session, viewer=admin(county), source="kysely", source_name="EI-OLE", unit_code="U1", now=NOW)
        correct_reject(session, viewer=admin(county), reject_id=kept["t2"].id, seen_version=kept["t2"].version + 1,
                       data={"nps": "9"}, now=NOW)
    with session_scope(county) as session:
        assert session.exec(select(Feedback.open_answer)).one() == valid_text


def test_open_rejects_are_listed_a_page_at_a_time_in_file_order(county):
    run_import(county, native_csv([native_row(f"p{i}", nps="x") for i in range(7)]))
    with session_scope(county) as session:
        viewer = admin(county)
        assert rejects.count_rejects(session, viewer=viewer) == 7
        pages = [list_rejects(session, viewer=viewer, limit=3, offset=start) for start in (0, 3, 6)]
    assert [[r.row_number for r in page] for page in pages] == [[2, 3, 4], [5, 6, 7], [8]]


def test_all_open_rejects_are_imported_again_in_batches_of_several_profiles(county, monkeypatch):
    monkeypatch.setattr(rejects, "BATCH", 3)
    run_import(county, native_csv([native_row(f"b{i}", unit_code="EI-OLE" if i % 2 else "U9") for i in range(8)]))
    run_import(county, NHS_SAMPLE.read_bytes(), profile="nhs_fft", file_name="nhs.csv")
    with session_scope(county, write=True) as session:
        for name, code in (("EI-OLE", "U1"), ("U9", "U2")):
            map_unit(session, viewer=admin(county), source="kysely", source_name=name, unit_code=code, now=NOW)
        map_unit(session, viewer=admin(county), source="nhs_fft", source_name="NEAS", unit_code="U1", now=NOW)
        map_unit(session, viewer=admin(county), source="nhs_fft", source_name="NHFT", unit_code="U2", now=NOW)
    with session_scope(county, write=True) as session:
        again = reimport_rejects(session, viewer=admin(county), reject_ids=None, now=NOW)
    assert (again.read, again.inserted, again.rejected) == (308, 298, 10)
    with session_scope(county) as session:
        assert rejects.count_rejects(session, viewer=admin(county)) == 10
        versions = set(session.exec(select(ImportReject.version)).all())
    assert versions == {2}   # each reject was handled exactly once
