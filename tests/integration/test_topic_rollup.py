"""Issue 19 on the director's roll-up: topics by unit, as tagged by people — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from auth.access import AccessDenied
from auth.roles import Role
from board.periods import Period
from data.topic_rollup import topics_by_unit
from data.topic_tables import FeedbackTopic
from data.topics import decide_topics, list_topics, save_topic
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person

PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def county(session):
    make_tree(session, NOW)
    ids = {topic.key: topic.id for topic in list_topics(session, active_only=False)}
    tagger = person(session, Role.SUPERVISOR, "C")

    def tagged(unit: str, days_ago: float, *keys: str):
        row = add_feedback(session, unit, NOW - timedelta(days=days_ago), open_answer="teksti", nps=5)
        if keys:
            decide_topics(session, viewer=tagger, feedback_id=row.id, chosen={ids[k] for k in keys}, seen=set(),
                          now=NOW)
        return row

    tagged("U1", 1, "odotus", "ajanvaraus")
    tagged("U1", 2, "odotus")
    tagged("U2", 3, "odotus")
    tagged("U3", 4, "kiitos")
    tagged("U1", 40, "ajanvaraus")          # October: outside the period
    tagged("U2", 5)                          # not tagged
    suggested = tagged("U2", 6)              # only suggested by the model: not a person's tag
    session.add(FeedbackTopic(feedback_id=suggested.id, topic_id=ids["kiitos"], source="suggested", confidence=0.9))
    rejected = tagged("U3", 6)               # a person said "not this topic"
    session.add(FeedbackTopic(feedback_id=rejected.id, topic_id=ids["odotus"], source="rejected"))
    session.flush()
    return session


def counts(result) -> dict[str, dict[str, int]]:
    return {unit.code: {topic.name: topic.count for topic in unit.topics} for unit in result}


def test_the_topics_of_each_unit_below_the_node_are_pooled_from_its_subtree(county):
    director = person(county, Role.DIRECTOR, "C")
    result = topics_by_unit(county, viewer=director, unit_code="C", period=PERIOD)
    names = {topic.key: topic.name() for topic in list_topics(county)}
    assert [unit.code for unit in result] == ["A", "B"]
    assert counts(result) == {"A": {names["odotus"]: 3, names["ajanvaraus"]: 1}, "B": {names["kiitos"]: 1}}
    assert [topic.name for topic in result[0].topics] == [names["odotus"], names["ajanvaraus"]]  # most first
    assert result[0].tagged == 4


def test_a_node_without_units_below_shows_its_own_topics(county):
    director = person(county, Role.DIRECTOR, "C")
    [unit] = topics_by_unit(county, viewer=director, unit_code="U2", period=PERIOD)
    assert unit.code == "U2" and [(t.count) for t in unit.topics] == [1]


def test_a_deactivated_topic_is_left_out(county):
    admin = person(county, Role.ADMIN, "C")
    topic = next(t for t in list_topics(county) if t.key == "kiitos")
    save_topic(county, viewer=admin, key="kiitos", name_fi=topic.name_fi, name_sv=topic.name_sv,
               name_en=topic.name_en, active=False, now=NOW)
    director = person(county, Role.DIRECTOR, "C")
    result = topics_by_unit(county, viewer=director, unit_code="C", period=PERIOD)
    assert counts(result)["B"] == {}


def test_a_director_of_another_subtree_is_refused(county):
    director = person(county, Role.DIRECTOR, "B")
    assert [u.code for u in topics_by_unit(county, viewer=director, unit_code="B", period=PERIOD)] == ["U3"]
    with pytest.raises(AccessDenied):
        topics_by_unit(county, viewer=director, unit_code="A", period=PERIOD)


def test_a_supervisor_sees_the_topics_of_own_unit_only(county):
    supervisor = person(county, Role.SUPERVISOR, "U1")
    assert [u.code for u in topics_by_unit(county, viewer=supervisor, unit_code="U1", period=PERIOD)] == ["U1"]
    with pytest.raises(AccessDenied):
        topics_by_unit(county, viewer=supervisor, unit_code="S", period=PERIOD)
