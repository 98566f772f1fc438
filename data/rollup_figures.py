"""A roll-up node's figures of one period, made from its pooled counts (data/rollup.py): the layout of a unit's
counts, the NPS made at once, each statement's summary and change made only when a page reads it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from board.likert import STATEMENT_KEYS, LikertSummary, likert_summary
from board.nps import NpsResult, nps
from board.significance import Difference, proportion_difference
from data.aggregate_tables import DAY_COLUMNS

# The layout of one unit's counts in a period: volume, NPS groups, then n / sum / agreeing per statement.
_VOLUME, _PROMOTERS, _PASSIVES, _DETRACTORS = range(4)
_LIKERT_AT = 4
_WIDTH = _LIKERT_AT + 3 * len(STATEMENT_KEYS)
_STATEMENT_AT = {key: i for i, key in enumerate(STATEMENT_KEYS)}


@dataclass(frozen=True)
class _Columns:
    """Where a unit's counts sit in its row: DAY_COLUMNS per compared period, then awaiting (2), deadlines (3),
    themes in development, actions done, huddles held and boards (1 each), then one column per channel."""

    periods: int
    channel_count: int

    def period(self, i: int) -> int:
        return i * len(DAY_COLUMNS)

    @property
    def others(self) -> int:
        return self.periods * len(DAY_COLUMNS)

    @property
    def channels(self) -> int:
        return self.others + 9

    @property
    def width(self) -> int:
        return self.channels + self.channel_count


class _ByStatement(Mapping):
    """A mapping keyed by the national statements, in their order; subclasses make a value when first read."""

    __slots__ = ()

    def __iter__(self):
        return iter(STATEMENT_KEYS)

    def __len__(self) -> int:
        return len(STATEMENT_KEYS)

    def __repr__(self) -> str:
        return repr(dict(self))


class _Statements(_ByStatement):
    """Each statement's summary of one period (`likert_summary` of its n / sum / agreeing), made when first read:
    a roll-up of a thousand nodes × three periods would make 21 000 of them for the few a page shows."""

    __slots__ = ("_counts", "_made")

    def __init__(self, counts: list[int]) -> None:
        self._counts = tuple(counts[_LIKERT_AT:_WIDTH])
        self._made: dict[str, LikertSummary] = {}

    def __getitem__(self, key: str) -> LikertSummary:
        made = self._made.get(key)
        if made is None:
            at = 3 * _STATEMENT_AT[key]
            n, total, agreeing = self._counts[at:at + 3]
            made = self._made[key] = likert_summary(key, n=n, total=total, agreeing=agreeing)
        return made


class _StatementChanges(_ByStatement):
    """Each statement's change in the share agreeing against the previous period (`proportion_difference`), made
    when first read; None for every statement of a hidden node."""

    __slots__ = ("_current", "_previous", "_hidden", "_min_n", "_made")

    def __init__(self, current: list[int], previous: list[int], hidden: bool, min_n: int) -> None:
        self._current, self._previous = tuple(current[_LIKERT_AT:_WIDTH]), tuple(previous[_LIKERT_AT:_WIDTH])
        self._hidden, self._min_n = hidden, min_n
        self._made: dict[str, Difference | None] = {}

    def __getitem__(self, key: str) -> Difference | None:
        if key not in self._made:
            at = 3 * _STATEMENT_AT[key]
            self._made[key] = None if self._hidden else proportion_difference(
                self._current[at + 2], self._current[at], self._previous[at + 2], self._previous[at],
                min_n=self._min_n)
        return self._made[key]


@dataclass(frozen=True)
class PeriodFigures:
    """A node's pooled feedback figures of one period."""

    volume: int
    nps: NpsResult
    likert: Mapping[str, LikertSummary]


def period_figures(counts: list[int], min_n: int) -> PeriodFigures:
    """The figures of one period from counts in the layout above: NPS now, statement summaries when read."""
    return PeriodFigures(
        volume=counts[_VOLUME],
        nps=nps(promoters=counts[_PROMOTERS], passives=counts[_PASSIVES], detractors=counts[_DETRACTORS],
                min_n=min_n),
        likert=_Statements(counts),
    )
