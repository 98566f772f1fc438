"""Content in the reader's language on the pages (issue 17): the kanban edits an action's public text in
Finnish, Swedish and English side by side; the public page and the wall board give the reader's language or
the Finnish text marked "(på finska)" with lang="fi"; /admin lists what lacks a translation."""
from __future__ import annotations

from datetime import timedelta

from auth.roles import Role
from board.stages import Stage
from data.actions import add_action, publish_action
from data.db import session_scope
from tests.conftest import app_now
from tests.factories import add_theme, person
from tests.ui.conftest import open_page
from tests.ui.test_kanban_page import KANBAN, actions_of, board, button, open_theme, shown  # noqa: F401

PUBLIC = "pages/public.py"
HUDDLE = "pages/huddle.py"
ADMIN = "pages/admin.py"


def html_of(app) -> str:
    """The HTML our in_language() helper hands to st.html (AppTest keeps its body)."""
    return "\n".join(str(node.proto.body) for node in app.get("html"))


def test_the_public_text_is_written_in_three_languages_side_by_side_and_saved_together(board):
    app = open_theme(open_page(KANBAN, as_="ui:supervisor", unit="U1"), board.group)
    prefix = f"add-{board.group}"
    fields = [app.text_area(key=f"{prefix}-public"), app.text_area(key=f"{prefix}-public-sv"),
              app.text_area(key=f"{prefix}-public-en")]
    assert [f.label for f in fields] == ["Suomeksi (tarvitaan julkaisuun)", "Ruotsiksi (valinnainen)",
                                         "Englanniksi (valinnainen)"]
    # Side by side: each in its own column of one row.
    columns = [[n.key for n in column.text_area if (n.key or "").startswith(f"{prefix}-public")] for column in app.columns]
    assert [keys for keys in columns if keys] == [[f"{prefix}-public"], [f"{prefix}-public-sv"],
                                                 [f"{prefix}-public-en"]]
    app.text_area(key=f"{prefix}-text").input("Lisäsimme aamuun puhelinvuoron")
    fields[0].input("Soitamme takaisin samana päivänä.")
    fields[1].input("Vi ringer tillbaka samma dag.")
    button(app, "Kirjaa toimenpide").click().run()
    [action] = actions_of(board.engine, board.group)
    assert (action.public_text, action.public_text_sv, action.public_text_en) == (
        "Soitamme takaisin samana päivänä.", "Vi ringer tillbaka samma dag.", None)
    listed = shown(app.get_by_key(f"action-{action.id}"))
    assert "Julkinen teksti ruotsiksi:" in listed and "Ei vielä käännöstä: englanti" in listed
    assert 'lang="sv">Vi ringer tillbaka samma dag.' in html_of(app)

    edit = f"edit-action-{action.id}-v1"
    assert app.text_area(key=f"{edit}-public-sv").value == "Vi ringer tillbaka samma dag."
    app.text_area(key=f"{edit}-public-en").input("We call back the same day.")
    button(app, "Tallenna toimenpide").click().run()
    assert actions_of(board.engine, board.group)[0].public_text_en == "We call back the same day."
    assert "Ei vielä käännöstä" not in shown(app.get_by_key(f"action-{action.id}"))


def test_the_topic_picker_and_history_speak_swedish_on_a_swedish_kanban(board):
    with session_scope(board.engine, write=True) as session:
        viewer = person(session, Role.SUPERVISOR, "U1")
        action = add_action(session, viewer=viewer, theme_id=board.group, taken_on=app_now().date(), text="Gjort",
                            public_text="Tehty", now=app_now())
        action_id = action.id
    app = open_theme(open_page(KANBAN, as_="ui:supervisor", unit="U1", lang="sv"), board.group)
    picker = app.selectbox(key=f"topic-{action_id}-v1")
    assert "Jag fick hjälp när jag behövde den" in picker.options
    picker.select("saatavuus").run()
    history = next(tab for tab in app.get("tab") if tab.label == "Historik")
    text = shown(history)
    assert "Jag fick hjälp när jag behövde den" in text
    assert "action.topic" not in text and "topic:" not in text and "saatavuus" not in text


def _published(engine, *, sv: str | None = None) -> None:
    now = app_now()
    with session_scope(engine, write=True) as session:
        theme = add_theme(session, "U1", Stage.DONE, now - timedelta(days=3), title="Puhelinjonot")
        viewer = person(session, Role.SUPERVISOR, "U1")
        made = add_action(session, viewer=viewer, theme_id=theme.id, taken_on=now.date() - timedelta(days=1),
                          text="Sisäinen", public_text="Lisäsimme soittoaikoja",
                          translations={"sv": sv} if sv else None, now=now)
        publish_action(session, viewer=viewer, action_id=made.id, seen_version=made.version, publish=True, now=now)


def test_a_swedish_reader_of_the_public_page_gets_finnish_marked_and_with_its_language(county):
    _published(county)
    app = open_page(PUBLIC, as_=None, lang="sv")
    assert '<span lang="fi">Lisäsimme soittoaikoja</span>' in html_of(app)
    assert "(på finska)" in html_of(app)


def test_an_english_reader_gets_the_english_text_without_a_mark_and_a_finnish_reader_no_mark(county):
    _published(county, sv="Vi lade till telefontider")
    app = open_page(PUBLIC, as_=None, lang="sv")
    assert '<span lang="sv">Vi lade till telefontider</span>' in html_of(app)
    assert "(på finska)" not in html_of(app)
    finnish = open_page(PUBLIC, as_=None, lang="fi")
    assert '<span lang="fi">Lisäsimme soittoaikoja</span>' in html_of(finnish) and "(suomeksi)" not in html_of(finnish)


def test_a_swedish_wall_board_marks_the_finnish_theme_titles_and_actions(county):
    _published(county)
    with session_scope(county, write=True) as session:
        add_theme(session, "U1", Stage.TRIAL, app_now() - timedelta(days=3), title="Odotusaika")
    app = open_page(HUDDLE, unit="U1", lang="sv")
    html = html_of(app)
    # On the wall a long text is cut with "…": the mark comes first so that it is never cut off.
    assert '<span class="vartti-language-note">(på finska)</span> <span lang="fi"><strong>Odotusaika</strong>' in html
    assert '<span class="vartti-language-note">(på finska)</span> <span lang="fi">Sisäinen</span>' in html


def test_admin_sees_the_units_whose_published_actions_lack_a_translation(county):
    _published(county, sv="Vi lade till telefontider")
    app = open_page(ADMIN, as_="ui:admin")
    assert "Julkaistut toimenpiteet ilman käännöstä" in [s.value for s in app.subheader]
    rows = [row for frame in app.dataframe for row in frame.value.to_dict("records") if "Kieli" in row]
    assert rows == [{"Yksikkö": "Keskustan terveysasema (U1)", "Kieli": "englanti", "Ilman käännöstä": 1,
                     "Julkaistuja": 1}]
