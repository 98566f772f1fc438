"""The pure rules of topics: F1 figures, emerging topics, thresholds."""
from __future__ import annotations

import io

import numpy as np
import pytest

from board.topics import (
    macro_f1,
    micro_f1,
    shown_percent,
    topic_scores,
    topic_trends,
)
from data.topic_model import (
    RARE_EXAMPLES,
    Example,
    Settings,
    TopicModel,
    best_cut,
    calibrate,
    suggested_matrix,
    topic_cuts,
    train,
)


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


def test_calibration_turns_higher_scores_into_higher_probabilities():
    scores = np.array([-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 0.2, -0.2])
    truth = np.array([False, False, False, False, True, True, True, True, False, True])
    slope, bias = calibrate(scores, truth)
    assert slope > 0
    assert 1 / (1 + np.exp(-(slope * 2.0 + bias))) > 0.9 > 0.1 > 1 / (1 + np.exp(-(slope * -2.0 + bias)))


def test_every_comment_gets_at_least_its_surest_topic():
    margins = np.array([[-0.5, -0.1], [0.3, 0.2]])
    assert suggested_matrix(margins).tolist() == [[False, True], [True, True]]


def test_the_cut_is_the_probability_that_gives_the_best_f1_over_all_tags():
    probabilities = np.array([[0.9, 0.45], [0.8, 0.3], [0.1, 0.7]])
    truth = np.array([[True, False], [True, False], [False, True]])
    # Over 0.45 the first comment would also get its wrong second topic; at or under 0.3 the second too.
    assert 0.45 < best_cut(probabilities, truth) <= 0.7


def test_a_rare_topic_gets_a_lower_cut():
    common, rare = topic_cuts(0.4, np.array([RARE_EXAMPLES, RARE_EXAMPLES - 1]))
    assert common == pytest.approx(0.4) and rare < common


def test_a_model_stored_before_calibration_suggests_what_it_did_then():
    examples = [Example(text) for text in ["jono oli pitkä", "pitkä odotus", "ystävällinen hoitaja", "hoitaja kiva",
                                           "jonossa tunti", "mukava hoitaja"]]
    labels = [{"odotus"}, {"odotus"}, {"henkilökunta"}, {"henkilökunta"}, {"odotus"}, {"henkilökunta"}]
    model = train(examples, labels, Settings(min_examples=3, inner_folds=3))
    meta, blob = model.to_arrays()
    arrays = dict(np.load(io.BytesIO(blob), allow_pickle=False))
    thresholds = np.array([0.1, -0.2], np.float32)
    old = {key: value for key, value in arrays.items() if key not in ("slopes", "biases", "cuts")}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, thresholds=thresholds, **old)
    loaded = TopicModel.from_arrays(meta, buffer.getvalue())
    margins = model.scores(examples) - thresholds
    for row_margins, suggestions in zip(margins, loaded.suggest(examples)):
        expected = [i for i in np.argsort(-row_margins) if row_margins[i] >= 0] or [int(np.argmax(row_margins))]
        assert [topic for topic, _ in suggestions] == [model.topics[i] for i in expected]
        assert [confidence for _, confidence in suggestions] == pytest.approx(
            [1 / (1 + np.exp(-2 * row_margins[i])) for i in expected], abs=1e-5)


@pytest.mark.parametrize(("confidence", "shown"), [(0.0, 1), (0.004, 1), (0.42, 42), (0.996, 99), (1.0, 99)])
def test_a_suggestions_confidence_is_never_shown_as_certain(confidence, shown):
    assert shown_percent(confidence) == shown
