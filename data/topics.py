"""Topics (aiheet) on feedback: the county's list, tags decided by people, the suggestion model.

Suggestions are computed when shown and never applied by themselves: a tag exists only when a person
accepted, added or rejected it, and every such decision is training data and an audit row.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, func, select

from auth.access import AccessDenied, Viewer, may_anywhere, require
from auth.roles import Permission
from board.handling import screened_text
from board.topics import label_counts, topic_scores
from data.audit import record
from data.db import session_scope
from data.models import Feedback, Unit
from data.topic_tables import FeedbackTopic, Topic, TopicModelRow
from data.topic_model import Example, TopicModel, cross_validated, dumps_meta, train

ACCEPTED, ADDED, REJECTED = "accepted", "added", "rejected"
APPLIED = (ACCEPTED, ADDED)
# Below this many tagged comments there is nothing worth learning.
MIN_TRAINING_COMMENTS = 20
# Enough new decisions of the staff to be worth a new model: a model a day late costs little, training costs minutes.
RETRAIN_AFTER_DECISIONS = 50
RETRAINER = "system:retrain"
CV_FOLDS = 5


class TopicsChanged(Exception):
    """Someone else decided this feedback's topics after the user read them; nothing was written."""


class UnknownTopic(LookupError):
    pass


@dataclass(frozen=True)
class Suggestion:
    topic_id: int
    confidence: float


@dataclass(frozen=True)
class FeedbackTopics:
    """What the inbox shows for one feedback: decided topics, and suggestions when none are decided."""

    feedback_id: int
    applied: tuple[int, ...]
    rejected: tuple[int, ...]
    suggestions: tuple[Suggestion, ...]


def list_topics(session: Session, *, active_only: bool = True) -> list[Topic]:
    """The county's topics in their order; anyone signed in may read the list."""
    query = select(Topic).order_by(Topic.position, Topic.id)
    if active_only:
        query = query.where(Topic.active)
    return list(session.exec(query))


def _require_configure(viewer: Viewer) -> None:
    if not may_anywhere(viewer, Permission.CONFIGURE):
        raise AccessDenied(Permission.CONFIGURE, "topics")


def save_topic(session: Session, *, viewer: Viewer, key: str, name_fi: str, name_sv: str = "",
               name_en: str = "", active: bool = True, now: datetime) -> Topic:
    """An admin adds a topic or renames one (by key); topics are never deleted, only deactivated."""
    _require_configure(viewer)
    key = key.strip().lower()
    if not key or not name_fi.strip():
        raise ValueError("a topic needs a key and a Finnish name")
    topic = session.exec(select(Topic).where(Topic.key == key)).first()
    # Names are staff-typed text: screened like any other before they are stored.
    wanted = {"name_fi": screened_text(name_fi), "name_sv": screened_text(name_sv),
              "name_en": screened_text(name_en), "active": active}
    if topic is None:
        position = len(list_topics(session, active_only=False))
        topic = Topic(key=key, position=position, **wanted)
        session.add(topic)
        session.flush()
        record(session, actor=viewer.label, action="topic.create", entity="topic", entity_id=key, now=now,
               after=wanted)
        return topic
    before = {name: getattr(topic, name) for name in wanted if getattr(topic, name) != wanted[name]}
    if before:
        for name, value in wanted.items():
            setattr(topic, name, value)
        topic.version += 1
        record(session, actor=viewer.label, action="topic.edit", entity="topic", entity_id=key, now=now,
               before=before, after={name: wanted[name] for name in before})
    return topic


def _feedback_for(session: Session, viewer: Viewer, feedback_id: int,
                  permission: Permission = Permission.HANDLE_FEEDBACK) -> tuple[Feedback, Unit]:
    feedback = session.get(Feedback, feedback_id)
    unit = session.get(Unit, feedback.unit_id) if feedback else None
    if feedback is None or unit is None:
        raise LookupError(f"no feedback {feedback_id}")
    require(viewer, permission, unit.path, target=unit.code)
    return feedback, unit


def feedback_text(feedback: Feedback) -> str:
    """What the model reads: the open answer and the free text, as stored (already screened)."""
    return " ".join(part for part in (feedback.open_answer, feedback.free_text) if part)


def example_of(feedback: Feedback) -> Example:
    """A feedback as the model reads it: its texts, its NPS group as the sentiment, its language."""
    sentiment = "" if feedback.nps is None else ("pos" if feedback.nps >= 9 else "mid" if feedback.nps >= 7 else "neg")
    return Example(text=feedback_text(feedback), question="", sentiment=sentiment,
                   language=feedback.language or "fi")


