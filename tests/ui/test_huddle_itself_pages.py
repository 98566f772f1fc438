"""Huddle mode, the capture page and the escalation panel in AppTest, per role and for a kiosk screen."""
from __future__ import annotations

from datetime import timedelta

from data.db import session_scope
from data.huddle import issue_capture_link
from data.kiosk import create_kiosk_link
from tests.conftest import app_now
from tests.factories import everyone, person
from auth.roles import Role
from tests.ui.conftest import open_page

HUDDLE, CAPTURE = "pages/huddle.py", "pages/capture.py"


def with_tools(app):
    """The board with the huddle's own tools shown (hidden, the board fits the wall without scrolling)."""
    assert "Aloita 5 min huddle" not in [b.label for b in app.button]
    return app.button(key="huddle-tools").click().run()


def shown(app) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "subheader", "error", "success", "title", "text")
                     for e in getattr(app, kind))


def test_a_team_member_starts_a_huddle_and_sees_the_first_step_with_its_time(county):
    app = with_tools(open_page(HUDDLE, as_="ui:team", unit="U1"))
    next(b for b in app.button if b.label == "Aloita 10 min huddle").click().run()
    assert not app.exception
    assert "1/5 · Mikä muuttui eilisestä" in shown(app)
    assert "Aikaa jäljellä tässä kohdassa 2:00" in shown(app)


def test_a_kiosk_screen_runs_huddle_mode_without_the_capture_form_or_prompt_editor(county):
    with session_scope(county, write=True) as session:
        token = create_kiosk_link(session, viewer=person(session, Role.SUPERVISOR, "U1"), unit_code="U1",
                                  label="Tauko", now=app_now(), valid_days=None)
    app = with_tools(open_page(None, as_=None, unit="U1", screen=token))
    assert not app.exception
    labels = [b.label for b in app.button]
    assert "Aloita 5 min huddle" in labels and "Näytä QR-koodi" in labels
    assert "Lisää Tunnistettu-sarakkeeseen" not in labels
    assert not [e for e in app.expander if e.label == "Muokkaa yksikön huddle-kysymyksiä"]


def test_the_capture_page_refuses_a_token_it_does_not_know(county):
    app = open_page(CAPTURE, as_=None, token="arvattu")
    assert "Linkki ei ole voimassa" in shown(app)
    assert not app.text_input


def test_the_capture_page_adds_an_idea_with_a_valid_token_without_sign_in(county):
    with session_scope(county, write=True) as session:
        issued = issue_capture_link(session, viewer=everyone(), unit_code="U1", now=app_now() - timedelta(minutes=1))
    app = open_page(CAPTURE, as_=None, token=issued.token)
    assert app.title[0].value == "Idea tai ongelma: Keskustan terveysasema"
    app.text_input[0].input("Ovikello <script>x</script>")
    next(b for b in app.button if b.label == "Lähetä").click().run()
    assert "Kiitos! Idea on nyt yksikön kanbanissa: Tunnistettu." in shown(app)


def test_huddle_mode_takes_the_place_of_the_lower_panels_and_gives_it_back(county):
    def panels(app) -> set[str]:
        keys = {getattr(block.proto, "id", "") for block in app.main}  # top level only: look deeper below
        keys |= {str(node.key) if hasattr(node, "key") else "" for node in _walk(app.main)}
        return {k for k in keys if k and ("panel-" in k or "tile-" in k or "huddle-tools-area" in k)}

    app = open_page(HUDDLE, as_="ui:supervisor", unit="U1")
    before = panels(app)
    assert any("panel-trend" in k for k in before) and not any("huddle-tools-area" in k for k in before)
    app = with_tools(app)
    during = panels(app)
    assert any("huddle-tools-area" in k for k in during) and any("tile-" in k for k in during)
    assert not any("panel-" in k for k in during)
    app.button(key="huddle-tools").click().run()
    assert any("panel-fixed" in k for k in panels(app))


def _walk(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)
