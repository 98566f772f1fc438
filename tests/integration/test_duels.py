"""Duels on SQLite and PostgreSQL: started and closed by a supervisor, voted by anonymous devices, scoped, audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from board.duel import RATE_MOST, SHOWN_AFTER, InvalidDuel
from board.stages import Stage
from data.duel_tables import DuelItem, DuelParticipant
from data.duel_voting import TooFast, UnknownDuel, add_answer, invitation, next_pair, vote, votes_of
from data.duels import (
    DuelClosed,
    close_duel,
    hide_item,
    make_themes,
    public_duels,
    publish_duel,
    start_duel,
    theme_starters,
    unit_duels,
    wall_ranking,
)
from data.models import AuditEvent, Theme
from data.editing import StaleEdit
from tests.conftest import NOW
from tests.factories import add_theme, make_tree, person

QUESTION = "Mitä kehitämme seuraavaksi?"
TYPED = ["Jonot puhelimeen", "Pysäköinti", "Aulan istumapaikat"]


@pytest.fixture
def tree(session):
    make_tree(session, NOW)
    return session


def _supervisor(session, unit="U1"):
    return person(session, Role.SUPERVISOR, unit)


def _duel(session, typed=TYPED, **options):
    return start_duel(session, viewer=_supervisor(session), unit_code="U1", question=QUESTION, typed=typed,
                      now=NOW, **options)


def _items(session, duel):
    return {i.text: i.id for i in session.exec(select(DuelItem).where(DuelItem.duel_id == duel.id)).all()}


def _vote_for(session, duel, token, winner_text, now=NOW):
    """The device votes its pair: for `winner_text` when it is in the pair, else for the left item."""
    left, right = next_pair(session, code=duel.code, token=token, seed=1, now=now)
    winner = right.id if right.text == winner_text else left.id
    vote(session, code=duel.code, token=token, left_id=left.id, right_id=right.id, winner_id=winner, now=now)


def test_a_supervisor_starts_a_duel_from_typed_items_and_the_units_themes(tree):
    theme = add_theme(tree, "U1", Stage.IDENTIFIED, NOW, title="Takaisinsoitot")
    add_theme(tree, "U1", Stage.DONE, NOW, title="Valmis jo")
    starters = theme_starters(tree, viewer=_supervisor(tree), unit_code="U1")
    assert starters == [(theme.id, "Takaisinsoitot")]
    duel = _duel(tree, typed=["Pysäköinti", "  "], theme_ids=[theme.id])
    items = tree.exec(select(DuelItem).where(DuelItem.duel_id == duel.id)).all()
    assert {(i.text, i.origin, i.source_theme_id) for i in items} == {
        ("Takaisinsoitot", "theme", theme.id), ("Pysäköinti", "typed", None)}
    audit = tree.exec(select(AuditEvent).where(AuditEvent.action == "duel.start")).one()
    assert audit.after["items"] == ["Takaisinsoitot", "Pysäköinti"] and audit.actor == "supervisor@U1"


def test_a_duel_of_one_unit_is_invisible_to_another_units_supervisor(tree):
    duel = _duel(tree)
    other = _supervisor(tree, "U2")
    with pytest.raises(AccessDenied):
        unit_duels(tree, viewer=other, unit_code="U1", now=NOW)
    with pytest.raises(AccessDenied):
        close_duel(tree, viewer=other, duel_id=duel.id, seen_version=duel.version, now=NOW)
    with pytest.raises(AccessDenied):
        start_duel(tree, viewer=other, unit_code="U1", question=QUESTION, typed=TYPED, now=NOW)


@pytest.mark.parametrize("role", [Role.TEAM, Role.DIRECTOR])
def test_only_a_supervisor_starts_a_duel_but_the_team_and_the_director_see_it(tree, role):
    _duel(tree)
    viewer = person(tree, role, "U1" if role is Role.TEAM else "C")
    with pytest.raises(AccessDenied):
        start_duel(tree, viewer=viewer, unit_code="U1", question=QUESTION, typed=TYPED, now=NOW)
    assert [d.question for d in unit_duels(tree, viewer=viewer, unit_code="U1", now=NOW)] == [QUESTION]


def test_anyone_with_the_code_votes_and_the_device_token_is_stored_only_hashed(tree):
    duel = _duel(tree)
    _vote_for(tree, duel, "device-token-1", "Pysäköinti")
    assert votes_of(tree, code=duel.code, token="device-token-1") == 1
    stored = tree.exec(select(DuelParticipant.token_hash)).all()
    assert len(stored) == 1 and "device-token-1" not in stored[0] and len(stored[0]) == 64


def test_en_osaa_sanoa_is_a_vote_without_a_winner_and_does_not_move_the_scores(tree):
    duel = _duel(tree)
    left, right = next_pair(tree, code=duel.code, token="t", seed=1, now=NOW)
    vote(tree, code=duel.code, token="t", left_id=left.id, right_id=right.id, winner_id=None, now=NOW)
    result = unit_duels(tree, viewer=_supervisor(tree), unit_code="U1", now=NOW)[0]
    assert result.votes == 1 and all(s.comparisons == 0 for s in result.standings)


def test_a_vote_for_an_item_outside_the_pair_is_refused(tree):
    duel = _duel(tree)
    ids = list(_items(tree, duel).values())
    with pytest.raises(InvalidDuel):
        vote(tree, code=duel.code, token="t", left_id=ids[0], right_id=ids[1], winner_id=ids[2], now=NOW)


def test_one_device_is_slowed_down_after_thirty_votes_a_minute(tree):
    duel = _duel(tree)
    for n in range(RATE_MOST):
        _vote_for(tree, duel, "busy", "Pysäköinti", now=NOW + timedelta(seconds=n))
    with pytest.raises(TooFast):
        _vote_for(tree, duel, "busy", "Pysäköinti", now=NOW + timedelta(seconds=RATE_MOST))
    _vote_for(tree, duel, "someone-else", "Pysäköinti", now=NOW + timedelta(seconds=RATE_MOST))
    _vote_for(tree, duel, "busy", "Pysäköinti", now=NOW + timedelta(seconds=61))


def test_the_ranking_puts_the_preferred_item_first_once_it_has_six_comparisons(tree):
    duel = _duel(tree)
    for n in range(12):
        _vote_for(tree, duel, f"device{n % 3}", "Pysäköinti", now=NOW + timedelta(seconds=n))
    result = wall_ranking(tree, viewer=_supervisor(tree), unit_code="U1", now=NOW)
    assert result.top[0].text == "Pysäköinti" and result.top[0].comparisons >= SHOWN_AFTER
    assert result.participants == 3 and result.votes == 12
    assert all(s.shown == (s.comparisons >= SHOWN_AFTER) for s in result.standings)


def test_a_participants_answer_is_screened_audited_and_limited_to_three(tree):
    duel = _duel(tree)
    item = add_answer(tree, code=duel.code, token="t", text="Soittakaa 040 1234567 tai 131052-308T", now=NOW)
    assert "1234567" not in item.text and "131052-308T" not in item.text and item.origin == "participant"
    audit = tree.exec(select(AuditEvent).where(AuditEvent.action == "duel_item.add")).one()
    assert audit.actor.startswith(f"duel-participant:{duel.id}:") and audit.after["text"] == item.text
    add_answer(tree, code=duel.code, token="t", text="Toinen", now=NOW)
    add_answer(tree, code=duel.code, token="t", text="Kolmas", now=NOW)
    with pytest.raises(InvalidDuel) as refused:
        add_answer(tree, code=duel.code, token="t", text="Neljäs", now=NOW)
    assert refused.value.reason == "too_many_answers"


def test_an_answer_the_duel_has_already_is_refused(tree):
    duel = _duel(tree)
    with pytest.raises(InvalidDuel) as refused:
        add_answer(tree, code=duel.code, token="t", text="pysäköinti", now=NOW)
    assert refused.value.reason == "duplicate"


def test_a_hidden_item_leaves_the_pairs_and_the_ranking_and_the_hide_is_audited(tree):
    duel = _duel(tree, typed=["A", "B", "C"])
    items = _items(tree, duel)
    item = tree.get(DuelItem, items["C"])
    hide_item(tree, viewer=_supervisor(tree), item_id=item.id, seen_version=item.version, hidden=True, now=NOW)
    for seed in range(10):
        pair = next_pair(tree, code=duel.code, token="t", seed=seed, now=NOW)
        assert {c.text for c in pair} == {"A", "B"}
    result = unit_duels(tree, viewer=_supervisor(tree), unit_code="U1", now=NOW)[0]
    assert [s.text for s in result.standings if s.hidden] == ["C"]
    assert tree.exec(select(AuditEvent).where(AuditEvent.action == "duel_item.hide")).one().entity_id == str(item.id)


def test_hiding_with_a_stale_version_is_refused(tree):
    duel = _duel(tree)
    item = tree.get(DuelItem, _items(tree, duel)["Pysäköinti"])
    seen = item.version
    hide_item(tree, viewer=_supervisor(tree), item_id=item.id, seen_version=seen, hidden=True, now=NOW)
    with pytest.raises(StaleEdit):
        hide_item(tree, viewer=_supervisor(tree), item_id=item.id, seen_version=seen, hidden=False, now=NOW)


def test_a_closed_duel_takes_no_votes_or_answers_and_the_closing_is_audited(tree):
    duel = _duel(tree)
    close_duel(tree, viewer=_supervisor(tree), duel_id=duel.id, seen_version=duel.version, now=NOW)
    with pytest.raises(DuelClosed):
        next_pair(tree, code=duel.code, token="t", seed=1, now=NOW)
    with pytest.raises(DuelClosed):
        add_answer(tree, code=duel.code, token="t", text="Myöhässä", now=NOW)
    assert invitation(tree, code=duel.code, now=NOW).is_open is False
    assert tree.exec(select(AuditEvent).where(AuditEvent.action == "duel.close")).one().actor == "supervisor@U1"


def test_a_duel_closes_by_itself_at_its_closing_time(tree):
    duel = _duel(tree, closes_at=NOW + timedelta(hours=1))
    assert invitation(tree, code=duel.code, now=NOW).is_open
    with pytest.raises(DuelClosed):
        next_pair(tree, code=duel.code, token="t", seed=1, now=NOW + timedelta(hours=1))


def test_an_unknown_code_is_no_duel(tree):
    with pytest.raises(UnknownDuel):
        invitation(tree, code="nope", now=NOW)


def test_the_top_items_become_identified_themes_with_the_duel_as_their_origin_once(tree):
    duel = _duel(tree)
    for n in range(12):
        _vote_for(tree, duel, f"d{n % 3}", "Pysäköinti", now=NOW + timedelta(seconds=n))
    supervisor = _supervisor(tree)
    with pytest.raises(InvalidDuel):  # still open
        make_themes(tree, viewer=supervisor, duel_id=duel.id, item_ids=[1], now=NOW)
    close_duel(tree, viewer=supervisor, duel_id=duel.id, seen_version=duel.version, now=NOW)
    result = unit_duels(tree, viewer=supervisor, unit_code="U1", now=NOW)[0]
    top_two = [s.id for s in result.standings[:2]]
    themes = make_themes(tree, viewer=supervisor, duel_id=duel.id, item_ids=top_two, now=NOW)
    assert {t.title for t in themes} == {s.text for s in result.standings[:2]}
    assert all(t.stage == Stage.IDENTIFIED.value and t.description == QUESTION for t in themes)
    origins = {i.made_theme_id for i in tree.exec(select(DuelItem).where(DuelItem.id.in_(top_two))).all()}
    assert origins == {t.id for t in themes}
    assert make_themes(tree, viewer=supervisor, duel_id=duel.id, item_ids=top_two, now=NOW) == []
    assert len(tree.exec(select(Theme)).all()) == 2
    assert len(tree.exec(select(AuditEvent).where(AuditEvent.action == "duel_item.to_theme")).all()) == 2


def test_only_a_published_duel_is_on_the_public_page(tree):
    duel = _duel(tree)
    assert public_duels(tree, now=NOW) == []
    publish_duel(tree, viewer=_supervisor(tree), duel_id=duel.id, seen_version=duel.version, publish=True, now=NOW)
    assert [d.question for d in public_duels(tree, now=NOW)] == [QUESTION]
    assert tree.exec(select(AuditEvent).where(AuditEvent.action == "duel.publish")).one()