def _decided(session: Session, feedback_id: int) -> dict[int, FeedbackTopic]:
    rows = session.exec(select(FeedbackTopic).where(FeedbackTopic.feedback_id == feedback_id))
    return {row.topic_id: row for row in rows}


def decide_topics(session: Session, *, viewer: Viewer, feedback_id: int, chosen: set[int],
                  seen: set[int], suggested: dict[int, float] | None = None, now: datetime) -> None:
    """A person sets a feedback's topics: kept suggestions become accepted, others added, dropped
    suggestions rejected. `seen` is the applied set the person saw (no lost updates)."""
    feedback, unit = _feedback_for(session, viewer, feedback_id)
    suggested = suggested or {}
    known = {topic.id for topic in list_topics(session, active_only=False)}
    if not chosen <= known:
        raise UnknownTopic(sorted(chosen - known))
    rows = _decided(session, feedback_id)
    applied = {topic_id for topic_id, row in rows.items() if row.source in APPLIED}
    if applied != set(seen):
        raise TopicsChanged(f"feedback {feedback_id}")
    wanted = {topic_id: (ACCEPTED if topic_id in suggested else ADDED) for topic_id in chosen}
    wanted.update({topic_id: REJECTED for topic_id in (set(suggested) | applied) - chosen})
    before = {str(topic_id): row.source for topic_id, row in rows.items()}
    for topic_id, source in wanted.items():
        row = rows.get(topic_id) or FeedbackTopic(feedback_id=feedback_id, topic_id=topic_id, source=source)
        if topic_id in rows and row.source == source:
            continue
        row.source, row.decided_by, row.decided_at = source, viewer.label, now
        row.confidence = suggested.get(topic_id)
        row.suggested_at = now if topic_id in suggested else None
        session.add(row)
    after = {str(topic_id): source for topic_id, source in wanted.items()}
    if after != before:
        record(session, actor=viewer.label, action="feedback.topics", entity="feedback",
               entity_id=str(feedback_id), unit_id=unit.id, now=now, before=before, after=after)


# --- the model ------------------------------------------------------------------------------------

_LOADED: dict[tuple, TopicModel] = {}


def latest_model(session: Session) -> tuple[TopicModelRow, TopicModel] | None:
    """The newest trained model (rows are never changed, so a loaded model is kept for the process)."""
    # The arrays and vocabularies are megabytes: read them only when the model is not loaded yet, since
    # the inbox asks once per item on every rerun.
    row = session.exec(select(TopicModelRow).options(defer(TopicModelRow.arrays), defer(TopicModelRow.meta))
                       .order_by(TopicModelRow.id.desc())).first()
    if row is None:
        return None
    # Two databases (or a re-created one) can each have a model number 1 trained at the same moment: the
    # sizes of its arrays and its cross-validated scores tell them apart.
    sizes = session.exec(select(func.length(TopicModelRow.arrays), func.length(TopicModelRow.meta))
                         .where(TopicModelRow.id == row.id)).one()
    key = (row.id, row.trained_at, row.examples, tuple(sizes), json.dumps(row.scores, sort_keys=True))
    if key not in _LOADED:
        meta, arrays = session.exec(select(TopicModelRow.meta, TopicModelRow.arrays)
                                    .where(TopicModelRow.id == row.id)).one()
        _LOADED.clear()
        _LOADED[key] = TopicModel.from_arrays(json.loads(meta), arrays)
    return row, _LOADED[key]


def training_data(session: Session) -> tuple[list[Example], list[set[str]]]:
    """Every feedback with text and at least one topic a person applied, with those topics' keys."""
    keys = {topic.id: topic.key for topic in list_topics(session, active_only=False)}
    query = (select(FeedbackTopic.feedback_id, FeedbackTopic.topic_id)
             .where(FeedbackTopic.source.in_(APPLIED)).order_by(FeedbackTopic.feedback_id))
    labels: dict[int, set[str]] = {}
    for feedback_id, topic_id in session.exec(query):
        labels.setdefault(feedback_id, set()).add(keys[topic_id])
    examples, tags = [], []
    for feedback in session.exec(select(Feedback).where(Feedback.id.in_(list(labels))).order_by(Feedback.id)):
        if feedback_text(feedback).strip():
            examples.append(example_of(feedback))
            tags.append(labels[feedback.id])
    return examples, tags


class TooFewTags(Exception):
    pass


