"""Directors' reporting on SQLite and PostgreSQL: honest reply rates, the comment kept with a report, the PDF."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from board.periods import Period, month_period
from data.__main__ import main
from data.models import AuditEvent
from data.report_tables import ReportComment
from data.report import build_report, report_comment, save_report_comment
from data.rollup import rollup
from data.editing import StaleEdit
from data.settings import Settings
from tests.factories import add_feedback, everyone, make_tree, person

SETTINGS = Settings(database_url="unused", min_n=5, reply_days=14)
NOW = datetime(2026, 12, 2, 8, 0)  # two days into December
DECEMBER_SO_FAR = Period(date(2026, 12, 1), date(2026, 12, 2))
NOVEMBER = month_period(2026, 11)


@pytest.fixture
def county(session):
    make_tree(session, NOW)
    return session


def test_answered_in_time_counts_only_requests_whose_deadline_has_passed(county):
    early = datetime(2026, 11, 3, 9, 0)  # due 17.11.: past
    late = datetime(2026, 11, 25, 9, 0)  # due 9.12.: not yet
    add_feedback(county, "U1", early, reply_requested=True, replied_at=early + timedelta(days=2))
    add_feedback(county, "U1", early, reply_requested=True, replied_at=early + timedelta(days=20))
    add_feedback(county, "U1", early, reply_requested=True)
    add_feedback(county, "U2", late, reply_requested=True, replied_at=late + timedelta(days=1))
    add_feedback(county, "U2", late, reply_requested=True)
    add_feedback(county, "U2", early, reply_requested=True, no_reply_reason="ei yhteystietoja")
    node = rollup(county, viewer=everyone(), unit_code="C", period=NOVEMBER, kind="month", now=NOW,
                  settings=SETTINGS).node("C")
    assert (node.replies_due, node.replies_due_in_time, node.replies_not_yet_due) == (3, 1, 2)


def test_a_running_month_is_compared_with_the_same_days_of_the_month_before(county):
    for day in (1, 2, 20):
        add_feedback(county, "U1", datetime(2026, 11, day, 9, 0), nps=10)
    result = rollup(county, viewer=everyone(), unit_code="C", period=DECEMBER_SO_FAR, kind="month", now=NOW,
                    settings=SETTINGS)
    assert result.previous == Period(date(2026, 11, 1), date(2026, 11, 2))
    assert result.node("C").previous.volume == 2


def test_the_directors_comment_is_kept_with_the_period_screened_and_audited(county):
    director = everyone()
    save_report_comment(county, viewer=director, unit_code="A", kind="month", period=NOVEMBER,
                        text="  Soita 040 1234567 jos kysyttävää. ", seen_version=None, now=NOW)
    saved = report_comment(county, viewer=director, unit_code="A", kind="month", period=NOVEMBER)
    assert saved.version == 1 and "040 1234567" not in saved.text and saved.text.startswith("Soita")
    first_text = saved.text
    assert report_comment(county, viewer=director, unit_code="A", kind="month", period=month_period(2026, 10)) is None
    save_report_comment(county, viewer=director, unit_code="A", kind="month", period=NOVEMBER, text="Hyvä kuukausi.",
                        seen_version=1, now=NOW)
    assert report_comment(county, viewer=director, unit_code="A", kind="month", period=NOVEMBER).text == "Hyvä kuukausi."
    audit = county.exec(select(AuditEvent).where(AuditEvent.action == "report.comment").order_by(AuditEvent.id)).all()
    assert [a.before for a in audit][1] == {"text": first_text} and audit[1].after["text"] == "Hyvä kuukausi."


def test_a_comment_changed_by_someone_else_is_not_overwritten(county):
    save_report_comment(county, viewer=everyone(), unit_code="A", kind="month", period=NOVEMBER, text="Eka",
                        seen_version=None, now=NOW)
    with pytest.raises(StaleEdit):
        save_report_comment(county, viewer=everyone(), unit_code="A", kind="month", period=NOVEMBER, text="Toka",
                            seen_version=None, now=NOW)
    assert county.exec(select(ReportComment)).one().text == "Eka"


def test_only_those_who_may_roll_up_the_unit_comment_on_its_report(county):
    with pytest.raises(AccessDenied):
        save_report_comment(county, viewer=person(county, Role.SUPERVISOR, "U1"), unit_code="A", kind="month",
                            period=NOVEMBER, text="Ei minun", seen_version=None, now=NOW)


def test_the_report_lists_every_action_of_the_period(county):
    from tests.factories import add_action, add_theme
    from board.stages import Stage
    theme = add_theme(county, "U1", Stage.TRIAL, datetime(2026, 10, 1))
    for day in range(1, 36):
        add_action(county, theme, date(2026, 10, 1) + timedelta(days=day), f"Toimenpide {day}")
    report = build_report(county, viewer=everyone(), unit_code="C", kind="quarter",
                          period=Period(date(2026, 10, 1), date(2026, 12, 2)), now=NOW, today=NOW.date(),
                          settings=SETTINGS)
    assert len(report.actions) == 35 and len(report.themes) == 1


def test_python_m_data_report_writes_the_pdf_of_the_report(county, database_url, monkeypatch, tmp_path):
    county.commit()
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_NOW", "2026-12-02T10:00")
    out = tmp_path / "raportti.pdf"
    assert main(["report", "--unit", "A", "--period", "2026-Q3", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Perusterveydenhuolto" in text and "Q3/2026" in text and "tulostettu 2.12.2026" in text


@pytest.mark.parametrize("argv", [
    ["report", "--unit", "EI-OLE", "--period", "2026-Q3"],
    ["report", "--unit", "A", "--period", "2026-Q5"],
    ["report", "--unit", "A", "--period", "marraskuu"],
    ["report", "--unit", "A", "--period", "1999"],
])
def test_python_m_data_report_refuses_an_unknown_unit_or_period(county, database_url, monkeypatch, tmp_path, argv):
    county.commit()
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    out = tmp_path / "raportti.pdf"
    assert main([*argv, "--out", str(out)]) == 2
    assert not out.exists()


def test_the_pdf_of_the_command_line_has_the_pages_charts(county, database_url, monkeypatch, tmp_path):
    county.commit()
    monkeypatch.setenv("VARTTI_DATABASE_URL", database_url)
    monkeypatch.setenv("VARTTI_DEMO", "1")
    monkeypatch.setenv("VARTTI_NOW", "2026-12-02T10:00")
    out = tmp_path / "raportti.pdf"
    assert main(["report", "--unit", "C", "--period", "2026-11", "--out", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kaaviot" in text and "NPS kuukausittain: Testin hyvinvointialue" in text


def test_the_report_command_runs_without_streamlit_or_the_pages():
    code = ("import sys, data.report_cli, data.report_html; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'pages')); print(bad)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"
