"""Topics (aiheet) of feedback: how good the suggestions are, triage, recurring and emerging topics.

Pure rules; the model itself lives in data/topic_model.py and the tags in data/topics.py.
"""
from __future__ import annotations

from dataclasses import dataclass

# Macro-F1 counts the topics that had at least this many training examples (as the published
# NHS anchors do); rarer ones are shown but not averaged.
MACRO_MIN_TRAIN = 10
# A topic is emerging when this month's count is at least this many and this many times the
# monthly average of the months before.
EMERGING_MIN_COUNT = 3
EMERGING_RATIO = 2.0

@dataclass(frozen=True)
class TopicScore:
    topic: str
    precision: float | None
    recall: float | None
    f1: float
    support: int


def topic_scores(truth: list[set[str]], predicted: list[set[str]], topics: list[str]) -> list[TopicScore]:
    """Precision, recall and F1 of each topic: precision is None when it was never suggested."""
    scores = []
    for topic in topics:
        true_positive = sum(1 for t, p in zip(truth, predicted) if topic in t and topic in p)
        suggested = sum(1 for p in predicted if topic in p)
        support = sum(1 for t in truth if topic in t)
        precision = true_positive / suggested if suggested else None
        recall = true_positive / support if support else None
        f1 = 2 * true_positive / (suggested + support) if suggested + support else 0.0
        scores.append(TopicScore(topic, precision, recall, f1, support))
    return scores


def micro_f1(truth: list[set[str]], predicted: list[set[str]]) -> float:
    """F1 over all (comment, topic) pairs: every tag counts the same."""
    true_positive = sum(len(t & p) for t, p in zip(truth, predicted))
    total = sum(len(t) for t in truth) + sum(len(p) for p in predicted)
    return 2 * true_positive / total if total else 0.0


def macro_f1(truth: list[set[str]], predicted: list[set[str]], train_counts: dict[str, int],
             minimum: int = MACRO_MIN_TRAIN) -> float:
    """The mean F1 of the topics with at least `minimum` training examples: every topic counts the same."""
    topics = sorted(topic for topic, n in train_counts.items() if n >= minimum)
    if not topics:
        return 0.0
    return sum(score.f1 for score in topic_scores(truth, predicted, topics)) / len(topics)


def label_counts(labels: list[set[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for topic_set in labels:
        for topic in topic_set:
            counts[topic] = counts.get(topic, 0) + 1
    return counts


@dataclass(frozen=True)
class TopicTrend:
    topic: str
    this_month: int
    monthly_before: float  # the average of the months before
    emerging: bool


def topic_trends(this_month: dict[str, int], before: dict[str, int], months_before: int) -> list[TopicTrend]:
    """This month's topics against the monthly average before; emerging = clearly more than usual."""
    trends = []
    for topic in sorted(set(this_month) | set(before)):
        now_count = this_month.get(topic, 0)
        average = before.get(topic, 0) / months_before if months_before else 0.0
        emerging = now_count >= EMERGING_MIN_COUNT and now_count >= EMERGING_RATIO * max(average, 1.0)
        trends.append(TopicTrend(topic, now_count, round(average, 1), emerging))
    return sorted(trends, key=lambda trend: (not trend.emerging, -trend.this_month, trend.topic))


def shown_percent(confidence: float) -> int:
    """A suggestion's confidence in whole percent, 1–99: a learned guess is never shown as certain."""
    return min(99, max(1, round(100 * confidence)))
