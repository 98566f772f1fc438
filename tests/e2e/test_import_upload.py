"""Issue 5's "done when" in real Chromium: the county's admin uploads a feedback file with bad rows on
/admin → Tuonnit, previews it, imports it, corrects a rejected row and imports it again.
"""
from __future__ import annotations


import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from data.db import make_engine, session_scope
from data.models import Feedback
from tests.e2e.conftest import DemoServer, goto, settled_shot, wait_for_app
from tests.import_support import HETUS, native_csv, native_row

pytestmark = pytest.mark.e2e

ADMIN = "Pääkäyttäjä – koko hyvinvointialue"
UNIT = "PTH-TA-KESK"


def _rows(server: DemoServer, source: str):
    engine = make_engine(server.env["VARTTI_DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            return session.exec(select(Feedback.source_id, Feedback.nps, Feedback.free_text)
                                .where(Feedback.source == source).order_by(Feedback.source_id)).all()
    finally:
        engine.dispose()


def test_an_admin_uploads_a_file_with_bad_rows_corrects_one_and_imports_it_again(page: Page, demo_server,
                                                                                 page_errors, tmp_path):
    source = "e2e-kysely"
    rows = [native_row("e2e-1", source=source, unit_code=UNIT, free_text=f"Hetuni on {HETUS[0]}"),
            native_row("e2e-2", source=source, unit_code=UNIT, nps="11"),
            native_row("e2e-3", source=source, unit_code="EI-OLE"),
            native_row("e2e-4", source=source, unit_code=UNIT, open_answer="=HYPERLINK(\"x\")")]
    upload = tmp_path / "kysely.csv"
    upload.write_bytes(native_csv(rows, delimiter=";").encode("cp1252"))

    goto(page, demo_server, "/admin", "Ylläpito", demo_person=ADMIN)
    page.get_by_role("tab", name="Tuonnit").click()
    wait_for_app(page, "Tuotava tiedosto")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    expect(page.get_by_text("kysely.csv").first).to_be_visible()

    page.get_by_role("button", name="Esikatsele (ei tallenna)").click()
    wait_for_app(page, "Esikatselu – mitään ei ole vielä tallennettu")
    expect(page.get_by_test_id("stMetric").filter(has_text="Hylätty")).to_contain_text("2")
    expect(page.get_by_test_id("stMetric").filter(has_text="Peitetty")).to_contain_text("1")
    settled_shot(page, "import-1-preview")
    assert _rows(demo_server, source) == []

    page.get_by_role("tab", name="Tuonnit").click()
    page.get_by_role("button", name="Tuo palautteet").click()
    wait_for_app(page, "Tuonti valmis: 2 uutta")
    page.get_by_role("tab", name="Tuonnit").click()
    expect(page.get_by_text("Hylätyt rivit").first).to_be_visible()
    settled_shot(page, "import-2-imported-with-rejects")
    stored = _rows(demo_server, source)
    assert [r.source_id for r in stored] == ["e2e-1", "e2e-4"]
    assert HETUS[0] not in (stored[0].free_text or "") and "[henkilötunnus]" in stored[0].free_text

    # The first open reject is row 3 (nps 11): correct it to 8 and import it again.
    nps = page.get_by_label("nps", exact=True)
    expect(nps).to_have_value("11")
    nps.scroll_into_view_if_needed()
    settled_shot(page, "import-2b-correction-form")
    nps.fill("8")
    nps.press("Tab")
    page.get_by_role("button", name="Tallenna korjaus ja tuo rivi").click()
    wait_for_app(page, "Rivi tuotiin.")
    page.get_by_role("tab", name="Tuonnit").click()
    # Only row 4 (an unknown unit) is left to correct or to map.
    expect(page.get_by_label("unit_code", exact=True)).to_have_value("EI-OLE")
    page.get_by_text("Hylätyt rivit").first.scroll_into_view_if_needed()
    settled_shot(page, "import-3-corrected")
    assert [(r.source_id, r.nps) for r in _rows(demo_server, source)] == [("e2e-1", 9), ("e2e-2", 8), ("e2e-4", 9)]
    assert page_errors == []
