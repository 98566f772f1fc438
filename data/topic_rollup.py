"""On the director's roll-up: the topics of each unit's feedback in the period, as tagged by people (issue 19)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from auth.access import Viewer, require
from auth.roles import Permission
from board.periods import Period
from data.models import Feedback, Unit
from data.topic_tables import FeedbackTopic, Topic
from data.topics import APPLIED
from data.units import find_unit


@dataclass(frozen=True)
class TopicCount:
    topic_id: int
    name: str
    count: int  # feedback of the period with this topic applied by a person


@dataclass(frozen=True)
class UnitTopics:
    code: str
    name: str
    topics: tuple[TopicCount, ...]  # most frequent first

    @property
    def tagged(self) -> int:
        """Topic tags in all (a feedback with two topics counts twice)."""
        return sum(topic.count for topic in self.topics)


def topics_by_unit(session: Session, *, viewer: Viewer, unit_code: str, period: Period,
                   language: str = "fi") -> list[UnitTopics]:
    """The topics people applied (accepted or added, never a bare suggestion) to the period's feedback of each
    unit below the node, or of the node itself when it has none: one query grouped by unit and topic, pooled
    up to the units below the node; only for those who may roll the node up."""
    node = find_unit(session, unit_code)
    require(viewer, Permission.VIEW_ROLLUP, node.path, target=node.code)
    children = list(session.exec(select(Unit).where(Unit.parent_id == node.id, Unit.active).order_by(Unit.path)))
    groups = children or [node]
    start, end = period.utc_bounds()
    counted = session.exec(
        select(Unit.path, FeedbackTopic.topic_id, func.count())
        .select_from(Feedback)
        .join(Unit, Unit.id == Feedback.unit_id)
        .join(FeedbackTopic, FeedbackTopic.feedback_id == Feedback.id)
        .join(Topic, Topic.id == FeedbackTopic.topic_id)
        .where(Unit.path.startswith(node.path), Feedback.received_at >= start, Feedback.received_at < end,
               FeedbackTopic.source.in_(APPLIED), Topic.active)
        .group_by(Unit.path, FeedbackTopic.topic_id)).all()
    topics = {topic.id: topic for topic in session.exec(select(Topic))}
    pooled: dict[str, dict[int, int]] = {group.code: {} for group in groups}
    for path, topic_id, count in counted:
        for group in groups:
            if path.startswith(group.path):
                pooled[group.code][topic_id] = pooled[group.code].get(topic_id, 0) + int(count)
                break
    return [UnitTopics(code=group.code, name=group.name(language), topics=tuple(
                TopicCount(topic_id, topics[topic_id].name(language), count)
                for topic_id, count in sorted(pooled[group.code].items(),
                                              key=lambda item: (-item[1], topics[item[0]].position, item[0]))))
            for group in groups]