def train_topic_model(session: Session, *, actor: str, now: datetime, cross_validate: bool = True) -> TopicModelRow:
    """Learn suggestions from the staff's tags; store the model as plain arrays and its honest
    (cross-validated) precision and recall per topic."""
    examples, labels = training_data(session)
    if len(examples) < MIN_TRAINING_COMMENTS:
        raise TooFewTags(f"{len(examples)} tagged comments; at least {MIN_TRAINING_COMMENTS} are needed")
    model = train(examples, labels)
    scores = {"counts": label_counts(labels)}
    if cross_validate:
        predicted = [set(p) for p in cross_validated(examples, labels, folds=CV_FOLDS)]
        scores["topics"] = {score.topic: {"precision": score.precision, "recall": score.recall}
                            for score in topic_scores(labels, predicted, sorted(scores["counts"]))}
    meta, arrays = model.to_arrays()
    row = TopicModelRow(trained_at=now, trained_by=actor, examples=len(examples), meta=dumps_meta(meta),
                        arrays=arrays, scores=scores)
    session.add(row)
    session.flush()
    record(session, actor=actor, action="topic_model.train", entity="topic_model", entity_id=str(row.id), now=now,
           after={"examples": len(examples), "topics": len(model.topics)})
    return row


def decisions_since_training(session: Session) -> tuple[int, bool]:
    """The topics the staff decided (kept, added or removed) since the newest model was trained, and whether
    there is a model at all."""
    trained = session.exec(select(func.max(TopicModelRow.trained_at))).one()
    query = select(func.count()).select_from(FeedbackTopic).where(FeedbackTopic.source.in_(APPLIED + (REJECTED,)))
    if trained is not None:
        query = query.where(FeedbackTopic.decided_at > trained)
    return session.exec(query).one(), trained is not None


def retrain_when_due(engine, *, now: datetime) -> TopicModelRow | None:
    """After imports: a new model once the staff have made RETRAIN_AFTER_DECISIONS new decisions since the last
    one (the first model as soon as there are enough tags); None when not due."""
    with session_scope(engine, write=True) as session:
        decisions, trained = decisions_since_training(session)
        if decisions < (RETRAIN_AFTER_DECISIONS if trained else MIN_TRAINING_COMMENTS):
            return None
        try:
            return train_topic_model(session, actor=RETRAINER, now=now)
        except TooFewTags:
            return None


def topics_for(session: Session, *, viewer: Viewer, feedback_ids: list[int]) -> dict[int, FeedbackTopics]:
    """Each feedback's decided topics, and the model's suggestions for those with none decided."""
    ids = []
    for feedback_id in feedback_ids:
        _feedback_for(session, viewer, feedback_id, Permission.VIEW_FEEDBACK)
        ids.append(feedback_id)
    rows = session.exec(select(FeedbackTopic).where(FeedbackTopic.feedback_id.in_(ids))) if ids else []
    decided: dict[int, list[FeedbackTopic]] = {}
    for row in rows:
        decided.setdefault(row.feedback_id, []).append(row)
    undecided = [session.get(Feedback, i) for i in ids if not any(r.source in APPLIED for r in decided.get(i, []))]
    undecided = [feedback for feedback in undecided if feedback_text(feedback).strip()]
    suggestions: dict[int, tuple[Suggestion, ...]] = {}
    loaded = latest_model(session)
    if loaded and undecided:
        by_key = {topic.key: topic.id for topic in list_topics(session)}
        for feedback, row_suggestions in zip(undecided, loaded[1].suggest([example_of(f) for f in undecided])):
            suggestions[feedback.id] = tuple(Suggestion(by_key[key], round(confidence, 2))
                                             for key, confidence in row_suggestions if key in by_key)
    return {i: FeedbackTopics(i, tuple(r.topic_id for r in decided.get(i, []) if r.source in APPLIED),
                              tuple(r.topic_id for r in decided.get(i, []) if r.source == REJECTED),
                              suggestions.get(i, ())) for i in ids}


@dataclass(frozen=True)
class TopicQuality:
    key: str
    name: str
    tags: int
    precision: float | None
    recall: float | None
    suggested: bool  # enough examples to be learned


def topic_quality(session: Session, *, viewer: Viewer, language: str = "fi"
                  ) -> tuple[TopicModelRow | None, list[TopicQuality]]:
    """For /admin: each topic's tags, and its cross-validated precision and recall on the staff's own tags."""
    _require_configure(viewer)
    loaded = latest_model(session)
    row, model = loaded if loaded else (None, None)
    scores = (row.scores or {}) if row else {}
    counts, figures = scores.get("counts", {}), scores.get("topics", {})
    learned = set(model.topics) if model else set()
    return row, [TopicQuality(topic.key, topic.name(language), counts.get(topic.key, 0),
                              figures.get(topic.key, {}).get("precision"), figures.get(topic.key, {}).get("recall"),
                              topic.key in learned)
                 for topic in list_topics(session)]
