"""The pure rules of topics: F1 figures, emerging topics, thresholds."""
from __future__ import annotations

import numpy as np
import pytest

from board.topics import (
    macro_f1,
    micro_f1,
    topic_scores,
    topic_trends,
)
from data.topic_model import best_threshold, micro_offset, suggested_matrix


def test_micro_f1_counts_every_tag_the_same():
    truth = [{"a"}, {"a", "b"}, {"c"}]
    predicted = [{"a"}, {"a"}, {"b"}]
    # 2 right of 3 suggested and 4 true: 2·2 / (3 + 4)
    assert micro_f1(truth, predicted) == pytest.approx(4 / 7)


def test_macro_f1_averages_only_topics_with_enough_training_examples():
    truth = [{"a"}, {"b"}]
    predicted = [{"a"}, {"a"}]
    assert macro_f1(truth, predicted, {"a": 10, "b": 10}) == pytest.approx((2 / 3 + 0) / 2)
    assert macro_f1(truth, predicted, {"a": 10, "b": 9}) == pytest.approx(2 / 3)


def test_a_topic_never_suggested_has_no_precision_rather_than_zero():
    [score] = topic_scores([{"a"}], [set()], ["a"])
    assert score.precision is None and score.recall == 0 and score.support == 1


@pytest.mark.parametrize("now_count, before, months, emerging", [
    (3, 0, 3, True),     # new and already three
    (2, 0, 3, False),    # too few to call
    (6, 9, 3, True),     # twice the usual three a month
    (5, 9, 3, False),    # less than twice
    (4, 0, 0, True),     # no history: judged against one a month
])
def test_a_topic_emerges_when_this_month_has_clearly_more_than_usual(now_count, before, months, emerging):
    [trend] = topic_trends({"odotus": now_count}, {"odotus": before}, months)
    assert trend.emerging is emerging


def test_emerging_topics_come_first():
    trends = topic_trends({"a": 10, "b": 4}, {"a": 30, "b": 0}, 3)
    assert [trend.topic for trend in trends] == ["b", "a"]


def test_the_threshold_lies_between_the_scores_that_give_the_best_f1():
    scores = np.array([2.0, 1.0, 0.5, -1.0])
    truth = np.array([True, True, False, False])
    assert best_threshold(scores, truth) == pytest.approx(0.75)


def test_every_comment_gets_at_least_its_surest_topic():
    margins = np.array([[-0.5, -0.1], [0.3, 0.2]])
    assert suggested_matrix(margins).tolist() == [[False, True], [True, True]]


def test_a_shared_shift_is_chosen_only_when_it_improves_the_overall_f1():
    scores = np.array([[1.0, 0.9], [1.0, 0.1]])
    truth = np.array([[True, False], [True, False]])
    assert micro_offset(scores, truth, np.zeros(2)) > 0.1
