"""Topics on feedback: the default list, tags decided by people, the trained model's storage — on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from auth.access import AccessDenied
from auth.roles import Role
from data.models import AuditEvent
from data.topic_tables import FeedbackTopic, TopicModelRow
from data.topics import (
    RETRAIN_AFTER_DECISIONS,
    TooFewTags,
    TopicsChanged,
    decide_topics,
    latest_model,
    list_topics,
    retrain_when_due,
    save_topic,
    topic_quality,
    topics_for,
    train_topic_model,
)
from data.topic_model import TopicModel
from tests.conftest import NOW
from tests.factories import add_feedback, make_tree, person

WAITING = ["Jouduin odottamaan vastaanotolla pitkään", "Odotusaika oli liian pitkä", "Jono oli pitkä ja odotin tunnin",
           "Odottaminen kesti kauan", "Pitkä odotus aulassa", "Odotin yli tunnin", "Jonossa meni puoli päivää",
           "Odotusajat ovat aivan liian pitkiä", "Piti odottaa pitkään ennen kuin pääsin sisään",
           "Odotushuoneessa istuin kauan"]
BOOKING = ["Ajan varaaminen netissä oli vaikeaa", "Ajanvaraus ei toiminut", "En saanut varattua aikaa",
           "Sähköinen ajanvaraus oli hankala", "Ajan sai varattua helposti netistä", "Varasin ajan puhelimella",
           "Ajanvarausjärjestelmä kaatui", "Aikaa ei voinut varata verkossa", "Ajan varaus onnistui nopeasti",
           "Varattavia aikoja ei ollut"]
THANKS = ["Kiitos hyvästä hoidosta", "Kiitos kaikille", "Suuri kiitos ystävällisestä palvelusta",
          "Kiitos, kaikki sujui hyvin", "Kiitos avusta", "Lämmin kiitos hoitajalle", "Kiitos mukavasta kohtaamisesta",
          "Iso kiitos lääkärille", "Kiitos nopeasta avusta", "Kiitollinen hyvästä palvelusta"]


def topic_ids(session) -> dict[str, int]:
    return {topic.key: topic.id for topic in list_topics(session, active_only=False)}


@pytest.fixture
def county(session):
    make_tree(session, NOW)
    return session


def tagged_history(session):
    """Thirty comments of U1, each tagged by a supervisor with the topic it was written for."""
    ids = topic_ids(session)
    supervisor = person(session, Role.SUPERVISOR, "U1")
    for key, texts in (("odotus", WAITING), ("ajanvaraus", BOOKING), ("kiitos", THANKS)):
        for number, text in enumerate(texts):
            row = add_feedback(session, "U1", NOW - timedelta(days=30 + number), open_answer=text, nps=9)
            decide_topics(session, viewer=supervisor, feedback_id=row.id, chosen={ids[key]}, seen=set(), now=NOW)
    session.flush()


def test_the_migration_seeds_the_statement_areas_and_the_recurring_subjects(session):
    keys = {topic.key for topic in list_topics(session)}
    assert {"saatavuus", "kohtaaminen", "odotus", "puhelin", "ajanvaraus", "pysakointi", "siisteys", "ruoka",
            "tiedotus", "henkilokunta", "jatkuvuus"} <= keys
    assert all(topic.name_sv and topic.name_en for topic in list_topics(session))


def test_a_supervisor_tags_feedback_and_the_change_is_audited(county):
    ids = topic_ids(county)
    row = add_feedback(county, "U1", NOW, open_answer="Odotin tunnin")
    supervisor = person(county, Role.SUPERVISOR, "U1")
    decide_topics(county, viewer=supervisor, feedback_id=row.id, chosen={ids["odotus"]}, seen=set(),
                  suggested={ids["odotus"]: 0.8, ids["ajanvaraus"]: 0.6}, now=NOW)
    tags = {tag.topic_id: tag for tag in county.exec(select(FeedbackTopic).where(FeedbackTopic.feedback_id == row.id))}
    assert {topic_id: tag.source for topic_id, tag in tags.items()} == {ids["odotus"]: "accepted",
                                                                        ids["ajanvaraus"]: "rejected"}
    assert tags[ids["odotus"]].decided_by == supervisor.label and tags[ids["odotus"]].confidence == 0.8
    audit = county.exec(select(AuditEvent).where(AuditEvent.action == "feedback.topics")).one()
    assert audit.entity_id == str(row.id) and audit.after == {str(ids["odotus"]): "accepted",
                                                               str(ids["ajanvaraus"]): "rejected"}


def test_a_topic_chosen_without_a_suggestion_is_added_and_a_dropped_one_rejected(county):
    ids = topic_ids(county)
    row = add_feedback(county, "U1", NOW, open_answer="Ruoka oli kylmää")
    supervisor = person(county, Role.SUPERVISOR, "U1")
    decide_topics(county, viewer=supervisor, feedback_id=row.id, chosen={ids["ruoka"]}, seen=set(), now=NOW)
    decide_topics(county, viewer=supervisor, feedback_id=row.id, chosen={ids["siisteys"]}, seen={ids["ruoka"]}, now=NOW)
    sources = {tag.topic_id: tag.source for tag in county.exec(select(FeedbackTopic))}
    assert sources == {ids["ruoka"]: "rejected", ids["siisteys"]: "added"}


def test_topics_decided_by_someone_else_meanwhile_are_not_overwritten(county):
    ids = topic_ids(county)
    row = add_feedback(county, "U1", NOW, open_answer="Odotin tunnin")
    supervisor = person(county, Role.SUPERVISOR, "U1")
    decide_topics(county, viewer=supervisor, feedback_id=row.id, chosen={ids["odotus"]}, seen=set(), now=NOW)
    with pytest.raises(TopicsChanged):
        decide_topics(county, viewer=supervisor, feedback_id=row.id, chosen={ids["ruoka"]}, seen=set(), now=NOW)
    assert {tag.source for tag in county.exec(select(FeedbackTopic))} == {"added"}


@pytest.mark.parametrize("role, unit", [(Role.TEAM, "U1"), (Role.SUPERVISOR, "U2"), (Role.DIRECTOR, "C")])
def test_only_a_supervisor_of_the_unit_tags_its_feedback(county, role, unit):
    row = add_feedback(county, "U1", NOW, open_answer="Odotin tunnin")
    with pytest.raises(AccessDenied):
        decide_topics(county, viewer=person(county, role, unit), feedback_id=row.id,
                      chosen={topic_ids(county)["odotus"]}, seen=set(), now=NOW)
    assert county.exec(select(FeedbackTopic)).first() is None


def test_only_an_admin_edits_the_topic_list_and_names_are_screened(county):
    with pytest.raises(AccessDenied):
        save_topic(county, viewer=person(county, Role.SUPERVISOR, "U1"), key="kahvio", name_fi="Kahvio", now=NOW)
    admin = person(county, Role.ADMIN, "C")
    topic = save_topic(county, viewer=admin, key="kahvio", name_fi="Kahvio 010101-123N", name_sv="Kafé",
                       name_en="Café", now=NOW)
    assert "010101-123N" not in topic.name_fi
    assert county.exec(select(AuditEvent).where(AuditEvent.action == "topic.create")).one().entity_id == "kahvio"


def test_training_needs_enough_tagged_comments(county):
    with pytest.raises(TooFewTags):
        train_topic_model(county, actor="test", now=NOW)


def test_a_trained_model_is_stored_as_plain_data_and_suggests_the_same_after_loading(county):
    tagged_history(county)
    row = train_topic_model(county, actor="test", now=NOW)
    assert row.examples == 30 and not row.arrays.startswith(b"\x80")  # an .npz (zip), never a pickle
    assert set(row.scores["topics"]) == {"odotus", "ajanvaraus", "kiitos"}
    stored, model = latest_model(county)
    assert stored.id == row.id and isinstance(model, TopicModel)
    county.expunge_all()
    fresh = county.get(TopicModelRow, row.id)
    import json
    reloaded = TopicModel.from_arrays(json.loads(fresh.meta), fresh.arrays)
    from data.topic_model import Example
    probe = [Example("Odotin pitkään jonossa"), Example("Ajanvaraus netissä ei toiminut"), Example("Kiitos!")]
    assert reloaded.suggest(probe) == model.suggest(probe)
    assert [suggestions[0][0] for suggestions in reloaded.suggest(probe)] == ["odotus", "ajanvaraus", "kiitos"]
    assert county.exec(select(AuditEvent).where(AuditEvent.action == "topic_model.train")).one()


def test_new_feedback_gets_suggestions_and_tagged_feedback_shows_its_tags(county):
    tagged_history(county)
    train_topic_model(county, actor="test", now=NOW, cross_validate=False)
    ids = topic_ids(county)
    new = add_feedback(county, "U1", NOW, open_answer="Jouduin odottamaan pitkään jonossa")
    tagged = county.exec(select(FeedbackTopic)).first().feedback_id
    shown = topics_for(county, viewer=person(county, Role.SUPERVISOR, "U1"), feedback_ids=[new.id, tagged])
    assert shown[new.id].applied == () and shown[new.id].suggestions[0].topic_id == ids["odotus"]
    assert 0 < shown[new.id].suggestions[0].confidence <= 1
    assert shown[tagged].applied and shown[tagged].suggestions == ()
    with pytest.raises(AccessDenied):
        topics_for(county, viewer=person(county, Role.SUPERVISOR, "U2"), feedback_ids=[new.id])


def test_admin_sees_each_topics_tags_and_figures_and_others_may_not(county):
    tagged_history(county)
    train_topic_model(county, actor="test", now=NOW)
    row, quality = topic_quality(county, viewer=person(county, Role.ADMIN, "C"))
    by_key = {item.key: item for item in quality}
    assert row.trained_at == NOW
    assert by_key["odotus"].tags == 10 and by_key["odotus"].suggested and by_key["odotus"].recall is not None
    assert by_key["ruoka"].tags == 0 and not by_key["ruoka"].suggested
    with pytest.raises(AccessDenied):
        topic_quality(county, viewer=person(county, Role.SUPERVISOR, "U1"))


def test_a_topic_rising_this_month_among_unthemed_feedback_is_emerging_and_becomes_a_theme_in_one_action(county):
    from data.models import Theme, ThemeFeedback
    from data.topic_trends import make_theme_of, unit_topic_trends
    ids = topic_ids(county)
    supervisor = person(county, Role.SUPERVISOR, "U1")
    tag = lambda row, key: decide_topics(county, viewer=supervisor, feedback_id=row.id, chosen={ids[key]},
                                         seen=set(), now=NOW)
    # NOW is 23 Nov 2026: one parking comment a month before, four this month; waiting steady.
    for days in (40, 70, 100):
        tag(add_feedback(county, "U1", NOW - timedelta(days=days), open_answer="Ei parkkipaikkoja"), "pysakointi")
        tag(add_feedback(county, "U1", NOW - timedelta(days=days), open_answer="Odotin"), "odotus")
    rising = [add_feedback(county, "U1", NOW - timedelta(days=d), open_answer="Parkkihalli täynnä") for d in (1, 2, 3, 4)]
    for row in rising:
        tag(row, "pysakointi")
    tag(add_feedback(county, "U1", NOW - timedelta(days=5), open_answer="Odotin taas"), "odotus")
    trends = unit_topic_trends(county, viewer=supervisor, unit_code="U1", now=NOW)
    first = trends[0]
    assert first.name == "Pysäköinti ja kulku" and first.trend.emerging and first.trend.this_month == 4
    assert sorted(first.feedback_ids) == sorted(row.id for row in rising)
    assert not {t.name: t for t in trends}["Odotus ja jonot"].trend.emerging
    theme_id = make_theme_of(county, viewer=supervisor, unit_code="U1", title=first.name,
                             feedback_ids=list(first.feedback_ids), now=NOW)
    assert county.get(Theme, theme_id).title == "Pysäköinti ja kulku"
    assert len(county.exec(select(ThemeFeedback).where(ThemeFeedback.theme_id == theme_id)).all()) == 4
    # What is in a theme no longer counts as rising outside one.
    assert "Pysäköinti ja kulku" not in {t.name for t in unit_topic_trends(county, viewer=supervisor, unit_code="U1",
                                                                            now=NOW) if t.trend.this_month}
    with pytest.raises(AccessDenied):
        unit_topic_trends(county, viewer=person(county, Role.SUPERVISOR, "U3"), unit_code="U1", now=NOW)


def test_after_an_import_suggestions_are_retrained_once_the_staff_have_made_enough_new_decisions(engine, session):
    make_tree(session, NOW)
    tagged_history(session)
    session.commit()
    first = retrain_when_due(engine, now=NOW)  # no model yet, and enough tags
    assert first is not None and first.examples == 30
    assert retrain_when_due(engine, now=NOW + timedelta(hours=1)) is None  # nothing new decided since
    ids, supervisor = topic_ids(session), person(session, Role.SUPERVISOR, "U1")
    later = NOW + timedelta(days=1)
    for number in range(RETRAIN_AFTER_DECISIONS):
        row = add_feedback(session, "U1", later, open_answer=WAITING[number % len(WAITING)] + f" ({number})", nps=5)
        decide_topics(session, viewer=supervisor, feedback_id=row.id, chosen={ids["odotus"]}, seen=set(),
                      now=later + timedelta(minutes=1 + number))
        if number == RETRAIN_AFTER_DECISIONS - 2:
            session.commit()
            assert retrain_when_due(engine, now=later + timedelta(hours=2)) is None  # one decision short
    session.commit()
    second = retrain_when_due(engine, now=later + timedelta(hours=2))
    assert second is not None and second.examples == 30 + RETRAIN_AFTER_DECISIONS
    assert second.trained_by == "system:retrain"
    trained = session.exec(select(AuditEvent).where(AuditEvent.action == "topic_model.train")).all()
    assert len(trained) == 2
