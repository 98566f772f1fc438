"""/duels and /duel in AppTest: a supervisor starts a duel and hides an item, a participant adds an answer and
votes without signing in, a closed duel takes no votes, another area is refused. SQLite and PostgreSQL."""
from __future__ import annotations

from sqlmodel import select

from auth.access import Grant, Viewer
from auth.roles import Role
from data.db import session_scope
from data.duel_tables import Duel, DuelItem, DuelVote
from data.duels import close_duel, start_duel
from data.organisation import unit_by_code
from tests.conftest import app_now
from tests.ui.conftest import open_page

DUELS = "pages/duels.py"
DUEL = "pages/duel.py"
TYPED = ["Jonot puhelimeen", "Pysäköinti", "Aulan istumapaikat"]


def _supervisor(session) -> Viewer:
    unit = unit_by_code(session, "U1")
    return Viewer(subject="ui:supervisor", name="Esihenkilö", grants=(Grant(Role.SUPERVISOR, "U1", unit.path),))


def _duel(engine, *, closed: bool = False) -> Duel:
    with session_scope(engine, write=True) as session:
        duel = start_duel(session, viewer=_supervisor(session), unit_code="U1", question="Mitä kehitämme?",
                          typed=TYPED, now=app_now())
        if closed:
            close_duel(session, viewer=_supervisor(session), duel_id=duel.id, seen_version=duel.version,
                       now=app_now())
        session.expunge(duel)
    return duel


def _rows(engine, model, **where):
    with session_scope(engine) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        rows = session.exec(query).all()
        for row in rows:
            session.expunge(row)
        return rows


def _texts(app) -> str:
    kinds = ("title", "subheader", "markdown", "caption", "text", "warning", "error", "info", "success", "toast")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(app, kind)).replace("\\", "")


def test_a_supervisor_starts_a_duel_from_typed_items(county):
    app = open_page(DUELS, as_="ui:supervisor", unit="U1")
    assert not app.exception
    app.text_input(key="duels-question").set_value("Mitä kehitämme ensin?")
    app.text_area(key="duels-typed").set_value("\n".join(TYPED))
    next(b for b in app.button if b.label == "Aloita vertailu").click()
    app.run()
    assert not app.exception
    duel = _rows(county, Duel)[0]
    assert duel.question == "Mitä kehitämme ensin?"
    assert sorted(i.text for i in _rows(county, DuelItem, duel_id=duel.id)) == sorted(TYPED)
    assert "Mitä kehitämme ensin?" in _texts(app)


def test_a_supervisor_hides_an_item_and_it_leaves_the_duel(county):
    duel = _duel(county)
    item = next(i for i in _rows(county, DuelItem, duel_id=duel.id) if i.text == "Pysäköinti")
    app = open_page(DUELS, as_="ui:supervisor", unit="U1")
    app.button(key=f"duels-hide-{item.id}").click()
    app.run()
    assert not app.exception
    assert _rows(county, DuelItem, id=item.id)[0].hidden_at is not None
    assert app.button(key=f"duels-hide-{item.id}").label == "Palauta"


def test_a_participant_adds_an_answer_and_votes_without_signing_in(county):
    duel = _duel(county)
    app = open_page(DUEL, as_=None, d=duel.code)
    assert not app.exception
    assert "Mitä kehitämme?" in _texts(app)
    app.text_area(key="duel-own").set_value("Iltavastaanotto")
    next(b for b in app.button if b.label == "Lisää vastaus").click()
    app.run()
    own = _rows(county, DuelItem, duel_id=duel.id, origin="participant")
    assert [i.text for i in own] == ["Iltavastaanotto"]
    app.button(key="duel-left").click()
    app.run()
    assert not app.exception
    votes = _rows(county, DuelVote, duel_id=duel.id)
    assert len(votes) == 1 and votes[0].winner_item_id == votes[0].left_item_id
    assert "Olet tehnyt 1 valinnan." in _texts(app)


def test_a_closed_duel_shows_that_it_is_closed_and_offers_no_pair(county):
    duel = _duel(county, closed=True)
    app = open_page(DUEL, as_=None, d=duel.code)
    assert not app.exception
    assert [i.value for i in app.info] == ["Tämä vertailu on päättynyt. Kiitos osallistumisesta!"] or \
        "päättynyt" in _texts(app)
    assert not [b for b in app.button if b.key in ("duel-left", "duel-right", "duel-skip")]
    page = open_page(DUELS, as_="ui:supervisor", unit="U1")
    assert not [b for b in page.button if b.label == "Päätä vertailu"]


def test_an_unknown_code_is_told_calmly(county):
    app = open_page(DUEL, as_=None, d="no-such-code")
    assert not app.exception and app.warning


def test_another_areas_supervisor_sees_no_duel_the_director_only_reads_and_the_team_is_refused(county):
    duel = _duel(county)
    with session_scope(county, write=True) as session:
        from data.access import add_grant
        add_grant(session, actor=None, principal="ui:other", role="supervisor", unit_code="U3", now=app_now())
    other = open_page(DUELS, as_="ui:other", unit="U1")
    assert not other.exception
    assert "Mitä kehitämme?" not in _texts(other)
    assert other.error or other.warning
    director = open_page(DUELS, as_="ui:director", unit="U1")  # a unit's duel: the director reads it
    assert "Mitä kehitämme?" in _texts(director)
    assert not [b for b in director.button if b.key and b.key.startswith(("duels-hide-", "duels-close-"))]
    assert not [b for b in director.button if b.label == "Aloita vertailu"]
    team = open_page(DUELS, as_="ui:team", unit="U1")
    assert "Mitä kehitämme?" not in _texts(team) and "käyttöoikeutta" in _texts(team)
    assert _rows(county, Duel, id=duel.id)[0].closed_at is None
