"""Pairwise duels: fair pairs, Bradley–Terry ranking with its uncertainty, the integrity rules."""
from __future__ import annotations

import math
import random
from collections import Counter
from datetime import datetime, timedelta

import pytest

from board.duel import (
    RATE_MOST,
    SHOWN_AFTER,
    Comparison,
    InvalidDuel,
    check_item_text,
    choose_pair,
    is_open,
    may_vote,
    most_active,
    rank,
    starting_items,
    top,
    without_most_active,
)

NOW = datetime(2026, 11, 23, 8, 0)


def _simulated_votes(strengths: dict[str, float], votes: int, rng: random.Random, tokens: int = 30) -> list[Comparison]:
    """Votes of participants who prefer an item with the Bradley–Terry probability of its true strength."""
    items, exposure, comparisons = list(strengths), Counter(), []
    for n in range(votes):
        left, right = choose_pair(items, exposure, (), rng)
        exposure.update((left, right))
        p_left = 1 / (1 + math.exp(strengths[right] - strengths[left]))
        winner, loser = (left, right) if rng.random() < p_left else (right, left)
        comparisons.append(Comparison(winner, loser, token=f"t{n % tokens}"))
    return comparisons


def test_the_ranking_recovers_a_known_order_from_simulated_votes():
    strengths = {f"item{i}": 3.0 - 0.5 * i for i in range(8)}  # item0 best, item7 worst
    comparisons = _simulated_votes(strengths, votes=800, rng=random.Random(20))
    ranking = rank(list(strengths), comparisons)
    assert [r.item for r in ranking] == list(strengths)


def test_the_best_items_true_order_is_recovered_on_many_seeds_with_few_swaps():
    strengths = {f"item{i}": 2.0 - 0.6 * i for i in range(6)}
    for seed in range(10):
        ranking = rank(list(strengths), _simulated_votes(strengths, votes=300, rng=random.Random(seed)))
        assert ranking[0].item == "item0" and ranking[-1].item == "item5"


def test_a_score_lies_inside_its_interval_and_the_interval_narrows_with_more_votes():
    strengths = {"a": 1.0, "b": 0.0, "c": -1.0}
    few = rank(list(strengths), _simulated_votes(strengths, 30, random.Random(1)))
    many = rank(list(strengths), _simulated_votes(strengths, 600, random.Random(1)))
    for r in few + many:
        assert 0 <= r.low <= r.score <= r.high <= 100
    width = {r.item: r.high - r.low for r in few}
    assert all(r.high - r.low < width[r.item] for r in many)


def test_fair_pairs_show_every_item_about_equally_often():
    items, exposure, rng = list(range(12)), Counter(), random.Random(3)
    for _ in range(120):
        exposure.update(choose_pair(items, exposure, (), rng))
    assert max(exposure.values()) - min(exposure.values()) <= 1


def test_a_participant_is_not_shown_the_same_pair_again_while_new_pairs_remain():
    items, exposure, seen, rng = ["a", "b", "c", "d"], Counter(), set(), random.Random(5)
    for _ in range(6):  # four items make six pairs
        pair = choose_pair(items, exposure, seen, rng)
        assert frozenset(pair) not in seen
        seen.add(frozenset(pair))
        exposure.update(pair)
    assert choose_pair(items, exposure, seen, rng) is not None  # then pairs repeat


def test_there_is_no_pair_with_fewer_than_two_items():
    assert choose_pair(["a"], {}, (), random.Random(1)) is None


@pytest.mark.parametrize("wins, shown", [(SHOWN_AFTER - 1, False), (SHOWN_AFTER, True)])
def test_an_item_is_shown_after_six_comparisons(wins, shown):
    comparisons = [Comparison("a", "b")] * wins
    ranking = {r.item: r for r in rank(["a", "b", "c"], comparisons)}
    assert ranking["a"].shown is shown and ranking["c"].shown is False
    assert [r.item for r in top(list(ranking.values()))] == (["a", "b"] if shown else [])


def test_an_item_that_always_wins_gets_a_finite_score_below_100():
    ranking = rank(["a", "b"], [Comparison("a", "b")] * 20)
    assert ranking[0].item == "a" and 50 < ranking[0].score < 100


@pytest.mark.parametrize("recent, allowed", [(RATE_MOST - 1, True), (RATE_MOST, False)])
def test_one_device_votes_at_most_thirty_times_a_minute(recent, allowed):
    times = [NOW - timedelta(seconds=1)] * recent
    assert may_vote(times, NOW) is allowed


def test_votes_older_than_a_minute_do_not_count_against_the_rate():
    assert may_vote([NOW - timedelta(minutes=2)] * 100, NOW)


@pytest.mark.parametrize("tokens, dropped", [(19, 0), (20, 1), (40, 2)])
def test_the_most_active_five_percent_of_tokens_rounded_down(tokens, dropped):
    votes = {f"t{i:02}": i + 1 for i in range(tokens)}
    active = most_active(votes)
    assert len(active) == dropped
    assert active == {f"t{i:02}" for i in range(tokens - dropped, tokens)}


def test_one_device_swamping_the_duel_is_shown_as_a_different_result():
    honest = [Comparison("a", "b", token=f"p{i}") for i in range(20)] * 2  # 20 people prefer a
    swamp = [Comparison("b", "a", token="bot")] * 200
    assert rank(["a", "b"], honest + swamp)[0].item == "b"
    without = without_most_active(["a", "b"], honest + swamp)
    assert without is not None and without[0].item == "a"


def test_the_result_without_the_most_active_is_none_when_it_is_the_same():
    honest = [Comparison("a", "b", token=f"p{i}") for i in range(20)] * 2
    assert without_most_active(["a", "b"], honest) is None


@pytest.mark.parametrize("text, reason", [("  ", "item_missing"), ("x" * 201, "too_long")])
def test_an_item_needs_a_short_text(text, reason):
    with pytest.raises(InvalidDuel) as refused:
        check_item_text(text)
    assert refused.value.reason == reason


def test_starting_items_drop_empty_lines_and_duplicates_ignoring_case():
    assert starting_items(["Jonot", "", "jonot", " Pysäköinti "]) == ["Jonot", "Pysäköinti"]


def test_a_duel_needs_two_different_items():
    with pytest.raises(InvalidDuel) as refused:
        starting_items(["Jonot", "JONOT"])
    assert refused.value.reason == "too_few_items"


@pytest.mark.parametrize("closes_at, closed_at, expected", [
    (None, None, True),
    (NOW + timedelta(hours=1), None, True),
    (NOW, None, False),
    (None, NOW - timedelta(minutes=1), False),
])
def test_a_duel_is_open_until_closed_or_its_closing_time(closes_at, closed_at, expected):
    assert is_open(closes_at=closes_at, closed_at=closed_at, now=NOW) is expected
