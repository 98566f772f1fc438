"""A duel's result on the kanban and duels of an area, on SQLite and PostgreSQL: the identified themes re-ordered by
the ranking (audited, never over someone else's change), and a director's area duel scoped to the area."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from board.duel import InvalidDuel
from board.stages import Stage
from data.duel_results import reorder_themes, theme_order
from data.duel_tables import DuelItem
from data.duel_voting import next_pair, vote
from data.duels import close_duel, make_themes, may_lead, start_duel, theme_starters, theme_units, unit_duels
from data.editing import StaleEdit
from data.kanban import kanban
from data.models import AuditEvent, Theme
from data.organisation import unit_by_code
from data.settings import Settings
from tests.conftest import NOW
from tests.factories import add_theme, make_tree, person

QUESTION = "Mitä kehitämme seuraavaksi?"


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


def _vote_by_taste(session, duel, taste: list[str], votes: int) -> None:
    """Devices that always prefer the text earlier in `taste`."""
    for n in range(votes):
        token = f"device{n % 4}"
        left, right = next_pair(session, code=duel.code, token=token, seed=n, now=NOW)
        winner = left if taste.index(left.text) < taste.index(right.text) else right
        vote(session, code=duel.code, token=token, left_id=left.id, right_id=right.id, winner_id=winner.id,
             now=NOW + timedelta(seconds=n))


def _closed_theme_duel(session, titles: list[str], taste: list[str]):
    supervisor = person(session, Role.SUPERVISOR, "U1")
    themes = [add_theme(session, "U1", Stage.IDENTIFIED, NOW - timedelta(days=10 - i), title=title)
              for i, title in enumerate(titles)]
    duel = start_duel(session, viewer=supervisor, unit_code="U1", question=QUESTION,
                      theme_ids=[t.id for t in themes], now=NOW)
    _vote_by_taste(session, duel, taste, 40)
    close_duel(session, viewer=supervisor, duel_id=duel.id, seen_version=duel.version, now=NOW)
    return supervisor, duel, themes


def _identified(session, viewer, unit="U1") -> list[str]:
    view = kanban(session, viewer=viewer, unit_code=unit, now=NOW, settings=Settings())
    return [card.title for card in view.column(Stage.IDENTIFIED).cards]


def test_a_closed_duel_re_orders_the_units_identified_themes_by_its_ranking_and_audits_it(tree):
    titles = ["Jonot", "Pysäköinti", "Opasteet", "Aula"]
    taste = ["Opasteet", "Aula", "Jonot", "Pysäköinti"]
    supervisor, duel, themes = _closed_theme_duel(tree, titles, taste)
    bystander = add_theme(tree, "U1", Stage.IDENTIFIED, NOW - timedelta(days=30), title="Ei vertailussa")
    assert _identified(tree, supervisor) == ["Ei vertailussa", *titles]  # by age before the result
    order = theme_order(tree, viewer=supervisor, duel_id=duel.id, now=NOW)
    assert [p.title for p in order] == [*taste, "Ei vertailussa"] and order[-1].place is None
    changed = reorder_themes(tree, viewer=supervisor, duel_id=duel.id, seen={p.theme_id: p.version for p in order},
                             now=NOW)
    assert changed == 4
    assert _identified(tree, supervisor) == [*taste, "Ei vertailussa"]
    audits = tree.exec(select(AuditEvent).where(AuditEvent.action == "theme.reorder")).all()
    assert {(a.entity_id, a.before["priority"], a.after["priority"]) for a in audits} == {
        (str(t.id), None, taste.index(t.title) + 1) for t in themes}
    assert all(a.actor == "supervisor@U1" and a.after["origin"] == f"duel:{duel.id}" for a in audits)
    assert tree.get(Theme, bystander.id).priority is None


def test_re_ordering_refuses_when_a_theme_changed_since_it_was_read(tree):
    supervisor, duel, themes = _closed_theme_duel(tree, ["Jonot", "Pysäköinti"], ["Pysäköinti", "Jonot"])
    order = theme_order(tree, viewer=supervisor, duel_id=duel.id, now=NOW)
    seen = {p.theme_id: p.version for p in order}
    theme = tree.get(Theme, themes[0].id)
    theme.title = "Jonot puhelimeen"
    theme.version += 1
    tree.add(theme)
    tree.flush()
    with pytest.raises(StaleEdit) as stale:
        reorder_themes(tree, viewer=supervisor, duel_id=duel.id, seen=seen, now=NOW)
    assert stale.value.stale_ids == (themes[0].id,)
    assert all(tree.get(Theme, t.id).priority is None for t in themes)
    assert not tree.exec(select(AuditEvent).where(AuditEvent.action == "theme.reorder")).all()


def test_an_open_duel_does_not_re_order_and_another_unit_may_not(tree):
    supervisor = person(tree, Role.SUPERVISOR, "U1")
    theme = add_theme(tree, "U1", Stage.IDENTIFIED, NOW, title="Jonot")
    duel = start_duel(tree, viewer=supervisor, unit_code="U1", question=QUESTION, typed=["Aula"],
                      theme_ids=[theme.id], now=NOW)
    with pytest.raises(InvalidDuel):
        theme_order(tree, viewer=supervisor, duel_id=duel.id, now=NOW)
    close_duel(tree, viewer=supervisor, duel_id=duel.id, seen_version=duel.version, now=NOW)
    with pytest.raises(AccessDenied):
        reorder_themes(tree, viewer=person(tree, Role.SUPERVISOR, "U2"), duel_id=duel.id, seen={theme.id: 1},
                       now=NOW)


def test_a_director_runs_an_area_duel_from_the_areas_themes_and_makes_themes_on_a_chosen_unit(tree):
    director = person(tree, Role.DIRECTOR, "S")
    one = add_theme(tree, "U1", Stage.IDENTIFIED, NOW, title="Jonot U1")
    two = add_theme(tree, "U2", Stage.IN_GROUP, NOW, title="Aula U2")
    add_theme(tree, "U3", Stage.IDENTIFIED, NOW, title="Toisen alueen")
    assert {title for _, title in theme_starters(tree, viewer=director, unit_code="S")} == {"Jonot U1", "Aula U2"}
    duel = start_duel(tree, viewer=director, unit_code="S", question=QUESTION, typed=["Yhteinen ajanvaraus"],
                      theme_ids=[one.id, two.id], now=NOW)
    assert may_lead(director, unit_by_code(tree, "S"))
    with pytest.raises(AccessDenied):  # a director leads duels of areas, not of single units
        start_duel(tree, viewer=director, unit_code="U1", question=QUESTION, typed=["A", "B"], now=NOW)
    close_duel(tree, viewer=director, duel_id=duel.id, seen_version=duel.version, now=NOW)
    assert [u.code for u in theme_units(tree, viewer=director, duel_id=duel.id)] == ["U1", "U2"]
    typed = tree.exec(select(DuelItem).where(DuelItem.duel_id == duel.id, DuelItem.origin == "typed")).one()
    with pytest.raises(InvalidDuel):
        make_themes(tree, viewer=director, duel_id=duel.id, item_ids=[typed.id], unit_code="U3", now=NOW)
    made = make_themes(tree, viewer=director, duel_id=duel.id, item_ids=[typed.id], unit_code="U2", now=NOW)
    assert [(t.title, t.unit_id, t.stage) for t in made] == [
        ("Yhteinen ajanvaraus", unit_by_code(tree, "U2").id, Stage.IDENTIFIED.value)]
    audit = tree.exec(select(AuditEvent).where(AuditEvent.action == "duel_item.to_theme")).one()
    assert audit.after == {"theme_id": made[0].id, "origin": f"duel:{duel.id}", "unit": "U2"}


def test_an_area_duel_is_invisible_to_another_areas_supervisors_and_directors(tree):
    director = person(tree, Role.DIRECTOR, "S")
    duel = start_duel(tree, viewer=director, unit_code="S", question=QUESTION, typed=["A", "B"], now=NOW)
    assert [d.id for d in unit_duels(tree, viewer=director, unit_code="S", now=NOW)] == [duel.id]
    for outsider in (person(tree, Role.SUPERVISOR, "U3"), person(tree, Role.SUPERVISOR, "B"),
                     person(tree, Role.DIRECTOR, "B")):
        with pytest.raises(AccessDenied):
            unit_duels(tree, viewer=outsider, unit_code="S", now=NOW)
        with pytest.raises(AccessDenied):
            close_duel(tree, viewer=outsider, duel_id=duel.id, seen_version=duel.version, now=NOW)
        with pytest.raises(AccessDenied):
            start_duel(tree, viewer=outsider, unit_code="S", question=QUESTION, typed=["A", "B"], now=NOW)
    # A unit's own supervisor does not lead the area's duel either.
    with pytest.raises(AccessDenied):
        close_duel(tree, viewer=person(tree, Role.SUPERVISOR, "U1"), duel_id=duel.id, seen_version=duel.version,
                   now=NOW)
