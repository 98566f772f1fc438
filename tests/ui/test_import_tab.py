"""The "Tuonnit" tab of /admin (AppTest): runs, rejects corrected and imported again, unit mappings."""
from __future__ import annotations

from sqlmodel import select

from data.db import session_scope
from data.imports import import_feedback
from data.models import AuditEvent, Feedback
from tests.conftest import app_now
from tests.import_support import native_csv, native_row
from tests.ui.conftest import open_page

NHS_LIKE = "Comment ID,Trust,Date,FFT answer\nQ1,Northern Trust,01/11/2026,Kind staff\nQ2,Northern Trust,02/11/2026,\n"



def table_with(app, column: str):
    """The table on the admin page that has this column (other tabs draw tables of their own)."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)

def _import(engine, content: str, profile: str = "native", name: str = "palaute.csv"):
    with session_scope(engine, write=True) as session:
        return import_feedback(session, actor=None, content=content.encode(), file_name=name, profile=profile,
                               now=app_now())


def _shown(app) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "warning", "error", "info", "success", "subheader")
                     for e in getattr(app, kind))


def test_the_import_tab_lists_the_runs_and_the_rejects_with_their_reasons_in_finnish(county):
    _import(county, native_csv([native_row("a1"), native_row("a2", nps="11")]))
    app = open_page("pages/admin.py", as_="ui:admin")
    assert not app.exception
    assert "Tuonnit" in [t.label for t in app.tabs]
    runs, rejects = table_with(app, "Hylätty"), table_with(app, "Rivi")
    assert list(runs["Tiedosto"]) == ["#1 palaute.csv"] and list(runs["Hylätty"]) == ["1"]
    assert list(rejects["Rivi"]) == [3] and list(rejects["Syy"]) == ["luku on sallitun asteikon ulkopuolella"]


def test_the_counts_of_a_big_run_are_grouped_as_the_reader_reads_numbers(county):
    _import(county, native_csv(native_row(f"g{i}") for i in range(1_200)))
    app = open_page("pages/admin.py", as_="ui:admin")
    runs = table_with(app, "Hylätty")
    assert (list(runs["Luettu"]), list(runs["Uusia"])) == (["1\u00a0200"], ["1\u00a0200"])


def test_an_admin_corrects_a_reject_on_the_page_and_the_row_is_imported(county):
    _import(county, native_csv([native_row("c1", nps="kymmenen")]))
    app = open_page("pages/admin.py", as_="ui:admin")
    [reject] = [s for s in app.selectbox if s.key == "import-reject"]
    field = next(t for t in app.text_input if t.label == "nps")
    assert field.value == "kymmenen"
    field.input("10")
    next(b for b in app.button if b.label == "Tallenna korjaus ja tuo rivi").click().run()
    assert not app.exception
    assert "Rivi tuotiin." in _shown(app) and "Ei avoimia hylättyjä rivejä." in _shown(app)
    with session_scope(county) as session:
        assert session.exec(select(Feedback.nps)).all() == [10]
        actions = set(session.exec(select(AuditEvent.action)).all())
    assert {"import.reject.correct", "import.reimport"} <= actions


def test_an_admin_maps_an_unknown_trust_to_a_unit_and_imports_the_open_rows_again(county):
    _import(county, NHS_LIKE, profile="nhs_fft", name="nhs.csv")
    app = open_page("pages/admin.py", as_="ui:admin")
    assert app.selectbox(key="import-map-name").options == ["Northern Trust (nhs_fft)"]
    app.selectbox(key="import-map-unit").select("U2")
    next(b for b in app.button if b.label == "Tallenna vastaavuus").click().run()
    assert "Vastaavuus tallennettu." in _shown(app)
    next(b for b in app.button if b.label == "Tuo kaikki avoimet rivit uudelleen").click().run()
    assert not app.exception
    assert "Uudelleen tuotu: 2 uutta" in _shown(app)
    with session_scope(county) as session:
        assert len(session.exec(select(Feedback)).all()) == 2


def test_the_import_tab_is_not_offered_to_a_supervisor(county):
    app = open_page("pages/admin.py", as_="ui:supervisor")
    assert "Tuonnit" not in [t.label for t in app.tabs]


def test_an_upload_beyond_the_row_limit_is_refused_in_finnish_and_nothing_is_written(county, monkeypatch):
    monkeypatch.setenv("VARTTI_IMPORT_MAX_ROWS", "3")
    content = native_csv(native_row(f"r{i}") for i in range(4)).encode()
    app = open_page("pages/admin.py", as_="ui:admin")
    for button in ("Esikatsele (ei tallenna)", "Tuo palautteet"):
        app.file_uploader(key="import-file").set_value(("palaute.csv", content, "text/csv"))
        next(b for b in app.button if b.label == button).click().run()
        assert not app.exception
        assert ("Tiedostoa ei voi lukea, mitään ei tallennettu: tiedostossa on yli 3 riviä "
                "(asetus VARTTI_IMPORT_MAX_ROWS)") in [e.value for e in app.error]
    with session_scope(county) as session:
        assert session.exec(select(Feedback)).all() == []


def test_the_rejects_are_shown_a_page_at_a_time(county):
    _import(county, native_csv(native_row(f"p{i}", nps="x") for i in range(105)))
    app = open_page("pages/admin.py", as_="ui:admin")
    assert list(table_with(app, "Rivi")["Rivi"]) == list(range(2, 102))
    assert "Avoimia hylättyjä rivejä 105, tällä sivulla 1–100." in [c.value for c in app.caption]
    app.number_input(key="import-rejects-page").set_value(2).run()
    assert not app.exception
    assert list(table_with(app, "Rivi")["Rivi"]) == list(range(102, 107))
    assert "Avoimia hylättyjä rivejä 105, tällä sivulla 101–105." in [c.value for c in app.caption]


# --- dropfolder15: the drop folder's section ----------------------------------------------------

def test_the_drop_folder_section_says_it_is_not_in_use_without_the_setting(county, monkeypatch):
    monkeypatch.delenv("VARTTI_DROP_DIR", raising=False)
    app = open_page("pages/admin.py", as_="ui:admin")
    assert not app.exception
    assert "Pudotuskansio ei ole käytössä (asetus VARTTI_DROP_DIR)." in [c.value for c in app.caption]


def test_a_missing_drop_folder_is_an_error_on_the_page(county, monkeypatch, tmp_path):
    monkeypatch.setenv("VARTTI_DROP_DIR", str(tmp_path / "ei-ole"))
    app = open_page("pages/admin.py", as_="ui:admin")
    assert not app.exception
    assert any("ei ole, tai se ei ole kansio" in e.value for e in app.error)


def test_the_drop_folder_section_lists_files_waiting_in_partial_and_unreadable_in_swedish(county, monkeypatch,
                                                                                           tmp_path):
    folder = tmp_path / "drop"
    for name, file in (("partial", "osa.csv"), ("unreadable", "rikki.csv"), (".", "tulossa.csv")):
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / file).write_text("x")
    monkeypatch.setenv("VARTTI_DROP_DIR", str(folder))
    app = open_page("pages/admin.py", as_="ui:admin", lang="sv")
    assert not app.exception
    assert "Inga filer har importerats från mappen ännu." in _shown(app)
    assert "1 filer väntar på import i mappen." in [c.value for c in app.caption]
    waiting = next(d.value for d in app.dataframe if "Mapp" in d.value.columns)
    assert sorted(zip(waiting["Mapp"], waiting["Fil"])) == [
        ("delvis importerad – de avvisade raderna nedan", "osa.csv"), ("oläslig – inget importerades", "rikki.csv")]
