"""Recurring and emerging topics of a unit: this month against the months before, among the feedback not
yet in any theme; and "make a theme of these" in one action."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from auth.access import Viewer, require
from auth.roles import Permission
from board.topics import TopicTrend, topic_trends
from data.models import Feedback, ThemeFeedback
from data.topic_tables import FeedbackTopic
from data.organisation import in_subtree, unit_by_code
from data.handling import attach_to_theme
from data.themes import create_theme
from data.units import UnknownUnit
from data.topics import APPLIED, example_of, feedback_text, latest_model, list_topics

# "This month" is the last 30 days, so that the first days of a calendar month are not empty.
MONTH = timedelta(days=30)
MONTHS_BEFORE = 3


@dataclass(frozen=True)
class UnitTopicTrend:
    topic_id: int
    name: str
    trend: TopicTrend
    feedback_ids: tuple[int, ...]  # this month's, not yet in a theme: what a new theme would gather


def _topics_of(session: Session, rows: list[Feedback]) -> dict[int, set[str]]:
    """Each feedback's topics: those a person applied, or else the suggestions the model gives at least even
    odds (a calibrated probability of at least 1/2)."""
    keys = {topic.id: topic.key for topic in list_topics(session)}
    decided: dict[int, set[str]] = {}
    ids = [row.id for row in rows]
    for chunk in range(0, len(ids), 500):
        query = select(FeedbackTopic).where(FeedbackTopic.feedback_id.in_(ids[chunk:chunk + 500]),
                                            FeedbackTopic.source.in_(APPLIED))
        for tag in session.exec(query):
            if tag.topic_id in keys:
                decided.setdefault(tag.feedback_id, set()).add(keys[tag.topic_id])
    undecided = [row for row in rows if row.id not in decided]
    loaded = latest_model(session)
    if loaded and undecided:
        for row, suggestions in zip(undecided, loaded[1].suggest([example_of(row) for row in undecided])):
            # Only confident suggestions count here: a top-1 fallback is an aid for reading, not a count.
            sure = {key for key, confidence in suggestions if confidence >= 0.5}
            if sure:
                decided[row.id] = sure
    return decided


def unit_topic_trends(session: Session, *, viewer: Viewer, unit_code: str, now: datetime,
                      language: str = "fi") -> list[UnitTopicTrend]:
    """The topics of a unit's (subtree's) unthemed feedback in the last 30 days against the 30-day average
    of the 90 days before; emerging ones first."""
    unit = unit_by_code(session, unit_code)
    if unit is None:
        raise UnknownUnit(unit_code)
    require(viewer, Permission.VIEW_FEEDBACK, unit.path, target=unit.code)
    start, month_start = now - MONTH * (MONTHS_BEFORE + 1), now - MONTH
    themed = select(ThemeFeedback.feedback_id)
    rows = [row for row in session.exec(
        select(Feedback).where(in_subtree(unit, Feedback.unit_id), Feedback.received_at >= start,
                               Feedback.received_at <= now, Feedback.id.not_in(themed)).order_by(Feedback.id))
            if feedback_text(row).strip()]
    topics = _topics_of(session, rows)
    this_month: dict[str, int] = {}
    before: dict[str, int] = {}
    gathered: dict[str, list[int]] = {}
    for row in rows:
        for key in topics.get(row.id, ()):
            if row.received_at >= month_start:
                this_month[key] = this_month.get(key, 0) + 1
                gathered.setdefault(key, []).append(row.id)
            else:
                before[key] = before.get(key, 0) + 1
    by_key = {topic.key: topic for topic in list_topics(session)}
    return [UnitTopicTrend(by_key[trend.topic].id, by_key[trend.topic].name(language), trend,
                           tuple(gathered.get(trend.topic, ())))
            for trend in topic_trends(this_month, before, MONTHS_BEFORE) if trend.topic in by_key]


def make_theme_of(session: Session, *, viewer: Viewer, unit_code: str, title: str, feedback_ids: list[int],
                  now: datetime) -> int:
    """A new theme of the unit gathering the given feedback (one click on an emerging topic); returns its id."""
    theme = create_theme(session, viewer=viewer, unit_code=unit_code, title=title, now=now)
    for feedback_id in feedback_ids:
        attach_to_theme(session, viewer=viewer, feedback_id=feedback_id, theme_id=theme.id, now=now)
    return theme.id
