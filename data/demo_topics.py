"""The demo county's tagged history: a share of its older open answers tagged with the topic they
were written for (data/demo_content.py groups them by topic), so suggestions are alive on first start."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, select

from data import demo_content as content
from data.models import Feedback
from data.topic_tables import FeedbackTopic, Topic

DEMO_TAGGER = "demo:esihenkilo"
TAGGED_SHARE = 0.5
MOST_TAGGED = 1500  # enough to learn from; seed-demo trains it (with its figures) in about half a minute
# Only what was read a while ago is tagged: the newest feedback is left for suggestions.
UNTAGGED_DAYS = 7
# Demo topic (content.OPEN_ANSWERS) -> topic key; the unit-specific groups are not tagged.
TOPIC_OF = {"waiting": "odotus", "booking": "ajanvaraus", "kindness": "henkilokunta",
            "information": "tiedotus", "expertise": "ammattitaito", "facilities": "tilat",
            "continuity": "jatkuvuus"}


def demo_topic_of_text() -> dict[str, str]:
    """Each demo open answer's topic key (a general positive answer is a thank-you)."""
    topics: dict[str, str] = {}
    for tone, groups in content.OPEN_ANSWERS.items():
        for group, answers in groups.items():
            key = TOPIC_OF.get(group) or ("kiitos" if tone == "positive" and group == "general" else None)
            for answer in answers:
                if key:
                    topics.setdefault(answer, key)
    return topics


def tag_demo_feedback(session: Session, *, seed: int, now: datetime) -> int:
    """Tag a deterministic share of the older demo feedback as a supervisor would have; returns how many."""
    rng = random.Random(f"{seed}:topics")
    ids = {topic.key: topic.id for topic in session.exec(select(Topic))}
    topic_of = demo_topic_of_text()
    rows = session.exec(select(Feedback.id, Feedback.open_answer)
                        .where(Feedback.open_answer.is_not(None), Feedback.received_at < now - timedelta(days=UNTAGGED_DAYS))
                        .order_by(Feedback.id))
    candidates = [(feedback_id, ids[topic_of[answer]]) for feedback_id, answer in rows
                  if topic_of.get(answer) in ids]
    chosen = rng.sample(candidates, min(MOST_TAGGED, round(len(candidates) * TAGGED_SHARE)))
    for feedback_id, topic_id in chosen:
        session.add(FeedbackTopic(feedback_id=feedback_id, topic_id=topic_id, source="added",
                                  decided_by=DEMO_TAGGER, decided_at=now))
    return len(chosen)
