"""Prioritising together: pairwise duels of ideas (a wiki survey, Salganik & Levy 2015; "Innoduel").

Participants compare two items at a time; a Bradley–Terry model (fitted with `choix`) turns the
comparisons into a score per item with its uncertainty. Pure: no storage, no clock (`now` is an argument).
Items are identified by any hashable id (the database's item ids in practice).
"""
from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import choix
import numpy as np

# An item is ranked publicly only after this many decisive comparisons (Innoduel waits for six).
SHOWN_AFTER = 6
# One device may vote at most this often: a person reads two answers and taps in a second or two.
RATE_WINDOW = timedelta(minutes=1)
RATE_MOST = 30
# A participant may add this many answers of their own to one duel.
OWN_ANSWERS_MOST = 3
ITEM_TEXT_MAX = 200
QUESTION_MAX = 200
ITEMS_LEAST = 2
# The result is also computed without the most active tokens, this share of them (rounded down).
ACTIVE_SHARE = 0.05
TOP = 10
# A little regularisation keeps the scores finite for an item that always wins or always loses.
_ALPHA = 0.01
_Z95 = 1.96


class InvalidDuel(ValueError):
    """Input a duel refuses; `reason` is a stable key the UI turns into a message in its language."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{detail} ({reason})")
        self.reason = reason


@dataclass(frozen=True)
class Comparison:
    """One decisive vote: `winner` was preferred to `loser` by the participant `token`."""

    winner: Hashable
    loser: Hashable
    token: str = ""


@dataclass(frozen=True)
class RankedItem:
    """An item's score: the chance (0–100) it wins against an average other item, with a 95 % interval."""

    item: Hashable
    score: float
    low: float
    high: float
    comparisons: int

    @property
    def shown(self) -> bool:
        return self.comparisons >= SHOWN_AFTER


def check_question(question: str) -> str:
    """A duel asks one question of at most 200 characters."""
    question = (question or "").strip()
    if not question:
        raise InvalidDuel("question_missing", "a duel needs a question")
    if len(question) > QUESTION_MAX:
        raise InvalidDuel("too_long", f"the question has {len(question)} characters, more than {QUESTION_MAX}")
    return question


def check_item_text(text: str) -> str:
    """An item (an answer to the question) is a non-empty text of at most 200 characters."""
    text = " ".join((text or "").split())
    if not text:
        raise InvalidDuel("item_missing", "an answer is empty")
    if len(text) > ITEM_TEXT_MAX:
        raise InvalidDuel("too_long", f"an answer has {len(text)} characters, more than {ITEM_TEXT_MAX}")
    return text


def starting_items(texts: Iterable[str]) -> list[str]:
    """The starting items of a new duel: each checked, duplicates (ignoring case) dropped; at least two."""
    items, seen = [], set()
    for text in texts:
        if not (text or "").strip():
            continue
        text = check_item_text(text)
        if text.casefold() not in seen:
            seen.add(text.casefold())
            items.append(text)
    if len(items) < ITEMS_LEAST:
        raise InvalidDuel("too_few_items", f"a duel needs at least {ITEMS_LEAST} different items")
    return items


def is_open(*, closes_at: datetime | None, closed_at: datetime | None, now: datetime) -> bool:
    """A duel takes votes until it is closed or its closing time has passed."""
    return closed_at is None and (closes_at is None or now < closes_at)


def may_vote(recent_votes: Sequence[datetime], now: datetime) -> bool:
    """One device votes at most RATE_MOST times within RATE_WINDOW."""
    return sum(1 for at in recent_votes if now - at < RATE_WINDOW) < RATE_MOST


def choose_pair(items: Sequence[Hashable], exposure: dict[Hashable, int],
                seen: Iterable[frozenset], rng: random.Random) -> tuple[Hashable, Hashable] | None:
    """The next pair for a participant: the least shown item against the least shown partner it has
    not yet been paired with for this participant; sides at random. None with fewer than two items."""
    if len(items) < 2:
        return None
    seen = set(seen)
    least_shown = sorted(items, key=lambda item: (exposure.get(item, 0), rng.random()))
    for first in least_shown:
        partners = [other for other in least_shown if other != first and frozenset((first, other)) not in seen]
        if partners:
            pair = [first, partners[0]]
            break
    else:  # the participant has seen every pair: start again from the least shown
        pair = least_shown[:2]
    rng.shuffle(pair)
    return pair[0], pair[1]


def _win_chance(params: np.ndarray, index: int, value: float) -> float:
    others = np.delete(params, index)
    return float(np.mean(1.0 / (1.0 + np.exp(others - value))))


def _standard_errors(params: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    # The observed Fisher information of the Bradley–Terry log-likelihood, plus the regulariser.
    n = len(params)
    information = np.eye(n) * _ALPHA
    for winner, loser in pairs:
        p = 1.0 / (1.0 + math.exp(params[loser] - params[winner]))
        w = p * (1 - p)
        information[winner, winner] += w
        information[loser, loser] += w
        information[winner, loser] -= w
        information[loser, winner] -= w
    # Only differences of strengths mean anything: the covariance of the centred strengths, so the
    # regulariser's arbitrary level (variance 1/alpha for all items together) does not widen every interval.
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    covariance = centre @ np.linalg.inv(information) @ centre
    return np.sqrt(np.clip(np.diag(covariance), 0, None))


def rank(items: Sequence[Hashable], comparisons: Iterable[Comparison]) -> list[RankedItem]:
    """Bradley–Terry scores of the items, best first (ties by fewer comparisons last, then input order)."""
    index = {item: i for i, item in enumerate(items)}
    pairs = [(index[c.winner], index[c.loser]) for c in comparisons if c.winner in index and c.loser in index]
    if len(items) < 2:
        return [RankedItem(item, 50.0, 0.0, 100.0, 0) for item in items]
    params = choix.ilsr_pairwise(len(items), pairs, alpha=_ALPHA) if pairs else np.zeros(len(items))
    errors = _standard_errors(params, pairs)
    counts = Counter(i for pair in pairs for i in pair)
    ranked = [
        RankedItem(item, score=100 * _win_chance(params, i, params[i]),
                   low=100 * _win_chance(params, i, params[i] - _Z95 * errors[i]),
                   high=100 * _win_chance(params, i, params[i] + _Z95 * errors[i]),
                   comparisons=counts[i])
        for item, i in index.items()
    ]
    order = {item: i for i, item in enumerate(items)}
    return sorted(ranked, key=lambda r: (-round(r.score, 6), -r.comparisons, order[r.item]))


def most_active(votes_by_token: dict[str, int], share: float = ACTIVE_SHARE) -> set[str]:
    """The most active `share` of the tokens by votes (rounded down: fewer than 20 tokens, none)."""
    count = math.floor(len(votes_by_token) * share)
    ordered = sorted(votes_by_token, key=lambda token: (-votes_by_token[token], token))
    return set(ordered[:count])


def top(ranking: Sequence[RankedItem], most: int = TOP) -> list[RankedItem]:
    """The best `most` items that have enough comparisons to be shown."""
    return [r for r in ranking if r.shown][:most]


def without_most_active(items: Sequence[Hashable], comparisons: Sequence[Comparison]) -> list[RankedItem] | None:
    """The ranking without the most active 5 % of tokens, when its top list differs from the full one; else None."""
    active = most_active(Counter(c.token for c in comparisons))
    if not active:
        return None
    rest = rank(items, [c for c in comparisons if c.token not in active])
    full = rank(items, comparisons)
    if [r.item for r in top(rest)] == [r.item for r in top(full)]:
        return None
    return rest
